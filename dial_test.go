package ftp_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

func TestDialMultiLineGreeting(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220-Welcome to the", "220-test server", "2200 is text", "220 ready"),
	})
	c := dialFake(t, srv, nil)
	w := c.Welcome()
	if w.Code != 220 || len(w.Lines) != 4 || w.Message() != "Welcome to the\ntest server\n2200 is text\nready" {
		t.Errorf("Welcome = %q", w.Lines)
	}
}

// TestDial120Then220 covers gh-78549: ftplib returns the 120 greeting as the
// welcome, reads the late 220 as the reply to USER and logs in without
// PASS, one reply behind from then on.
func TestDial120Then220(t *testing.T) {
	srv := fakeftp.New(t, steps(
		fakeftp.Reply("120 Service ready in 1 minute"),
		fakeftp.Sleep(50*time.Millisecond),
		fakeftp.Reply("220 ready now"),
		anonLogin(),
		pwdSteps("/after-120"),
	))
	c := dialFake(t, srv, nil)
	if w := c.Welcome(); w.Code != 220 || w.Message() != "ready now" {
		t.Fatalf("Welcome = %v", w)
	}
	if err := c.Login(fakeCtx(t), "", ""); err != nil {
		t.Fatal(err)
	}
	checkInStep(t, c, "/after-120")
}

// TestDialGreetingRefused covers a 421 greeting (too many connections) and
// other refusals: each is an *ftp.Error carrying the code, and only a 4xx
// is worth a retry.
func TestDialGreetingRefused(t *testing.T) {
	for _, tt := range []struct {
		greeting  string
		code      int
		transient bool
	}{
		{"421 Too many connections (8) from this IP", 421, true},
		{"530 Not allowed from your address", 530, false},
		{"500 go away", 500, false},
	} {
		t.Run(tt.greeting[:3], func(t *testing.T) {
			srv := fakeftp.New(t, fakeftp.Script{fakeftp.Reply(tt.greeting)})
			c, err := quickDialer().Dial(fakeCtx(t), srv.Addr())
			if err == nil {
				c.Close()
				t.Fatal("Dial succeeded")
			}
			var fe *ftp.Error
			if !errors.As(err, &fe) || fe.Code != tt.code {
				t.Fatalf("err = %v, want *ftp.Error %d", err, tt.code)
			}
			if ftp.IsTransient(err) != tt.transient || fe.Transient() != tt.transient {
				t.Errorf("IsTransient = %v, want %v", ftp.IsTransient(err), tt.transient)
			}
			if !strings.Contains(err.Error(), tt.greeting[4:]) {
				t.Errorf("error %q lacks the server's text", err)
			}
		})
	}
}

func TestDialBadGreeting(t *testing.T) {
	for _, tt := range []struct {
		name  string
		steps fakeftp.Script
		check func(error) bool
	}{
		{"230 instead of 220", fakeftp.Script{fakeftp.Reply("230 already logged in")},
			func(err error) bool { var ue *ftp.UnexpectedReplyError; return errors.As(err, &ue) }},
		// ftplib's timeout tests greet with this and ftplib accepts it.
		{"one-digit code", fakeftp.Script{fakeftp.Reply("1 Hola mundo")},
			func(err error) bool { var pe *ftp.ProtocolError; return errors.As(err, &pe) }},
		{"not a reply", fakeftp.Script{fakeftp.Reply("SSH-2.0-OpenSSH_9.6")},
			func(err error) bool { var pe *ftp.ProtocolError; return errors.As(err, &pe) }},
		{"over-long line", fakeftp.Script{fakeftp.Reply("220 " + strings.Repeat("x", ftp.DefaultMaxLineLength))},
			func(err error) bool { var pe *ftp.ProtocolError; return errors.As(err, &pe) }},
		{"closed without greeting", fakeftp.Script{fakeftp.CloseControl()},
			func(err error) bool { return err != nil && ftp.IsTransient(err) }},
		{"reset without greeting", fakeftp.Script{fakeftp.ResetControl()},
			func(err error) bool { return err != nil && ftp.IsTransient(err) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeftp.New(t, tt.steps)
			c, err := quickDialer().Dial(fakeCtx(t), srv.Addr())
			if err == nil {
				c.Close()
				t.Fatal("Dial succeeded")
			}
			if !tt.check(err) {
				t.Errorf("err = %v (%T)", err, err)
			}
		})
	}
}

// countConn counts the bytes the client reads from the server.
type countConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestDialEndlessGreeting: ftplib accumulates an endless multi-line reply
// until memory runs out. The reply size limit must stop the read, and the
// bytes taken from the socket must stay near the limit.
func TestDialEndlessGreeting(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Raw("220-Welcome\r\n"),
		fakeftp.Endless(func(n int) string { return fmt.Sprintf("220-line %d of an endless greeting\r\n", n) }),
	})
	var n atomic.Int64
	d := quickDialer()
	d.MaxReplySize = 64 << 10
	d.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var nd net.Dialer
		c, err := nd.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countConn{c, &n}, nil
	}
	start := time.Now()
	c, err := d.Dial(fakeCtx(t), srv.Addr())
	if err == nil {
		c.Close()
		t.Fatal("Dial accepted an endless greeting")
	}
	var pe *ftp.ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want *ftp.ProtocolError", err)
	}
	if got := n.Load(); got > 64<<10+16<<10 {
		t.Errorf("read %d bytes with a 64 KiB reply limit", got)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	waitFake(t, srv)
}

