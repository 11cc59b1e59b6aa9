package fakeftp_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ferryftp/ftp/internal/fakeftp"
)

func TestReplyAndExpect(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220-Welcome", "220 ready"),
		fakeftp.Expect("USER anonymous"),
		fakeftp.Reply("331 password"),
		fakeftp.ExpectMatch("PASS *@*"),
		fakeftp.Reply("230 in"),
		fakeftp.Expect("QUIT"),
		fakeftp.Reply("221 bye"),
		fakeftp.ExpectEOF(),
	})
	if want := fmt.Sprintf("127.0.0.1:%d", srv.Port()); srv.Addr() != want || srv.Host() != "127.0.0.1" {
		t.Errorf("Addr() = %q, want %q", srv.Addr(), want)
	}
	c, _ := client(t, srv)
	code, msg, err := c.ReadResponse(220)
	if err != nil || msg != "Welcome\nready" {
		t.Fatalf("greeting: %d %q %v", code, msg, err)
	}
	send(t, c, "USER anonymous")
	if got := readLine(t, c); got != "331 password" {
		t.Fatalf("got %q", got)
	}
	send(t, c, "PASS guest@example.org")
	readLine(t, c)
	send(t, c, "QUIT")
	readLine(t, c)
	c.Close()
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	want := []string{"USER anonymous", "PASS guest@example.org", "QUIT"}
	if d := cmp.Diff(want, srv.Received()); d != "" {
		t.Errorf("Received() (-want +got):\n%s", d)
	}
	if d := cmp.Diff([][]string{{"guest", "example.org"}}, srv.Matches()); d != "" {
		t.Errorf("Matches() (-want +got):\n%s", d)
	}
}

// TestRawBytes shows that malformed replies reach the client byte for byte.
func TestRawBytes(t *testing.T) {
	long := strings.Repeat("x", 20000)
	const raw = "200 bare\rCR\n200 bare LF\n\xff\xfe invalid utf-8\r\n200 no ending"
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 "+long, "200 next"),
		fakeftp.Raw(raw),
		fakeftp.CloseControl(),
	})
	_, nc := client(t, srv)
	got, err := io.ReadAll(nc)
	if err != nil {
		t.Fatal(err)
	}
	if want := "220 " + long + "\r\n200 next\r\n" + raw; string(got) != want {
		t.Errorf("client read %d bytes, want %d; first difference near %q", len(got), len(want), got[min(len(got), len(want)-len(raw)):])
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestEndless(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Raw("220-Welcome\r\n"),
		fakeftp.Endless(func(n int) string { return fmt.Sprintf("220-line %d\r\n", n) }),
	})
	c, _ := client(t, srv)
	for i := range 5000 {
		if _, err := c.ReadLine(); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
	}
	c.Close() // the client gives up, which ends the step
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	if len(srv.Received()) != 0 {
		t.Errorf("Received() = %q", srv.Received())
	}
}

func TestResetControl(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 hi"),
		fakeftp.Expect("NOOP"),
		fakeftp.ResetControl(),
	})
	c, _ := client(t, srv)
	readLine(t, c)
	send(t, c, "NOOP")
	_, err := c.ReadLine()
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("read after ResetControl: %v, want ECONNRESET", err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestCloseControl(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{fakeftp.Reply("421 go away"), fakeftp.CloseControl()})
	c, _ := client(t, srv)
	readLine(t, c)
	if _, err := c.ReadLine(); err != io.EOF {
		t.Errorf("read after CloseControl: %v, want EOF", err)
	}
}

func TestStallUntilClientCloses(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 hi"),
		fakeftp.Stall(),
	})
	c, nc := client(t, srv)
	readLine(t, c)
	send(t, c, "NOOP")
	nc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.ReadLine(); !errors.Is(err, syscall.EAGAIN) && !isTimeout(err) {
		t.Fatalf("read during stall: %v, want a timeout", err)
	}
	c.Close()
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"NOOP"}, srv.Received()); d != "" {
		t.Errorf("Received() (-want +got):\n%s", d)
	}
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

func TestUntilAndSleep(t *testing.T) {
	release := make(chan struct{})
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Until(release),
		fakeftp.Sleep(20 * time.Millisecond),
		fakeftp.Reply("220 late"),
	})
	c, _ := client(t, srv)
	start := time.Now()
	go func() {
		time.Sleep(30 * time.Millisecond)
		close(release)
	}()
	readLine(t, c)
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Errorf("reply after %v, want >= 50ms", el)
	}
}

// TestClientBareLF: FTP commands end in CRLF; a client that sends LF alone fails.
func TestClientBareLF(t *testing.T) {
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{fakeftp.Expect("NOOP")})
	_, nc := client(t, srv)
	io.WriteString(nc, "NOOP\n")
	srv.Wait()
	wantReport(t, r, `Expect("NOOP")`, "bare LF")
}

func TestSequentialConnections(t *testing.T) {
	srv := fakeftp.New(t,
		fakeftp.Script{fakeftp.Reply("220 first"), fakeftp.Expect("QUIT"), fakeftp.CloseControl()},
		fakeftp.Script{fakeftp.Reply("220 second"), fakeftp.Expect("QUIT"), fakeftp.CloseControl()},
	)
	for _, want := range []string{"220 first", "220 second"} {
		c, _ := client(t, srv)
		if got := readLine(t, c); got != want {
			t.Errorf("greeting %q, want %q", got, want)
		}
		send(t, c, "QUIT")
		if _, err := c.ReadLine(); err != io.EOF {
			t.Errorf("want EOF, got %v", err)
		}
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestIPv6(t *testing.T) {
	srv := fakeftp.Config{IPv6: true}.Start(t, fakeftp.Script{
		fakeftp.Reply("220 v6"),
		fakeftp.Expect("EPSV"),
		fakeftp.EPSV(),
		fakeftp.SendData("six"),
		fakeftp.CloseData(),
	})
	if srv.Host() != "::1" || !strings.HasPrefix(srv.Addr(), "[::1]:") {
		t.Fatalf("Host %q Addr %q", srv.Host(), srv.Addr())
	}
	c, _ := client(t, srv)
	readLine(t, c)
	send(t, c, "EPSV")
	d := dialData(t, "[::1]:"+epsvPort(t, readLine(t, c)))
	if got, err := io.ReadAll(d); string(got) != "six" || err != nil {
		t.Errorf("data %q, %v", got, err)
	}
}

func TestDo(t *testing.T) {
	echo := fakeftp.Do("echo", func(c *fakeftp.Conn) error {
		line, err := c.ReadLine()
		if err != nil {
			return err
		}
		return c.Reply(strings.TrimPrefix(line, "ECHO "))
	})
	srv := fakeftp.New(t, fakeftp.Script{echo, echo})
	c, _ := client(t, srv)
	for _, code := range []string{"199 odd", "999 worse"} {
		send(t, c, "ECHO "+code)
		if got := readLine(t, c); got != code {
			t.Errorf("got %q, want %q", got, code)
		}
	}
}

// TestCloseWrite plays CPython's timeout-test server: a one-character code,
// a bare LF, then a half-close; the fake still reads the client.
func TestCloseWrite(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Raw("1 Hola mundo\n"),
		fakeftp.CloseWrite(),
		fakeftp.Expect("QUIT"),
	})
	c, _ := client(t, srv)
	if got := readLine(t, c); got != "1 Hola mundo" {
		t.Errorf("got %q", got)
	}
	if _, err := c.ReadLine(); err != io.EOF {
		t.Errorf("read after CloseWrite: %v, want EOF", err)
	}
	send(t, c, "QUIT")
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}
