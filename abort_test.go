package ftp_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

// TestAbortReplies covers what servers answer to ABOR during a transfer:
// RFC 959's 426 then 226 (ftplib reads only the first and hands the 226 to
// the next command), one 225 or 226 alone, or more than two replies.
func TestAbortReplies(t *testing.T) {
	for _, tt := range []struct {
		name    string
		replies []string
	}{
		{"426 then 226", []string{"426 Connection closed; transfer aborted.", "226 Closing data connection."}},
		{"226 then 225", []string{"226 Transfer complete.", "225 ABOR command successful."}},
		{"226 alone", []string{"226 Abort successful"}},
		{"225 alone", []string{"225 ABOR command successful."}},
		{"three replies", []string{"426 aborted", "226 closing", "226 really"}},
		{"500 unknown ABOR", []string{"500 Unknown command"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeftp.New(t, steps(welcome, typeI, epsv,
				fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
				fakeftp.SendData("some data"),
				aborted(tt.replies...),
				pwdSteps("/after-abor"),
			))
			c := dialFake(t, srv, nil)
			ctx := fakeCtx(t)
			d, err := c.Retrieve(ctx, "f")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Abort(ctx); err != nil {
				t.Fatalf("Abort: %v", err)
			}
			if err := d.Close(); err != nil {
				t.Errorf("Close after Abort: %v", err)
			}
			checkInStep(t, c, "/after-abor")
			checkUrgentABOR(t, srv)
		})
	}
}

// TestFTPLibAbort mirrors test_abort: ABOR with no transfer running,
// answered 226.
func TestFTPLibAbort(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, aborted("226 abor ok"), pwdSteps("/idle")))
	c := dialFake(t, srv, nil)
	if err := c.Abort(fakeCtx(t)); err != nil {
		t.Fatal(err)
	}
	checkInStep(t, c, "/idle")
}

func TestAbortIdleRefused(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, aborted("502 ABOR not supported"), pwdSteps("/idle")))
	c := dialFake(t, srv, nil)
	var fe *ftp.Error
	if err := c.Abort(fakeCtx(t)); !errors.As(err, &fe) || fe.Code != 502 {
		t.Fatalf("err = %v, want *ftp.Error 502", err)
	}
	checkInStep(t, c, "/idle")
}

// TestAbortNoReply: ftplib blocks until its socket timeout when ABOR is not
// answered. AbortTimeout bounds the wait and the Conn is then broken.
func TestAbortNoReply(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.ExpectUrgent("ABOR"), fakeftp.Stall()))
	d := quickDialer()
	d.AbortTimeout = 200 * time.Millisecond
	c := dialFake(t, srv, d)
	start := time.Now()
	if err := c.Abort(fakeCtx(t)); err == nil {
		t.Fatal("Abort succeeded without a reply")
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
	checkBroken(t, c)
	waitFake(t, srv)
}

// TestDownloadCloseHalfRead: closing a download before its end aborts it
// without hanging, and the Conn can be used again.
func TestDownloadCloseHalfRead(t *testing.T) {
	data := strings.Repeat("x", 64<<10)
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening BINARY mode data connection for f (10485760 bytes)."),
		fakeftp.SendData(data),
		aborted("426 Connection closed; transfer aborted.", "226 Abort successful"),
		epsv, retrSteps("g", "next file"),
	))
	c := dialFake(t, srv, nil)
	d, err := c.Retrieve(fakeCtx(t), "f")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(d, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := d.Close(); err != nil {
		t.Fatalf("Close = %v; closing early is not an error", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("Close took %v", el)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if n, err := d.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("Read after Close = %d, %v", n, err)
	}
	checkRetrieve(t, c, "g", "next file")
}

// TestDownloadCloseAfterEnd: nothing to abort once the data ended; Close
// does not send ABOR.
func TestDownloadCloseAfterEnd(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv, retrSteps("f", "all"), pwdSteps("/done")))
	c := dialFake(t, srv, nil)
	d, err := c.Retrieve(fakeCtx(t), "f")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(d); err != nil || string(b) != "all" {
		t.Fatalf("got %q, %v", b, err)
	}
	for range 2 {
		if err := d.Close(); err != nil {
			t.Fatalf("Close = %v", err)
		}
	}
	checkInStep(t, c, "/done")
}

