package ftp

import "time"

// SetProbeWindow shortens the pipelining probe's wait for tests and returns
// a function that restores it.
func SetProbeWindow(d time.Duration) (restore func()) {
	old := probeWindow
	probeWindow = d
	return func() { probeWindow = old }
}
