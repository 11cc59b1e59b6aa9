package ftp

import "time"

// SetLimitGrowInterval lets tests watch a lowered connection limit grow
// back without waiting half a minute; it returns the function that
// restores the interval.
func SetLimitGrowInterval(d time.Duration) (restore func()) {
	old := limitGrowInterval
	limitGrowInterval = d
	return func() { limitGrowInterval = old }
}

// SetProbeWindow shortens the pipelining probe's wait for tests and returns
// a function that restores it.
func SetProbeWindow(d time.Duration) (restore func()) {
	old := probeWindow
	probeWindow = d
	return func() { probeWindow = old }
}

// SetMaxRemoveDepth lowers how deep RemoveAll goes, for tests, and returns
// a function that restores it.
func SetMaxRemoveDepth(n int) (restore func()) {
	old := maxRemoveDepth
	maxRemoveDepth = n
	return func() { maxRemoveDepth = old }
}
