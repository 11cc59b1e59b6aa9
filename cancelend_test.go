package ftp_test

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"

	"github.com/ferryftp/ftp/internal/fakeftp"
)

// cancelSeen is a context whose cancellation Err reports before Done is
// closed: the moment, in a real run, between cancel() and the moment the
// Conn's cancellation hook (context.AfterFunc, run on its own goroutine)
// cuts the data connection. A Read in that moment still reaches the end of
// the data.
type cancelSeen struct {
	context.Context
	cancelled atomic.Bool
}

func (c *cancelSeen) Err() error {
	if c.cancelled.Load() {
		return context.Canceled
	}
	return c.Context.Err()
}

// TestSyncCancelAsDataEnds: a download cancelled just as its data ended
// (seen on ProFTPD, Pure-FTPd and pyftpdlib: cancel after a first read,
// then io.Copy) returns context.Canceled and aborts, leaving the Conn in
// step; it used to read the final reply under the cancelled context, fail
// at once and break the Conn.
func TestSyncCancelAsDataEnds(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData("part"), fakeftp.CloseData(),
		aborted("226 Transfer complete.", "225 No transfer to abort."),
		pwdSteps("/after-cancel"),
	))
	c := dialFake(t, srv, nil)
	ctx := &cancelSeen{Context: fakeCtx(t)}
	d, err := c.Retrieve(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(d, buf); err != nil || string(buf) != "part" {
		t.Fatalf("first read: %q, %v", buf, err)
	}
	ctx.cancelled.Store(true)
	if _, err := io.Copy(io.Discard, d); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("Close after the abort: %v", err)
	}
	checkInStep(t, c, "/after-cancel")
}
