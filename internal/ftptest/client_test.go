package ftptest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// ioTimeout keeps a broken server from hanging the tests.
const ioTimeout = 10 * time.Second

// rawClient is a minimal FTP client on net/textproto and crypto/tls, so the
// server can be tested without the real client package.
type rawClient struct {
	t       testing.TB
	conn    net.Conn
	tp      *textproto.Conn
	tlsCfg  *tls.Config // control connection's TLS config
	dataCfg *tls.Config // data connections' TLS config; PROT P when non-nil
}

// dial connects and reads the greeting. With implicit TLS, cfg is used at
// once; otherwise it is kept for authTLS.
func dial(t testing.TB, s *Server, cfg *tls.Config) *rawClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.Addr(), ioTimeout)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c := &rawClient{t: t, conn: conn, tlsCfg: cfg}
	t.Cleanup(func() { _ = c.conn.Close() })
	if s.TLSMode() == TLSImplicit {
		tc := tls.Client(conn, cfg)
		c.conn = tc
		c.dataCfg = cfg
	}
	c.tp = textproto.NewConn(c.conn)
	c.expect(220)
	return c
}

// send writes a command and returns the reply without checking it.
func (c *rawClient) send(format string, args ...any) (int, string, error) {
	c.t.Helper()
	_ = c.conn.SetDeadline(time.Now().Add(ioTimeout))
	if err := c.tp.PrintfLine(format, args...); err != nil {
		return 0, "", err
	}
	return c.read()
}

func (c *rawClient) read() (int, string, error) {
	_ = c.conn.SetDeadline(time.Now().Add(ioTimeout))
	code, msg, err := c.tp.ReadResponse(0)
	var terr *textproto.Error
	if err != nil && !errors.As(err, &terr) {
		return 0, "", err
	}
	return code, msg, nil
}

// cmd sends a command and fails the test unless the reply has code want.
func (c *rawClient) cmd(want int, format string, args ...any) string {
	c.t.Helper()
	code, msg, err := c.send(format, args...)
	if err != nil {
		c.t.Fatalf("%s: %v", redact(format, args...), err)
	}
	if code != want {
		c.t.Fatalf("%s: got %d %s, want %d", redact(format, args...), code, msg, want)
	}
	return msg
}

func redact(format string, args ...any) string {
	line := fmt.Sprintf(format, args...)
	if strings.HasPrefix(line, "PASS ") {
		return "PASS ****"
	}
	return line
}

// expect reads one reply and checks its code.
func (c *rawClient) expect(want int) string {
	c.t.Helper()
	code, msg, err := c.read()
	if err != nil {
		c.t.Fatalf("reading reply: %v", err)
	}
	if code != want {
		c.t.Fatalf("got %d %s, want %d", code, msg, want)
	}
	return msg
}

func (c *rawClient) login(user, pass string) {
	c.t.Helper()
	c.cmd(331, "USER %s", user)
	c.cmd(230, "PASS %s", pass)
	c.cmd(200, "TYPE I")
}

// authTLS upgrades the control connection and sets PROT P with the same
// config for data connections.
func (c *rawClient) authTLS() {
	c.t.Helper()
	c.cmd(234, "AUTH TLS")
	tc := tls.Client(c.conn, c.tlsCfg)
	_ = tc.SetDeadline(time.Now().Add(ioTimeout))
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("control TLS handshake: %v", err)
	}
	c.conn = tc
	c.tp = textproto.NewConn(tc)
}

func (c *rawClient) protP() {
	c.t.Helper()
	c.cmd(200, "PBSZ 0")
	c.cmd(200, "PROT P")
	c.dataCfg = c.tlsCfg
}

// result is the outcome of one transfer.
type result struct {
	data    []byte
	dataErr error  // error on the data connection (handshake, read, write)
	mark    int    // the 1xx reply, or the error reply if no 1xx came
	code    int    // the final reply, 0 if none
	msg     string // its text
	readErr error  // reading the final reply failed (e.g. hang-up)
}

