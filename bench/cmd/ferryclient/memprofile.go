//go:build memprofile

package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

// memProfile profiles every allocation from now on if path is set, and
// returns what writes the profile to path at the end of the run.
func memProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	runtime.MemProfileRate = 1
	return func() {
		f, _ := os.Create(path)
		pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
}
