package ftp_test

import (
	"errors"
	"io"
	"io/fs"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

// pipelined is the client sending EPSV and RETR name in one write; the
// fake reads both before answering either.
func pipelined(name string) []fakeftp.Step {
	return []fakeftp.Step{fakeftp.Expect("EPSV"), fakeftp.Expect("RETR " + name)}
}

// sendFile is the server's side of a RETR after its 150: data, then close.
func sendFile(data string) []fakeftp.Step {
	return []fakeftp.Step{
		fakeftp.Reply("150 Opening BINARY mode data connection"),
		fakeftp.SendData(data), fakeftp.CloseData(),
	}
}

// retrieveEach runs RetrieveEach, reading every file, and returns what each
// path gave: its content, or its error.
func retrieveEach(t *testing.T, c *ftp.Conn, paths ...string) (map[string]string, map[string]error, error) {
	t.Helper()
	got, errs := map[string]string{}, map[string]error{}
	err := c.RetrieveEach(fakeCtx(t), slices.Values(paths), func(path string, d *ftp.Download, err error) error {
		if err == nil {
			var b []byte
			b, err = io.ReadAll(d)
			got[path] = string(b)
		}
		if err != nil {
			errs[path] = err
		}
		return nil
	})
	return got, errs, err
}

// TestRetrieveEachPipelines: EPSV and RETR go out together, and the next
// file's pair goes out when the data connection ends, before the 226: the
// fake answers 226 only once it has both, so a client that waits for the
// 226 first deadlocks and fails.
func TestRetrieveEachPipelines(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		pipelined("a"), fakeftp.EPSV(), sendFile("A"),
		pipelined("b"), fakeftp.Reply("226 a done"),
		fakeftp.EPSV(), sendFile("BB"),
		pipelined("c"), fakeftp.Reply("226 b done"),
		fakeftp.EPSV(), sendFile("CCC"), fakeftp.Reply("226 c done"),
		pwdSteps("/after"),
	))
	c := dialFake(t, srv, nil)
	got, errs, err := retrieveEach(t, c, "a", "b", "c")
	if err != nil || len(errs) > 0 {
		t.Fatalf("RetrieveEach: %v, per file %v", err, errs)
	}
	if want := map[string]string{"a": "A", "b": "BB", "c": "CCC"}; !maps.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	checkInStep(t, c, "/after")
}

// TestRetrieveEachRefusedFile: a file the server refuses (550, answered in
// turn after the pipelined EPSV's 229) is reported to fn as an error that
// maps to fs.ErrNotExist; the files after it still come, and the Conn stays
// in step.
func TestRetrieveEachRefusedFile(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		pipelined("a"), fakeftp.EPSV(), sendFile("A"),
		pipelined("missing"), fakeftp.Reply("226 a done"),
		fakeftp.EPSV(), fakeftp.Reply("550 Failed to open file."),
		pipelined("c"), fakeftp.EPSV(), sendFile("C"), fakeftp.Reply("226 c done"),
		pwdSteps("/after"),
	))
	c := dialFake(t, srv, nil)
	got, errs, err := retrieveEach(t, c, "a", "missing", "c")
	if err != nil {
		t.Fatal(err)
	}
	if got["a"] != "A" || got["c"] != "C" {
		t.Errorf("got %q", got)
	}
	if !errors.Is(errs["missing"], fs.ErrNotExist) || len(errs) != 1 {
		t.Errorf("errors %v, want only missing's, mapping to fs.ErrNotExist", errs)
	}
	checkInStep(t, c, "/after")
}

// TestRetrieveEachServerDropsPipelined: a server that drops a command sent
// before the previous reply never answers the RETR. After the probe window
// the client resynchronises (ABOR, NOOP) and sends one command at a time
// for this file and every later one.
func TestRetrieveEachServerDropsPipelined(t *testing.T) {
	defer ftp.SetProbeWindow(300 * time.Millisecond)()
	srv := fakeftp.New(t, steps(welcome, typeI,
		pipelined("a"), fakeftp.EPSV(), // and no reply to the RETR
		aborted("225 No transfer to ABOR."),
		epsv, retrSteps("a", "A"),
		epsv, retrSteps("b", "B"),
		pwdSteps("/after"),
	))
	c := dialFake(t, srv, nil)
	got, errs, err := retrieveEach(t, c, "a", "b")
	if err != nil || len(errs) > 0 {
		t.Fatalf("RetrieveEach: %v, per file %v", err, errs)
	}
	if got["a"] != "A" || got["b"] != "B" {
		t.Errorf("got %q", got)
	}
	checkInStep(t, c, "/after")
}