// TestDialTimeout: a server that accepts and never greets costs Timeout,
// not forever.
func TestDialTimeout(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{fakeftp.Stall()})
	d := quickDialer()
	d.Timeout = 200 * time.Millisecond
	start := time.Now()
	c, err := d.Dial(fakeCtx(t), srv.Addr())
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded")
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Dial took %v with Timeout 200ms", el)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline error", err)
	}
	if !ftp.IsTransient(err) {
		t.Errorf("IsTransient(%v) = false", err)
	}
	waitFake(t, srv) // the client closed the connection it gave up on
}

// TestDialContextDeadline: the context's deadline wins over a longer Timeout.
func TestDialContextDeadline(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{fakeftp.Stall()})
	d := &ftp.Dialer{Timeout: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	c, err := d.Dial(ctx, srv.Addr())
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded")
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Dial took %v with a 200ms context", el)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline error", err)
	}
	waitFake(t, srv)
}

func TestDialContextCanceled(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{fakeftp.Stall()})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	c, err := (&ftp.Dialer{}).Dial(ctx, srv.Addr())
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded")
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("Dial took %v to notice the cancellation", el)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if ftp.IsTransient(err) {
		t.Error("a cancellation is reported as transient")
	}
	waitFake(t, srv)
}

func TestDialRefused(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", refusedPort(t))
	c, err := quickDialer().Dial(fakeCtx(t), addr)
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded")
	}
	if !ftp.IsTransient(err) || !strings.Contains(err.Error(), addr) {
		t.Errorf("err = %v: want a transient error naming %s", err, addr)
	}
}

func TestDialBadAddress(t *testing.T) {
	for _, addr := range []string{"", "127.0.0.1:21\r\nUSER x", "host\x00name", "[::1"} {
		c, err := quickDialer().Dial(fakeCtx(t), addr)
		if err == nil {
			c.Close()
			t.Errorf("Dial(%q) succeeded", addr)
		}
	}
	if _, err := quickDialer().Dial(fakeCtx(t), "a\nb"); !errors.Is(err, ftp.ErrInvalidArgument) {
		t.Errorf("Dial with LF in the address: %v, want ErrInvalidArgument", err)
	}
}

// TestDialZeroTimeoutIsDefault: bpo-39259 made ftplib refuse timeout=0,
// which would make sockets non-blocking. A zero Dialer field means the
// default instead, so a slow greeting still arrives.
func TestDialZeroTimeoutIsDefault(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{fakeftp.Sleep(100 * time.Millisecond), welcome})
	c := dialFake(t, srv, &ftp.Dialer{})
	if c.Welcome().Code != 220 {
		t.Fatalf("Welcome = %v", c.Welcome())
	}
}

func TestDialerCustomDialContext(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("TYPE I"), fakeftp.Reply("200 binary"),
		fakeftp.Expect("EPSV"), fakeftp.EPSV(),
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 ok"),
		fakeftp.SendData("data"), fakeftp.CloseData(), fakeftp.Reply("226 ok"),
	))
	rec := &dialRecorder{}
	d := quickDialer()
	d.DialContext = rec.dial
	c := dialFake(t, srv, d)
	ctx := fakeCtx(t)
	// With a custom dialer (a proxy) the data connection goes to the host
	// dialled, since the peer seen locally is the proxy.
	got, err := retrieve(ctx, c, "f", 0)
	if err != nil || string(got) != "data" {
		t.Fatalf("got %q, %v", got, err)
	}
	addrs := rec.dialled()
	if len(addrs) != 2 || addrs[0] != srv.Addr() || !strings.HasPrefix(addrs[1], "127.0.0.1:") {
		t.Errorf("dialled %q", addrs)
	}
}

// TestFTPLibTimeouts maps TestTimeouts: ftplib's single socket timeout
// becomes Dialer.Timeout (connect and greeting), ReplyTimeout, DataTimeout
// and AbortTimeout, each with a default when zero, and a context deadline
// that wins when sooner.
func TestFTPLibTimeouts(t *testing.T) {
	t.Run("Default", TestDialZeroTimeoutIsDefault)
	t.Run("Value", TestDialTimeout)
	t.Run("Connect", TestDialContextDeadline)
	t.Run("Reply", TestSyncReplyTimeout)
	t.Run("Data", TestSyncDataStall)
	t.Run("Abort", TestAbortNoReply)
}

// TestDialExplicitTLSRefused: a server that refuses AUTH TLS is an error,
// never a silent fall back to clear text.
func TestDialExplicitTLSRefused(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{welcome,
		fakeftp.Expect("AUTH TLS"), fakeftp.Reply("500 AUTH not understood")})
	d := quickDialer()
	d.TLS = ftp.TLSExplicit
	c, err := d.Dial(fakeCtx(t), srv.Addr())
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded without TLS")
	}
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 500 {
		t.Errorf("err = %v, want the server's 500", err)
	}
	waitFake(t, srv)
}

// TestDialExplicitTLSInjection: bytes after the 234 and before the TLS
// handshake would be taken as protected though they were not (the STARTTLS
// injection of CVE-2011-0411). They are refused before any handshake.
func TestDialExplicitTLSInjection(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{welcome,
		fakeftp.Expect("AUTH TLS"), fakeftp.Reply("234 AUTH TLS successful", "230 injected"),
		fakeftp.Optional(), fakeftp.Stall()})
	d := quickDialer()
	d.TLS = ftp.TLSExplicit
	c, err := d.Dial(fakeCtx(t), srv.Addr())
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded")
	}
	var pe *ftp.ProtocolError
	if !errors.As(err, &pe) {
		t.Errorf("err = %v, want *ftp.ProtocolError", err)
	}
}
