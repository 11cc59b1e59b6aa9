package netem_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/ferryftp/ftp/internal/netem"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sink is a TCP server that answers each connection with a fixed payload
// and counts what it reads.
type sink struct {
	ln      net.Listener
	payload []byte
	got     chan int64 // bytes read from each connection, when it ends
}

func newSink(t *testing.T, payload []byte) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{ln: ln, payload: payload, got: make(chan int64, 16)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				go c.Write(s.payload)
				n, _ := io.Copy(io.Discard, c)
				s.got <- n
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return s
}

func newProxy(t *testing.T, target string, shape netem.Shape) *netem.Proxy {
	t.Helper()
	p, err := netem.New(target, shape)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func dial(t *testing.T, p *netem.Proxy) net.Conn {
	t.Helper()
	c, err := p.DialContext(context.Background(), "tcp", p.Target())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestCloseAfterBytesDownstream(t *testing.T) {
	payload := bytes.Repeat([]byte("x"), 100_000)
	s := newSink(t, payload)
	p := newProxy(t, s.ln.Addr().String(), netem.Shape{})
	p.FaultControl(netem.Fault{Kind: netem.Close, After: 12_345, Dir: netem.Downstream})
	c := dial(t, p)
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read: %v (a Close fault ends with a FIN, not an error)", err)
	}
	if len(got) != 12_345 {
		t.Fatalf("got %d bytes, want the 12345 before the cut", len(got))
	}
}

func TestResetAfterBytes(t *testing.T) {
	s := newSink(t, bytes.Repeat([]byte("x"), 100_000))
	p := newProxy(t, s.ln.Addr().String(), netem.Shape{})
	p.FaultControl(netem.Fault{Kind: netem.Reset, After: 5000, Dir: netem.Downstream})
	c := dial(t, p)
	got, err := io.ReadAll(c)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read: %v, want a reset", err)
	}
	if len(got) > 5000 {
		t.Fatalf("got %d bytes, more than the 5000 before the reset", len(got))
	}
}

func TestUpstreamCloseGivesServerCleanEnd(t *testing.T) {
	s := newSink(t, nil)
	p := newProxy(t, s.ln.Addr().String(), netem.Shape{})
	p.FaultControl(netem.Fault{Kind: netem.Close, After: 7000, Dir: netem.Upstream})
	c := dial(t, p)
	go func() {
		c.Write(bytes.Repeat([]byte("y"), 1<<20))
	}()
	select {
	case n := <-s.got:
		if n != 7000 {
			t.Fatalf("server read %d bytes, want 7000 then a clean end", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server never saw the end of the connection")
	}
}

func TestStall(t *testing.T) {
	s := newSink(t, bytes.Repeat([]byte("z"), 3000))
	p := newProxy(t, s.ln.Addr().String(), netem.Shape{})
	p.FaultControl(netem.Fault{Kind: netem.Stall, After: 1000, Dir: netem.Downstream, Stall: 300 * time.Millisecond})
	c := dial(t, p)
	buf := make([]byte, 3000)
	if _, err := io.ReadFull(c, buf[:1000]); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := io.ReadFull(c, buf[1000:]); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Fatalf("the rest came after %v, want the 300ms stall", d)
	}
}

func TestRefuseFor(t *testing.T) {
	s := newSink(t, []byte("hello"))
	p := newProxy(t, s.ln.Addr().String(), netem.Shape{})
	p.RefuseFor(time.Hour)
	// The reset may come while connecting or at the first read.
	c, err := net.Dial("tcp", p.Addr())
	if err == nil {
		defer c.Close()
		_, err = io.ReadAll(c)
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("refused connection: %v, want a reset", err)
	}
	if got := p.Stats().Refused; got != 1 {
		t.Fatalf("Refused = %d, want 1", got)
	}
}

func TestRoundTripAndRate(t *testing.T) {
	s := newSink(t, bytes.Repeat([]byte("r"), 200_000))
	p := newProxy(t, s.ln.Addr().String(), netem.Shape{RoundTrip: 100 * time.Millisecond, Rate: 1 << 20})
	start := time.Now()
	c := dial(t, p)
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("first byte after %v, want at least half the 100ms round trip", d)
	}
	if _, err := io.ReadFull(c, make([]byte, 200_000-1)); err != nil {
		t.Fatal(err)
	}
	// 200 kB at 1 MiB/s is about 190 ms.
	if d := time.Since(start); d < 180*time.Millisecond {
		t.Fatalf("200 kB in %v, faster than the 1 MiB/s cap", d)
	}
}