// TestRetrieveEachServerRefusesPipelined: a server that handles the RETR
// before its data port is ready answers 425; the client falls back to one
// command at a time and remembers it.
func TestRetrieveEachServerRefusesPipelined(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		pipelined("a"), fakeftp.EPSV(), fakeftp.Reply("425 Use PORT or PASV first."),
		epsv, retrSteps("a", "A"),
		epsv, retrSteps("b", "B"),
		pwdSteps("/after"),
	))
	c := dialFake(t, srv, nil)
	got, errs, err := retrieveEach(t, c, "a", "b")
	if err != nil || len(errs) > 0 {
		t.Fatalf("RetrieveEach: %v, per file %v", err, errs)
	}
	if got["a"] != "A" || got["b"] != "B" {
		t.Errorf("got %q", got)
	}
	checkInStep(t, c, "/after")
}

// TestRetrieveEachStopsWithNextQueued: fn fails after reading a file to its
// end, when the next file's commands are already on their way. That
// transfer is opened and aborted, so the Conn stays in step.
func TestRetrieveEachStopsWithNextQueued(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		pipelined("a"), fakeftp.EPSV(), sendFile("A"),
		pipelined("b"), fakeftp.Reply("226 a done"),
		fakeftp.EPSV(), fakeftp.Reply("150 Opening BINARY mode data connection"),
		aborted("426 Transfer aborted.", "226 ABOR successful"),
		pwdSteps("/after"),
	))
	c := dialFake(t, srv, nil)
	stop := errors.New("stop")
	var seen []string
	err := c.RetrieveEach(fakeCtx(t), slices.Values([]string{"a", "b", "c"}), func(path string, d *ftp.Download, err error) error {
		seen = append(seen, path)
		if err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, d); err != nil {
			return err
		}
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v, want fn's", err)
	}
	if !slices.Equal(seen, []string{"a"}) {
		t.Errorf("fn saw %q", seen)
	}
	checkInStep(t, c, "/after")
}

// TestRetrieveEachRefusedBeforeDial: a server that refuses the RETR at once
// may close its passive port before the client dials it. The refusal that
// is on its way is the answer: no resynchronisation, no second try.
func TestRetrieveEachRefusedBeforeDial(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		pipelined("a"), fakeftp.EPSV(), sendFile("A"),
		pipelined("missing"), fakeftp.Reply("226 a done"),
		fakeftp.Reply("229 Entering Extended Passive Mode (|||1|)", "550 Failed to open file."),
		pipelined("c"), fakeftp.EPSV(), sendFile("C"), fakeftp.Reply("226 c done"),
		pwdSteps("/after"),
	))
	c := dialFake(t, srv, nil)
	got, errs, err := retrieveEach(t, c, "a", "missing", "c")
	if err != nil {
		t.Fatal(err)
	}
	if got["a"] != "A" || got["c"] != "C" {
		t.Errorf("got %q", got)
	}
	if !errors.Is(errs["missing"], fs.ErrNotExist) || len(errs) != 1 {
		t.Errorf("errors %v, want only missing's, mapping to fs.ErrNotExist", errs)
	}
	checkInStep(t, c, "/after")
}

// TestRetrieveEachServerClosing: a 421 to the pipelined EPSV means the
// server is closing the connection; RetrieveEach reports that reply, and
// the Conn is broken rather than waiting for the RETR's reply.
func TestRetrieveEachServerClosing(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		pipelined("a"), fakeftp.Reply("421 Timeout."), fakeftp.CloseControl(),
	))
	c := dialFake(t, srv, nil)
	_, errs, err := retrieveEach(t, c, "a")
	var fe *ftp.Error
	if !errors.As(errs["a"], &fe) || fe.Code != 421 {
		t.Errorf("a: %v, want the 421", errs["a"])
	}
	if !errors.Is(err, ftp.ErrBroken) {
		t.Errorf("RetrieveEach: %v, want ErrBroken", err)
	}
}
