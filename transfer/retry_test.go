package transfer

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
)

func TestTransientClassification(t *testing.T) {
	reply := func(code int, cmd, msg string) error { return &ftp.Error{Code: code, Cmd: cmd, Msg: msg} }
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{reply(421, "RETR f", "Service not available, closing control connection."), true},
		{reply(425, "RETR f", "Can't open data connection."), true},
		{reply(426, "RETR f", "Failure writing network stream."), true},
		{reply(452, "STOR f", "No space left on device"), true},
		{reply(450, "RETR f", "No such file or directory"), false}, // about the file
		{reply(451, "APPE f", "Append/Restart not permitted, try again"), false},
		{reply(550, "RETR f", "Permission denied"), false},
		{reply(553, "STOR f", "Could not create file."), false},
		{reply(500, "REST 5", "Unknown command"), false},
		{fmt.Errorf("wrap: %w", ftp.ErrDataTLSRefused), true},
		{fmt.Errorf("data: %w", io.ErrUnexpectedEOF), true},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		{fmt.Errorf("x: %w", ftp.ErrShortTransfer), true},
		{&VerifyError{What: "size", transient: true}, true},
		{&LocalError{Op: "write", Err: syscall.ENOSPC}, false},
		{&UnsafeNameError{Name: ".."}, false},
		{context.Canceled, false},
		{fmt.Errorf("tls: %w", x509.UnknownAuthorityError{}), false},
		{&ftp.ArgumentError{Cmd: "RETR", Arg: "a\nb"}, false},
	} {
		if got := transient(tc.err); got != tc.want {
			t.Errorf("transient(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// The error after retries is the first cause, with the later attempts
// attached; a permanent failure is not retried at all.
func TestRetryKeepsFirstCause(t *testing.T) {
	r := Retry{Attempts: 3, Min: time.Microsecond, Max: time.Microsecond}
	first := &ftp.Error{Code: 452, Cmd: "STOR f", Msg: "No space left on device"}
	calls := 0
	err := r.do(context.Background(), func(attempt int) error {
		calls++
		if attempt == 0 {
			return first
		}
		return &ftp.Error{Code: 421, Msg: "Too many connections"}
	})
	var re *RetryError
	if calls != 3 || !errors.As(err, &re) || re.Err != first || len(re.Later) != 2 {
		t.Fatalf("calls %d, err %v", calls, err)
	}
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 452 {
		t.Fatalf("errors.As finds %v, want the 452", fe)
	}
	calls = 0
	err = r.do(context.Background(), func(int) error {
		calls++
		return &ftp.Error{Code: 550, Msg: "Permission denied"}
	})
	if calls != 1 || errors.As(err, &re) {
		t.Fatalf("permanent failure tried %d times: %v", calls, err)
	}
}

func TestRetryWaitGrowsWithJitter(t *testing.T) {
	r := Retry{Min: 100 * time.Millisecond, Max: time.Second}
	seen := map[time.Duration]bool{}
	for i := 0; i < 50; i++ {
		w := r.wait(0)
		if w < 50*time.Millisecond || w > 100*time.Millisecond {
			t.Fatalf("wait(0) = %v", w)
		}
		seen[w] = true
		if w := r.wait(10); w < 500*time.Millisecond || w > time.Second {
			t.Fatalf("wait(10) = %v, want capped at 1s", w)
		}
	}
	if len(seen) < 10 {
		t.Error("no jitter")
	}
}

func TestCheckName(t *testing.T) {
	for _, bad := range []string{"", ".", "..", "a/b", "a\x00", "a\rb", "a\nb"} {
		if checkName("d", bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"a", "...", "a b", "ü.txt", ".hidden"} {
		if err := checkName("d", good); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
}
