package fakeftp_test

import (
	"fmt"
	"net"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ferryftp/ftp/internal/fakeftp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// client dials srv and returns a textproto client whose every read and write
// must finish within 10 s, so a broken fake fails the test instead of hanging it.
func client(t *testing.T, srv *fakeftp.Server) (*textproto.Conn, net.Conn) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", srv.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	c := textproto.NewConn(nc)
	t.Cleanup(func() { c.Close() })
	return c, nc
}

// readLine reads one raw reply line, failing the test on error.
func readLine(t *testing.T, c *textproto.Conn) string {
	t.Helper()
	l, err := c.ReadLine()
	if err != nil {
		t.Fatalf("reading reply: %v", err)
	}
	return l
}

func send(t *testing.T, c *textproto.Conn, line string) {
	t.Helper()
	if err := c.PrintfLine("%s", line); err != nil {
		t.Fatalf("sending %q: %v", line, err)
	}
}

// pasvAddr returns the 127.0.0.1 address for the port in a 227 reply.
func pasvAddr(t *testing.T, reply string) string {
	t.Helper()
	i, j := strings.IndexByte(reply, '('), strings.IndexByte(reply, ')')
	if i < 0 || j < i {
		t.Fatalf("no (h,p) in %q", reply)
	}
	f := strings.Split(reply[i+1:j], ",")
	if len(f) != 6 {
		t.Fatalf("bad 227 %q", reply)
	}
	p1, _ := strconv.Atoi(f[4])
	p2, _ := strconv.Atoi(f[5])
	return fmt.Sprintf("127.0.0.1:%d", p1<<8|p2)
}

// epsvPort returns the port of a 229 reply.
func epsvPort(t *testing.T, reply string) string {
	t.Helper()
	i := strings.Index(reply, "(|||")
	j := strings.LastIndex(reply, "|)")
	if i < 0 || j < i {
		t.Fatalf("bad 229 %q", reply)
	}
	return reply[i+4 : j]
}

func dialData(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// recorder is a testing.TB that records Errorf calls and holds cleanups
// until finish, so tests can check what the fake reports.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func newRecorder(t *testing.T) *recorder { return &recorder{TB: t} }

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

// finish runs the cleanups as the end of a test would and returns the errors.
func (r *recorder) finish() []string {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	r.cleanups = nil
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errs
}

// wantReport checks that finish reports exactly one error holding every part.
func wantReport(t *testing.T, r *recorder, parts ...string) {
	t.Helper()
	errs := r.finish()
	if len(errs) != 1 {
		t.Fatalf("got %d reports, want 1: %q", len(errs), errs)
	}
	for _, p := range parts {
		if !strings.Contains(errs[0], p) {
			t.Errorf("report %q lacks %q", errs[0], p)
		}
	}
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o600) }
