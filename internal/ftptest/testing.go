package ftptest

import "testing"

// New starts a server for the duration of a test: it fails the test if the
// server cannot start, and closes it in t.Cleanup, reporting a failed Close
// as a test error.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("ftptest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("ftptest: %v", err)
		}
	})
	return s
}
