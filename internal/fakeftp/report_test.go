package fakeftp_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp/internal/fakeftp"
)

func TestMismatchReported(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{
		fakeftp.Reply("220 hi"),
		fakeftp.Expect("USER anonymous"),
		fakeftp.Reply("331 never sent"),
	})
	c, _ := client(t, srv)
	readLine(t, c)
	send(t, c, "USER bob")
	// A failed step closes the connection, so the client is not left waiting.
	if _, err := c.ReadLine(); err != io.EOF {
		t.Errorf("client read after mismatch: %v, want EOF", err)
	}
	err := srv.Wait()
	var me *fakeftp.MismatchError
	var se *fakeftp.StepError
	if !errors.As(err, &me) || me.Want != "USER anonymous" || me.Got != "USER bob" {
		t.Errorf("Wait() = %v, want a MismatchError", err)
	}
	if !errors.As(err, &se) || se.Conn != 0 || se.Step != 1 {
		t.Errorf("Wait() = %v, want a StepError for conn 0 step 1", err)
	}
	wantReport(t, r, `conn 0 step 1 Expect("USER anonymous")`, "mismatch at byte 5",
		`want "USER anonymous"`, `got  "USER bob"`)
}

func TestUnfinishedScriptReported(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{
		fakeftp.Reply("220 hi"),
		fakeftp.Expect("QUIT"),
	})
	c, _ := client(t, srv)
	readLine(t, c)
	c.Close()
	srv.Wait()
	wantReport(t, r, `step 1 Expect("QUIT")`, "client closed the connection")
}

func TestInterruptedByTestEnd(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{fakeftp.Reply("220 hi"), fakeftp.Expect("QUIT")})
	c, _ := client(t, srv)
	readLine(t, c)
	// The client stays connected; the end of the test stops the script.
	errs := r.finish()
	if len(errs) != 1 || !strings.Contains(errs[0], "test ended before the script finished") {
		t.Errorf("reports %q", errs)
	}
	if !errors.Is(srv.Err(), fakeftp.ErrInterrupted) {
		t.Errorf("Err() = %v, want ErrInterrupted", srv.Err())
	}
}

func TestOptionalTail(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{
		fakeftp.Reply("220 hi"),
		fakeftp.Optional(),
		fakeftp.Expect("QUIT"),
		fakeftp.Reply("221 bye"),
	})
	c, _ := client(t, srv)
	readLine(t, c)
	c.Close()
	if errs := r.finish(); len(errs) != 0 {
		t.Errorf("reports %q, want none", errs)
	}
}

func TestOptionalTailStillChecksLines(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{fakeftp.Optional(), fakeftp.Expect("QUIT")})
	c, _ := client(t, srv)
	send(t, c, "NOOP")
	srv.Wait()
	wantReport(t, r, `want "QUIT"`, `got  "NOOP"`)
}

func TestUnexpectedLineAfterEnd(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{fakeftp.Reply("220 hi")})
	c, _ := client(t, srv)
	readLine(t, c)
	send(t, c, "NOOP")
	if _, err := c.ReadLine(); err != io.EOF {
		t.Errorf("client read: %v, want EOF", err)
	}
	wantReport(t, r, "after the end of the script", `unexpected client line "NOOP"`)
}

func TestNoConnectionReported(t *testing.T) {
	r := newRecorder(t)
	fakeftp.New(r, fakeftp.Script{fakeftp.Reply("220 hi")}, fakeftp.Script{fakeftp.Reply("220 again")})
	errs := r.finish()
	if len(errs) != 1 || !strings.Contains(errs[0], "client never connected") {
		t.Errorf("reports %q", errs)
	}
}

func TestTimeoutReported(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.Config{Timeout: 50 * time.Millisecond}.Start(r, fakeftp.Script{
		fakeftp.Expect("NOOP"),
	})
	client(t, srv)
	if err := srv.Wait(); !errors.Is(err, fakeftp.ErrTimeout) {
		t.Errorf("Wait() = %v, want ErrTimeout", err)
	}
	wantReport(t, r, `Expect("NOOP")`, "timed out")
}

func TestDataMismatchReported(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{fakeftp.EPSV(), fakeftp.ExpectData("a\r\nb\r\n")})
	c, _ := client(t, srv)
	d := dialData(t, "127.0.0.1:"+epsvPort(t, readLine(t, c)))
	io.WriteString(d, "a\nb\n")
	d.Close()
	srv.Wait()
	wantReport(t, r, "uploaded data mismatch at byte 1", `want "a\r\nb\r\n"`, `got  "a\nb\n"`)
}

func TestLongDataMismatchShowsWindow(t *testing.T) {
	want := strings.Repeat("x", 1000)
	got := want[:500] + "y" + want[501:]
	msg := (&fakeftp.MismatchError{What: "uploaded data", Want: want, Got: got}).Error()
	if !strings.Contains(msg, "at byte 500 (want 1000 bytes, got 1000)") || len(msg) > 300 {
		t.Errorf("message %q", msg)
	}
}

func TestDataWithoutConnectionReported(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script fakeftp.Script
		want   string
	}{
		{"no Passive", fakeftp.Script{fakeftp.SendData("x")}, "needs a Passive or Connect step before this one"},
		{"no PORT", fakeftp.Script{fakeftp.Connect()}, "no PORT or EPRT line"},
		{"client never connects", fakeftp.Script{fakeftp.EPSV(), fakeftp.CloseData()}, "did not open the data connection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecorder(t)
			srv := fakeftp.Config{Timeout: 50 * time.Millisecond}.Start(r, tc.script)
			c, _ := client(t, srv)
			if len(tc.script) == 2 {
				readLine(t, c)
			}
			srv.Wait()
			wantReport(t, r, tc.want)
		})
	}
}

func TestConnectRefusesNonLoopback(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{fakeftp.ExpectMatch("PORT *"), fakeftp.Connect()})
	c, _ := client(t, srv)
	send(t, c, "PORT 192,0,2,1,4,1")
	srv.Wait()
	wantReport(t, r, "refusing to connect to non-loopback address 192.0.2.1:1025")
}

func TestZeroStepReported(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{{}})
	client(t, srv)
	srv.Wait()
	wantReport(t, r, "zero Step")
}

func TestEndlessClientStopsReading(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.Config{Timeout: 100 * time.Millisecond}.Start(r, fakeftp.Script{
		fakeftp.Endless(func(int) string { return strings.Repeat("x", 1024) }),
	})
	client(t, srv) // connected, never reads
	srv.Wait()
	wantReport(t, r, "Endless", "timed out")
}

func TestCutOffLineBeforeEOF(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{fakeftp.ExpectEOF()})
	_, nc := client(t, srv)
	io.WriteString(nc, "QUI")
	nc.Close()
	srv.Wait()
	wantReport(t, r, "ExpectEOF()", `client sent "QUI" without CRLF`)
}
