package integration

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"go.uber.org/goleak"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/ftpfs"
)

// fsTree is written below a scratch directory for fstest.TestFS.
var fsTree = map[string]string{
	"hello.txt":      "hello, world\n",
	"empty":          "",
	"a/b/c/deep.txt": "deep",
	"a/one":          "1",
	"a/two":          "22",
	"big":            string(pseudoRandom(100 << 10)),
	"with space/x y": "spaces",
}

// TestClientFS runs fstest.TestFS on ftpfs over a Client of every daemon,
// plain and with TLS.
func TestClientFS(t *testing.T) {
	for _, kind := range Kinds {
		for _, mode := range []TLSMode{Plain, Explicit} {
			t.Run(fmt.Sprintf("%v/%v", kind, mode), func(t *testing.T) {
				in := Start(t, kind, mode)
				ftpDir, localDir := in.Scratch(t)
				var names []string
				for name, content := range fsTree {
					p := filepath.Join(localDir, filepath.FromSlash(name))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
						t.Fatal(err)
					}
					names = append(names, name)
				}
				os.Mkdir(filepath.Join(localDir, "emptydir"), 0o755)
				c := &ftp.Client{Addr: in.Addr, User: in.User, Password: in.Password, Dialer: dialer(in, 0), MaxConns: 2}
				defer c.Close()
				sub, err := fs.Sub(ftpfs.New(c), ftpDir[1:])
				if err != nil {
					t.Fatal(err)
				}
				if err := fstest.TestFS(sub, names...); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// countingDialer counts the control connections open at once.
type countingDialer struct {
	addr       string
	open, peak atomic.Int64
}

func (d *countingDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	c, err := nd.DialContext(ctx, network, addr)
	if err != nil || addr != d.addr {
		return c, err
	}
	n := d.open.Add(1)
	for p := d.peak.Load(); n > p && !d.peak.CompareAndSwap(p, n); p = d.peak.Load() {
	}
	return &countedConn{Conn: c, d: d}, nil
}

type countedConn struct {
	net.Conn
	d    *countingDialer
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.d.open.Add(-1) })
	return c.Conn.Close()
}

// clientWork runs goroutines × ops mixed operations through c, each
// goroutine in a directory of its own below dir: put, rename, stat, get,
// list, delete. It returns every failure.
func clientWork(ctx context.Context, c *ftp.Client, dir string, goroutines, ops int) []error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			fail := func(op string, err error) {
				mu.Lock()
				errs = append(errs, fmt.Errorf("goroutine %d: %s: %w", g, op, err))
				mu.Unlock()
			}
			dir := path.Join(dir, fmt.Sprintf("g%d", g))
			if err := c.Mkdir(ctx, dir); err != nil {
				fail("mkdir", err)
				return
			}
			tmp, name := path.Join(dir, "f.tmp"), path.Join(dir, "f")
			var want []byte
			for i := range ops {
				switch i % 6 {
				case 0:
					want = pseudoRandom(1000 + g*7 + i)
					w, err := c.Create(ctx, tmp)
					if err != nil {
						fail("put", err)
						return
					}
					w.Write(want)
					if err := w.Close(); err != nil {
						fail("put", err)
						return
					}
				case 1:
					if err := c.Rename(ctx, tmp, name); err != nil {
						fail("rename", err)
						return
					}
				case 2:
					fi, err := c.Stat(ctx, name)
					if err != nil || fi.Size() != int64(len(want)) {
						fail("stat", errors.Join(err, fmt.Errorf("got %v, want size %d", fi, len(want))))
						return
					}
				case 3:
					f, err := c.Open(ctx, name)
					if err != nil {
						fail("get", err)
						return
					}
					b, err := io.ReadAll(f)
					f.Close()
					if err != nil || string(b) != string(want) {
						fail("get", errors.Join(err, fmt.Errorf("got %d bytes, want %d", len(b), len(want))))
						return
					}
				case 4:
					if _, err := c.ReadDir(ctx, dir); err != nil {
						fail("list", err)
						return
					}
				case 5:
					if err := c.Remove(ctx, name); err != nil {
						fail("delete", err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	return errs
}

// TestClientStress: 64 goroutines × 500 operations through one Client
// against each daemon configured to accept 4 connections per client: no
// failure, never more than 4 connections, no goroutine left.
func TestClientStress(t *testing.T) {
	goroutines, ops := 64, 500
	if testing.Short() {
		goroutines, ops = 16, 60
	}
	// The daemons run side by side; the goroutine check is made once all
	// are done, since each subtest's Client is one of several running.
	instances := map[Kind]*Instance{}
	for _, kind := range Kinds {
		instances[kind] = StartLimited(t, kind, Plain, 4)
	}
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			in := instances[kind]
			ftpDir, _ := in.Scratch(t)
			cd := &countingDialer{addr: in.Addr}
			var limits []ftp.PoolLimitInfo
			var mu sync.Mutex
			d := dialer(in, 0)
			d.DialContext = cd.dial
			d.Trace = &ftp.Trace{PoolLimitChanged: func(_ context.Context, info ftp.PoolLimitInfo) {
				mu.Lock()
				limits = append(limits, info)
				mu.Unlock()
			}}
			c := &ftp.Client{Addr: in.Addr, User: in.User, Password: in.Password, Dialer: d, MaxConns: 4}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			start := time.Now()
			errs := clientWork(ctx, c, ftpDir, goroutines, ops)
			elapsed := time.Since(start)
			c.Close()
			for i, err := range errs {
				if i == 10 {
					t.Errorf("and %d more", len(errs)-10)
					break
				}
				t.Error(err)
			}
			if p := cd.peak.Load(); p > 4 {
				t.Errorf("%d control connections open at once", p)
			}
			if n := cd.open.Load(); n != 0 {
				t.Errorf("%d control connections open after Close", n)
			}
			t.Logf("%d operations in %v (%.0f/s), peak %d connections, limit changes %v",
				goroutines*ops, elapsed.Round(time.Millisecond), float64(goroutines*ops)/elapsed.Seconds(), cd.peak.Load(), limits)
		})
	}
}

// TestClientAdaptsToDaemonLimit: a daemon that accepts 2 connections per
// client, a Client allowed 8: the refusals lower the limit, no operation
// fails.
func TestClientAdaptsToDaemonLimit(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			in := StartLimited(t, kind, Plain, 2)
			ftpDir, _ := in.Scratch(t)
			var mu sync.Mutex
			var limits []ftp.PoolLimitInfo
			d := dialer(in, 0)
			d.Trace = &ftp.Trace{PoolLimitChanged: func(_ context.Context, info ftp.PoolLimitInfo) {
				mu.Lock()
				limits = append(limits, info)
				mu.Unlock()
			}}
			c := &ftp.Client{Addr: in.Addr, User: in.User, Password: in.Password, Dialer: d, MaxConns: 8}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			for _, err := range clientWork(ctx, c, ftpDir, 16, 24) {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(limits) == 0 || limits[0].Limit > 2 || limits[0].Reason == nil {
				t.Fatalf("limit changes %v: want the first lowering the limit to 2 or less, with the refusal", limits)
			}
			t.Logf("refusal: %v; limit changes: %d", limits[0].Reason, len(limits))
		})
	}
}

