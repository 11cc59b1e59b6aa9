package ftp_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

// TestMain checks that no test leaves a goroutine behind: a Conn starts
// goroutines for active-mode accepts, TLS data handshakes and context
// watchers, and each must end with the call or the Conn.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeTimeout bounds every test that talks to a fake, so a client that
// waits for something the script never sends fails instead of hanging.
const fakeTimeout = 10 * time.Second

func fakeCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fakeTimeout)
	t.Cleanup(cancel)
	return ctx
}

// quickDialer has timeouts short enough that failure paths end within a
// test's budget but long enough that a loaded -race run does not trip them
// on the paths that must succeed.
func quickDialer() *ftp.Dialer {
	return &ftp.Dialer{
		Timeout:      5 * time.Second,
		ReplyTimeout: 5 * time.Second,
		DataTimeout:  5 * time.Second,
		AbortTimeout: 3 * time.Second,
	}
}

// dialFake connects to srv with d (quickDialer if nil) and closes the Conn
// when the test ends, before the fake checks its script.
func dialFake(t *testing.T, srv *fakeftp.Server, d *ftp.Dialer) *ftp.Conn {
	t.Helper()
	if d == nil {
		d = quickDialer()
	}
	c, err := d.Dial(fakeCtx(t), srv.Addr())
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// steps flattens Steps and []Steps into one Script, so that shared
// sequences such as a login can be spliced into a test's script.
func steps(parts ...any) fakeftp.Script {
	var sc fakeftp.Script
	for _, p := range parts {
		switch v := p.(type) {
		case fakeftp.Step:
			sc = append(sc, v)
		case []fakeftp.Step:
			sc = append(sc, v...)
		case fakeftp.Script:
			sc = append(sc, v...)
		default:
			panic("steps: not a Step")
		}
	}
	return sc
}

var welcome = fakeftp.Reply("220 welcome")

// anonLogin is the exchange of Login(ctx, "", "") with a server that has no
// features: FEAT is refused, so nothing else is negotiated.
func anonLogin() []fakeftp.Step {
	return []fakeftp.Step{
		fakeftp.Expect("USER anonymous"),
		fakeftp.Reply("331 password please"),
		fakeftp.Expect("PASS anonymous@"),
		fakeftp.Reply("230 logged in"),
		fakeftp.Expect("FEAT"),
		fakeftp.Reply("500 FEAT not understood"),
	}
}

// noop is NOOP answered 200: the check that a Conn is still in step, since
// a stale reply left by an earlier command would be read in its place.
func noop() []fakeftp.Step {
	return []fakeftp.Step{fakeftp.Expect("NOOP"), fakeftp.Reply("200 NOOP ok")}
}

// pwdSteps answers PWD with a path no other reply in a script carries, so
// that reading it proves the Conn is in step: unlike NOOP, which accepts
// any 2xx, a stale reply cannot pass for it.
func pwdSteps(path string) []fakeftp.Step {
	return []fakeftp.Step{fakeftp.Expect("PWD"), fakeftp.Reply(`257 "` + path + `" is the current directory`)}
}

// checkInStep asserts that the Conn reads PWD's own reply.
func checkInStep(t *testing.T, c *ftp.Conn, want string) {
	t.Helper()
	got, err := c.CurrentDir(fakeCtx(t))
	if err != nil {
		t.Fatalf("CurrentDir after the failure: %v", err)
	}
	if got != want {
		t.Fatalf("CurrentDir = %q, want %q: the Conn is out of step", got, want)
	}
}

// checkBroken asserts that every later call on c fails with ErrBroken.
func checkBroken(t *testing.T, c *ftp.Conn) {
	t.Helper()
	ctx := fakeCtx(t)
	if err := c.NoOp(ctx); !errors.Is(err, ftp.ErrBroken) {
		t.Errorf("NoOp after the failure = %v, want ErrBroken", err)
	}
	if _, err := c.CurrentDir(ctx); !errors.Is(err, ftp.ErrBroken) {
		t.Errorf("CurrentDir after the failure = %v, want ErrBroken", err)
	}
	if _, err := c.Retrieve(ctx, "f"); !errors.Is(err, ftp.ErrBroken) {
		t.Errorf("Retrieve after the failure = %v, want ErrBroken", err)
	}
}

// waitFake waits for the fake's scripts to end and fails on their errors.
func waitFake(t *testing.T, srv *fakeftp.Server) {
	t.Helper()
	select {
	case <-srv.Done():
	case <-time.After(fakeTimeout):
		t.Fatal("fake server did not finish its script")
	}
	if err := srv.Err(); err != nil {
		t.Fatal(err)
	}
}

// readAll reads a Download to its end and closes it.
func readAll(t *testing.T, d *ftp.Download) ([]byte, error) {
	t.Helper()
	b, err := io.ReadAll(d)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return b, err
}

// retrieve downloads path from offset, returning the data and the first error.
func retrieve(ctx context.Context, c *ftp.Conn, path string, offset int64) ([]byte, error) {
	d, err := c.RetrieveFrom(ctx, path, offset)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(d)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return b, err
}

// dialRecorder is a Dialer.DialContext that records every address dialled
// and either dials it for real or refuses it.
type dialRecorder struct {
	mu     sync.Mutex
	addrs  []string
	refuse func(addr string) error // nil: dial every address
}

func (r *dialRecorder) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	r.mu.Lock()
	r.addrs = append(r.addrs, addr)
	refuse := r.refuse
	r.mu.Unlock()
	if refuse != nil {
		if err := refuse(addr); err != nil {
			return nil, err
		}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func (r *dialRecorder) dialled() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.addrs...)
}

// received returns the lines the fake got, with any Telnet prefix kept.
func received(srv *fakeftp.Server) string { return strings.Join(srv.Received(), "\n") }