// transfer runs one data command over EPSV (or PASV when pasv is set);
// upload != nil sends it.
func (c *rawClient) transfer(command string, upload []byte, pasv bool) result {
	c.t.Helper()
	var addr string
	if pasv {
		msg := c.cmd(227, "PASV")
		addr = pasvAddr(c.t, msg)
	} else {
		msg := c.cmd(229, "EPSV")
		addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(epsvPort(c.t, msg)))
	}
	raw, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		c.t.Fatalf("data dial: %v", err)
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(ioTimeout))
	return c.runData(command, upload, func() (net.Conn, error) { return raw, nil })
}

// transferActive runs one data command over EPRT: the server dials back.
func (c *rawClient) transferActive(command string, upload []byte) result {
	c.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		c.t.Fatal(err)
	}
	defer ln.Close()
	c.cmd(200, "EPRT |1|127.0.0.1|%d|", ln.Addr().(*net.TCPAddr).Port)
	var raw net.Conn
	defer func() {
		if raw != nil {
			_ = raw.Close()
		}
	}()
	return c.runData(command, upload, func() (net.Conn, error) {
		_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(ioTimeout))
		raw, err = ln.Accept()
		if err == nil {
			_ = raw.SetDeadline(time.Now().Add(ioTimeout))
		}
		return raw, err
	})
}

// runData sends command and, after the 1xx mark, moves data over the
// connection that open returns.
func (c *rawClient) runData(command string, upload []byte, open func() (net.Conn, error)) result {
	c.t.Helper()
	var r result
	code, msg, err := c.send("%s", command)
	if err != nil {
		c.t.Fatalf("%s: %v", command, err)
	}
	r.mark = code
	if code/100 != 1 {
		r.code, r.msg = code, msg
		return r
	}
	raw, err := open()
	if err != nil {
		c.t.Fatalf("%s: data connection: %v", command, err)
	}
	var dc net.Conn = raw
	if c.dataCfg != nil {
		tc := tls.Client(raw, c.dataCfg)
		r.dataErr = tc.Handshake()
		dc = tc
	}
	if r.dataErr == nil {
		if upload != nil {
			// Half-close, then drain until the server closes: closing with
			// unread TLS 1.3 tickets would reset the connection under it.
			_, r.dataErr = dc.Write(upload)
			if r.dataErr == nil {
				r.dataErr = dc.(interface{ CloseWrite() error }).CloseWrite()
			}
			if r.dataErr == nil {
				_, r.dataErr = io.Copy(io.Discard, dc)
			}
		} else {
			r.data, r.dataErr = io.ReadAll(dc)
		}
	}
	_ = dc.Close()
	r.code, r.msg, r.readErr = c.read()
	return r
}

func (c *rawClient) quit() {
	c.t.Helper()
	c.cmd(221, "QUIT")
}

func epsvPort(t testing.TB, msg string) int {
	t.Helper()
	i := strings.Index(msg, "(|||")
	j := strings.LastIndex(msg, "|)")
	if i < 0 || j < i+4 {
		t.Fatalf("bad EPSV reply %q", msg)
	}
	p, err := strconv.Atoi(msg[i+4 : j])
	if err != nil {
		t.Fatalf("bad EPSV reply %q", msg)
	}
	return p
}

func pasvAddr(t testing.TB, msg string) string {
	t.Helper()
	i, j := strings.Index(msg, "("), strings.Index(msg, ")")
	if i < 0 || j < i {
		t.Fatalf("bad PASV reply %q", msg)
	}
	ap, ok := parsePORTArg(msg[i+1 : j])
	if !ok {
		t.Fatalf("bad PASV reply %q", msg)
	}
	return ap.String()
}

// pinnedCache is a "pinned" client strategy: after Freeze it keeps the
// session it holds and ignores new tickets, so every data connection
// resumes the control connection's session.
type pinnedCache struct {
	mu     sync.Mutex
	inner  tls.ClientSessionCache
	frozen bool
}

func (p *pinnedCache) Get(key string) (*tls.ClientSessionState, bool) {
	return p.inner.Get(key)
}

func (p *pinnedCache) Put(key string, cs *tls.ClientSessionState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.frozen && cs != nil {
		return
	}
	p.inner.Put(key, cs)
}

func (p *pinnedCache) Freeze() {
	p.mu.Lock()
	p.frozen = true
	p.mu.Unlock()
}

// syncBuffer is a bytes.Buffer safe for the server's logging goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