// TestClientWalkDirSymlinkLoop: a symbolic link to a parent directory
// does not send WalkDir round forever on any daemon, whether it lists the
// link as a link (not followed) or as the directory (a loop, reported).
func TestClientWalkDirSymlinkLoop(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			in := Start(t, kind, Plain)
			ftpDir, localDir := in.Scratch(t)
			os.MkdirAll(filepath.Join(localDir, "a", "b"), 0o755)
			os.WriteFile(filepath.Join(localDir, "a", "b", "f"), []byte("f"), 0o644)
			if err := os.Symlink("..", filepath.Join(localDir, "a", "b", "up")); err != nil {
				t.Fatal(err)
			}
			c := &ftp.Client{Addr: in.Addr, User: in.User, Password: in.Password, Dialer: dialer(in, 0), MaxConns: 2}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var visited, loops []string
			var upType fs.FileMode
			err := c.WalkDir(ctx, ftpDir, func(p string, d fs.DirEntry, err error) error {
				if errors.Is(err, ftp.ErrLoop) {
					loops = append(loops, p[len(ftpDir):])
					return nil
				}
				if err != nil {
					return err
				}
				if d.Name() == "up" {
					upType = d.Type()
				}
				visited = append(visited, p[len(ftpDir):])
				if len(visited) > 100 {
					return fmt.Errorf("walk does not end: %v", visited[:20])
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Join(visited, " "), " /a /a/b /a/b/f /a/b/up"; got != want {
				t.Errorf("visited %q, want %q", got, want)
			}
			switch {
			case upType&fs.ModeSymlink != 0 && len(loops) == 0:
				t.Logf("the link is listed as a link, not followed")
			case upType.IsDir() && strings.Join(loops, " ") == "/a/b/up":
				t.Logf("the link is listed as its target directory: loop found")
			default:
				t.Errorf("up is %v and loops %v: want a link, or a directory reported as a loop", upType, loops)
			}
		})
	}
}
