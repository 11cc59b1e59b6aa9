package server

import (
	"log/slog"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDefaultLoggerIsSilent: ftpserverlib must not reach stderr: every
// record goes through the redacting handler, over a discarding one by
// default.
func TestDefaultLoggerIsSilent(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, ok := s.ftp.Logger.Handler().(*redactHandler)
	if !ok || h.inner != slog.DiscardHandler {
		t.Fatalf("ftpserverlib logger handler = %T, want redactHandler over DiscardHandler", s.ftp.Logger.Handler())
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"PASS hunter2": "PASS ****",
		"pass hunter2": "pass ****",
		"ACCT secret":  "ACCT ****",
		"USER alice":   "USER alice",
		"PASS":         "PASS",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}
