package ftptest

import (
	"bytes"
	"crypto/tls"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// ioTimeout bounds the tests' own network steps.
const ioTimeout = RawTimeout

// rawClient is the kit's RawConn for a test: every failure it does not
// return fails the test.
type rawClient struct {
	*RawConn
	t   testing.TB
	cfg *tls.Config
}

// dial connects and reads the greeting. With implicit TLS, cfg is used at
// once; otherwise it is kept for authTLS.
func dial(t testing.TB, s *Server, cfg *tls.Config) *rawClient {
	t.Helper()
	rc, err := DialRaw(s.Addr(), cfg, s.TLSMode() == TLSImplicit)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = rc.Close() })
	return &rawClient{RawConn: rc, t: t, cfg: cfg}
}

// send writes a command and returns the reply without checking it.
func (c *rawClient) send(format string, args ...any) (int, string, error) {
	return c.Send(format, args...)
}

func (c *rawClient) read() (int, string, error) { return c.Read() }

// cmd sends a command and fails the test unless the reply has code want.
func (c *rawClient) cmd(want int, format string, args ...any) string {
	c.t.Helper()
	msg, err := c.Cmd(want, format, args...)
	if err != nil {
		c.t.Fatal(err)
	}
	return msg
}

// expect reads one reply and checks its code.
func (c *rawClient) expect(want int) string {
	c.t.Helper()
	msg, err := c.Expect(want)
	if err != nil {
		c.t.Fatal(err)
	}
	return msg
}

func (c *rawClient) login(user, pass string) {
	c.t.Helper()
	c.cmd(331, "USER %s", user)
	c.cmd(230, "PASS %s", pass)
	c.cmd(200, "TYPE I")
}

// authTLS upgrades the control connection.
func (c *rawClient) authTLS() {
	c.t.Helper()
	if err := c.AuthTLS(); err != nil {
		c.t.Fatal(err)
	}
}

// protP protects data connections with the control connection's config.
func (c *rawClient) protP() {
	c.t.Helper()
	if err := c.ProtectData(); err != nil {
		c.t.Fatal(err)
	}
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
	mode := EPSV
	if pasv {
		mode = PASV
	}
	return c.run(mode, command, upload)
}

// transferActive runs one data command over EPRT: the server dials back.
func (c *rawClient) transferActive(command string, upload []byte) result {
	c.t.Helper()
	return c.run(EPRT, command, upload)
}

func (c *rawClient) run(mode DataMode, command string, upload []byte) result {
	c.t.Helper()
	r, err := c.Transfer(mode, upload, command)
	if err != nil {
		c.t.Fatal(err)
	}
	return result{data: r.Data, dataErr: r.DataErr, mark: r.Mark, code: r.Code, msg: r.Msg, readErr: r.ReadErr}
}

func (c *rawClient) quit() {
	c.t.Helper()
	c.cmd(221, "QUIT")
}

func epsvPort(t testing.TB, msg string) int {
	t.Helper()
	p, err := ParseEPSV(msg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pasvAddr(t testing.TB, msg string) string {
	t.Helper()
	addr, err := ParsePASV(msg)
	if err != nil {
		t.Fatal(err)
	}
	return addr
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