// TestFTPThroughAddr runs real transfers through the proxy's own address,
// where it rewrites PASV, EPSV, PORT and EPRT, in every data mode.
func TestFTPThroughAddr(t *testing.T) {
	srv := ftptest.New(t, ftptest.Options{Users: map[string]string{"u": "p"}})
	for _, tc := range []struct {
		name string
		d    ftp.Dialer
	}{
		{"EPSV", ftp.Dialer{}},
		{"PASV", ftp.Dialer{DisableEPSV: true}},
		{"EPRT", ftp.Dialer{Active: true}},
		{"PORT", ftp.Dialer{Active: true, DisableEPSV: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProxy(t, srv.Addr(), netem.Shape{RoundTrip: 10 * time.Millisecond})
			roundTrip(t, tc.d, p.Addr())
			if st := p.Stats(); st.TotalData != 2 || st.TotalControl != 1 {
				t.Fatalf("stats %+v: want 1 control and 2 data connections through the proxy", st)
			}
		})
	}
}

// TestFTPSThroughDialContext relays an explicit-TLS session, data
// connections included, below TLS.
func TestFTPSThroughDialContext(t *testing.T) {
	srv := ftptest.New(t, ftptest.Options{Users: map[string]string{"u": "p"}, TLS: ftptest.TLSExplicit, RequireSessionReuse: true})
	p := newProxy(t, srv.Addr(), netem.Shape{RoundTrip: 10 * time.Millisecond})
	roundTrip(t, ftp.Dialer{TLS: ftp.TLSExplicit, TLSConfig: srv.ClientTLSConfig(), DialContext: p.DialContext}, srv.Addr())
	if st := p.Stats(); st.TotalData != 2 || st.TotalControl != 1 {
		t.Fatalf("stats %+v: want 1 control and 2 data connections through the proxy", st)
	}
}

// TestFTPDataFault cuts an FTP data connection after N bytes: the client
// gets exactly those bytes and then the end of the stream. (Whether it
// notices the loss depends on the server's reply and announced size: the
// ftp package's tests judge that.)
func TestFTPDataFault(t *testing.T) {
	srv := ftptest.New(t, ftptest.Options{Users: map[string]string{"u": "p"}})
	p := newProxy(t, srv.Addr(), netem.Shape{})
	ctx := context.Background()
	c, err := (&ftp.Dialer{DialContext: p.DialContext}).Dial(ctx, srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "u", "p"); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789"), 50_000)
	if err := c.Store(ctx, "f", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	p.FaultData(netem.Fault{Kind: netem.Close, After: 100_000, Dir: netem.Downstream})
	d, err := c.Retrieve(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(d)
	d.Close()
	if len(got) != 100_000 {
		t.Fatalf("got %d bytes through a data connection cut after 100000", len(got))
	}
}

func roundTrip(t *testing.T, d ftp.Dialer, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := d.Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "u", "p"); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("ferry "), 40_000)
	if err := c.Store(ctx, "file", bytes.NewReader(data)); err != nil {
		t.Fatalf("store: %v", err)
	}
	dl, err := c.Retrieve(ctx, "file")
	if err != nil {
		t.Fatalf("retrieve: %v", err)
	}
	got, err := io.ReadAll(dl)
	if err != nil {
		t.Fatal(err)
	}
	if err := dl.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes back, want the %d stored", len(got), len(data))
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestZeroFaultDisarms(t *testing.T) {
	payload := bytes.Repeat([]byte("d"), 50_000)
	s := newSink(t, payload)
	p := newProxy(t, s.ln.Addr().String(), netem.Shape{})
	p.FaultControl(netem.Fault{Kind: netem.Reset, After: 10})
	p.FaultControl(netem.Fault{})
	c := dial(t, p)
	if _, err := io.ReadFull(c, make([]byte, len(payload))); err != nil {
		t.Fatalf("read: %v: a disarmed fault struck", err)
	}
}

// TestCloseEndsStalledDataLinks: Close must not wait for a stall that
// never ends, on a data connection as on a control connection.
func TestCloseEndsStalledDataLinks(t *testing.T) {
	s := newSink(t, bytes.Repeat([]byte("s"), 10_000))
	p, err := netem.New(s.ln.Addr().String(), netem.Shape{})
	if err != nil {
		t.Fatal(err)
	}
	p.FaultData(netem.Fault{Kind: netem.Stall, After: 100, Dir: netem.Downstream})
	c, err := p.DialContext(context.Background(), "tcp", "127.0.0.1:1") // not the target: a data link
	if err == nil {
		c.Close()
		t.Fatal("dial to a closed port succeeded")
	}
	c, err = p.DialContext(context.Background(), "tcp", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p.FaultControl(netem.Fault{Kind: netem.Stall, After: 100, Dir: netem.Downstream})
	c2 := dial(t, p)
	if _, err := io.ReadFull(c2, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Close() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a stall that never ends")
	}
}