// TestCloseUnblocks: Close never blocks and may be called from another
// goroutine to end a call blocked on the server.
func TestCloseUnblocks(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("PWD"), fakeftp.Stall()))
	c := dialFake(t, srv, &ftp.Dialer{}) // default timeouts: only Close can end the wait
	errc := make(chan error, 1)
	go func() {
		_, err := c.CurrentDir(fakeCtx(t))
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("Close took %v", el)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Error("the blocked call succeeded")
		}
	case <-time.After(time.Second):
		t.Fatal("Close did not unblock the pending call")
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := c.NoOp(fakeCtx(t)); !errors.Is(err, ftp.ErrClosed) {
		t.Errorf("NoOp after Close = %v, want ErrClosed", err)
	}
	if err := c.Quit(fakeCtx(t)); !errors.Is(err, ftp.ErrClosed) {
		t.Errorf("Quit after Close = %v, want ErrClosed", err)
	}
	waitFake(t, srv)
}

// TestCloseDuringDownload: Close from another goroutine ends a Read
// blocked on a stalled data connection.
func TestCloseDuringDownload(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"), fakeftp.SendData("x"),
		fakeftp.Stall(),
	))
	c := dialFake(t, srv, &ftp.Dialer{})
	d, err := c.Retrieve(fakeCtx(t), "f")
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, func() { c.Close() })
	start := time.Now()
	_, err = io.ReadAll(d)
	if err == nil {
		t.Error("ReadAll succeeded")
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Read returned %v after Close", el)
	}
	d.Close()
	waitFake(t, srv)
}

func TestQuit(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("QUIT"), fakeftp.Reply("221 quit ok"), fakeftp.ExpectEOF()))
	c := dialFake(t, srv, nil)
	if err := c.Quit(fakeCtx(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.NoOp(fakeCtx(t)); !errors.Is(err, ftp.ErrClosed) {
		t.Errorf("NoOp after Quit = %v, want ErrClosed", err)
	}
	waitFake(t, srv)
}

// TestQuitServerHangsUp: ftplib raises EOFError and leaves the socket open
// when the server closes without 221. The server did quit: no error.
func TestQuitServerHangsUp(t *testing.T) {
	for _, end := range []fakeftp.Step{fakeftp.CloseControl(), fakeftp.ResetControl()} {
		t.Run(end.String(), func(t *testing.T) {
			srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("QUIT"), end))
			c := dialFake(t, srv, nil)
			err := c.Quit(fakeCtx(t))
			if end.String() == "CloseControl()" && err != nil {
				t.Errorf("Quit = %v", err)
			}
			if err := c.NoOp(fakeCtx(t)); !errors.Is(err, ftp.ErrClosed) {
				t.Errorf("NoOp after Quit = %v, want ErrClosed", err)
			}
		})
	}
}

// TestQuitRefused mirrors the second half of test_with_statement: a 550 to
// QUIT is returned, and the connection is closed anyway.
func TestQuitRefused(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("QUIT"), fakeftp.Reply("550 error on quit"), fakeftp.ExpectEOF()))
	c := dialFake(t, srv, nil)
	var fe *ftp.Error
	if err := c.Quit(fakeCtx(t)); !errors.As(err, &fe) || fe.Code != 550 {
		t.Fatalf("Quit = %v, want *ftp.Error 550", err)
	}
	if err := c.NoOp(fakeCtx(t)); !errors.Is(err, ftp.ErrClosed) {
		t.Errorf("NoOp after Quit = %v, want ErrClosed", err)
	}
	waitFake(t, srv) // ExpectEOF: the client did close
}

// TestQuitBroken: Quit on a broken Conn sends nothing and closes it.
func TestQuitBroken(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("NOOP"), fakeftp.Reply("bogus"), fakeftp.ExpectEOF()))
	c := dialFake(t, srv, nil)
	if err := c.NoOp(fakeCtx(t)); err == nil {
		t.Fatal("NoOp accepted a bogus reply")
	}
	if err := c.Quit(fakeCtx(t)); !errors.Is(err, ftp.ErrBroken) {
		t.Errorf("Quit on a broken Conn = %v, want ErrBroken", err)
	}
	waitFake(t, srv)
}
