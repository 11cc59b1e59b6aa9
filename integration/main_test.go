package integration

import (
	"testing"

	"go.uber.org/goleak"
)

// stopAfterRun stops the daemons after the tests and before goleak looks
// for leftover goroutines (each running daemon has one waiting for it).
type stopAfterRun struct{ m *testing.M }

func (s stopAfterRun) Run() int {
	code := s.m.Run()
	StopAll()
	return code
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(stopAfterRun{m})
}
