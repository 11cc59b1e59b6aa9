package ftp_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
	"github.com/ferryftp/ftp/internal/ftptest"
)

// limitProxy relays control connections to a server but, like a server
// configured with a per-address limit, refuses those beyond limit: with
// 421 at the greeting (vsftpd, Pure-FTPd), 530 to USER (ProFTPD), or a
// reset before the greeting. Data connections go straight to the server.
type limitProxy struct {
	t      *testing.T
	ln     net.Listener
	target string
	mode   string // "421", "530" or "reset"

	mu      sync.Mutex
	limit   int
	active  int
	peak    int
	refused int
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
}

func startLimitProxy(t *testing.T, target string, limit int, mode string) *limitProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &limitProxy{t: t, ln: ln, target: target, mode: mode, limit: limit, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *limitProxy) Addr() string { return p.ln.Addr().String() }

func (p *limitProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		ok := p.active < p.limit
		if ok {
			p.active++
			p.peak = max(p.peak, p.active)
		} else {
			p.refused++
		}
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(1)
		if ok {
			go p.relay(c)
		} else {
			go p.refuse(c)
		}
	}
}

func (p *limitProxy) forget(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *limitProxy) refuse(c net.Conn) {
	defer p.wg.Done()
	defer p.forget(c)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	switch p.mode {
	case "421":
		io.WriteString(c, "421 There are too many connections from your internet address.\r\n")
	case "530":
		io.WriteString(c, "220 ProFTPD Server ready.\r\n")
		bufio.NewReader(c).ReadString('\n')
		io.WriteString(c, fmt.Sprintf("530 Sorry, the maximum number of clients (%d) from your host are already connected.\r\n", p.limit))
	case "reset":
		c.(*net.TCPConn).SetLinger(0)
	}
}

func (p *limitProxy) relay(c net.Conn) {
	defer p.wg.Done()
	defer func() {
		p.forget(c)
		p.mu.Lock()
		p.active--
		p.mu.Unlock()
	}()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.conns[s] = struct{}{}
	p.mu.Unlock()
	defer p.forget(s)
	done := make(chan struct{})
	go func() {
		io.Copy(s, c)
		s.Close()
		close(done)
	}()
	io.Copy(c, s)
	c.Close()
	<-done
}

// kill closes every relayed connection, as a server that drops idle
// sessions does.
func (p *limitProxy) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func (p *limitProxy) setLimit(n int) {
	p.mu.Lock()
	p.limit = n
	p.peak = 0
	p.mu.Unlock()
}

func (p *limitProxy) stats() (peak, refused int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak, p.refused
}

func (p *limitProxy) close() {
	p.ln.Close()
	p.kill()
	p.wg.Wait()
}

// poolEvents records a Client's pool hooks.
type poolEvents struct {
	mu       sync.Mutex
	limits   []ftp.PoolLimitInfo
	discards []ftp.PoolDiscardInfo
	dials    int
	reused   int
	waited   time.Duration
}

func (e *poolEvents) trace() *ftp.Trace {
	return &ftp.Trace{
		PoolDialed: func(_ context.Context, info ftp.PoolDialInfo) {
			e.mu.Lock()
			if info.Err == nil {
				e.dials++
			}
			e.mu.Unlock()
		},
		PoolGot: func(_ context.Context, info ftp.PoolGotInfo) {
			e.mu.Lock()
			if info.Reused {
				e.reused++
			}
			e.waited += info.Wait
			e.mu.Unlock()
		},
		PoolDiscarded: func(_ context.Context, info ftp.PoolDiscardInfo) {
			e.mu.Lock()
			e.discards = append(e.discards, info)
			e.mu.Unlock()
		},
		PoolLimitChanged: func(_ context.Context, info ftp.PoolLimitInfo) {
			e.mu.Lock()
			e.limits = append(e.limits, info)
			e.mu.Unlock()
		},
	}
}

func (e *poolEvents) snapshot() poolEvents {
	e.mu.Lock()
	defer e.mu.Unlock()
	return poolEvents{
		limits:   append([]ftp.PoolLimitInfo(nil), e.limits...),
		discards: append([]ftp.PoolDiscardInfo(nil), e.discards...),
		dials:    e.dials, reused: e.reused, waited: e.waited,
	}
}

// mixedWork runs goroutines × ops mixed operations on files of their own
// and returns every failure.
func mixedWork(ctx context.Context, c *ftp.Client, goroutines, ops int) []error {
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
			name := fmt.Sprintf("/w%d", g)
			want := ""
			for i := range ops {
				switch i % 4 {
				case 0:
					w, err := c.Create(ctx, name)
					if err != nil {
						fail("create", err)
						return
					}
					want = fmt.Sprintf("%d.%d", g, i)
					io.WriteString(w, want)
					if err := w.Close(); err != nil {
						fail("close", err)
						return
					}
				case 1:
					fi, err := c.Stat(ctx, name)
					if err != nil || fi.Size() != int64(len(want)) {
						fail("stat", errors.Join(err, fmt.Errorf("size %v", fi)))
						return
					}
				case 2:
					f, err := c.Open(ctx, name)
					if err != nil {
						fail("open", err)
						return
					}
					b, err := io.ReadAll(f)
					f.Close()
					if err != nil || string(b) != want {
						fail("read", errors.Join(err, fmt.Errorf("got %q, want %q", b, want)))
						return
					}
				case 3:
					if _, err := c.ReadDir(ctx, "/"); err != nil {
						fail("readdir", err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	return errs
}

// TestPoolAdaptsToServerLimit: a server that allows 2 connections while
// MaxConns is 8 gives no failed operation, whichever way it refuses.
func TestPoolAdaptsToServerLimit(t *testing.T) {
	for _, mode := range []string{"421", "530", "reset"} {
		t.Run(mode, func(t *testing.T) {
			srv := startServer(t, ftptest.Options{})
			p := startLimitProxy(t, srv.Addr(), 2, mode)
			var ev poolEvents
			c := &ftp.Client{Addr: p.Addr(), MaxConns: 8, Dialer: *quickDialer()}
			c.Dialer.Trace = ev.trace()
			defer c.Close()
			for _, err := range mixedWork(testCtx(t), c, 12, 16) {
				t.Error(err)
			}
			peak, refused := p.stats()
			got := ev.snapshot()
			if peak > 2 {
				t.Errorf("%d connections relayed at once, the limit is 2", peak)
			}
			if refused == 0 || len(got.limits) == 0 {
				t.Fatalf("refused %d, limit changes %v: the test did not provoke a refusal", refused, got.limits)
			}
			if l := got.limits[0]; l.Limit > 2 || l.MaxConns != 8 || l.Reason == nil {
				t.Errorf("first limit change %+v, want at most 2 with a reason", l)
			}
			// The pool stops asking once it knows: a few refusals, not
			// one per operation.
			if refused > 10 {
				t.Errorf("%d refusals for 192 operations", refused)
			}
		})
	}
}

func TestPoolLimitGrowsBack(t *testing.T) {
	defer ftp.SetLimitGrowInterval(50 * time.Millisecond)()
	srv := startServer(t, ftptest.Options{})
	p := startLimitProxy(t, srv.Addr(), 1, "421")
	var ev poolEvents
	c := &ftp.Client{Addr: p.Addr(), MaxConns: 3, Dialer: *quickDialer()}
	c.Dialer.Trace = ev.trace()
	defer c.Close()
	ctx := testCtx(t)
	for _, err := range mixedWork(ctx, c, 4, 8) {
		t.Error(err)
	}
	p.setLimit(3)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, err := range mixedWork(ctx, c, 4, 8) {
			t.Fatal(err)
		}
		if peak, _ := p.stats(); peak == 3 {
			break
		}
		time.Sleep(60 * time.Millisecond)
	}
	if peak, _ := p.stats(); peak != 3 {
		t.Fatalf("peak %d connections after the server allowed 3 again", peak)
	}
	var grown []int
	for _, l := range ev.snapshot().limits {
		if l.Reason == nil {
			grown = append(grown, l.Limit)
		}
	}
	if len(grown) < 2 || grown[len(grown)-1] != 3 {
		t.Fatalf("limit grew %v, want one step at a time up to 3", grown)
	}
}

func TestPoolClosesIdleConns(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	var ev poolEvents
	c := &ftp.Client{Addr: srv.Addr(), IdleTimeout: 100 * time.Millisecond, Dialer: *quickDialer()}
	c.Dialer.Trace = ev.trace()
	defer c.Close()
	ctx := testCtx(t)
	for _, err := range mixedWork(ctx, c, 3, 4) {
		t.Fatal(err)
	}
	if srv.OpenControlConns() == 0 {
		t.Fatal("no connection open after use")
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.OpenControlConns() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := srv.OpenControlConns(); n != 0 {
		t.Fatalf("%d connections open after IdleTimeout", n)
	}
	for _, d := range ev.snapshot().discards {
		if !strings.Contains(d.Reason.Error(), "idle") {
			t.Errorf("discarded for %v", d.Reason)
		}
	}
	// And the Client dials again when needed.
	if _, err := c.ReadDir(ctx, "/"); err != nil {
		t.Fatal(err)
	}
}

// TestPoolChecksIdleConns: a connection the server dropped while it was
// idle is found by NOOP and replaced, even for an operation that is not
// retried (DELE).
func TestPoolChecksIdleConns(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	afero.WriteFile(srv.FS(), "/f", []byte("x"), 0o644)
	p := startLimitProxy(t, srv.Addr(), 10, "421")
	var ev poolEvents
	c := &ftp.Client{Addr: p.Addr(), MaxConns: 1, CheckAfter: time.Millisecond, Dialer: *quickDialer()}
	c.Dialer.Trace = ev.trace()
	defer c.Close()
	ctx := testCtx(t)
	if _, err := c.Stat(ctx, "/f"); err != nil {
		t.Fatal(err)
	}
	p.kill()
	time.Sleep(20 * time.Millisecond)
	if err := c.Remove(ctx, "/f"); err != nil {
		t.Fatalf("Remove after the server dropped the idle connection: %v", err)
	}
	got := ev.snapshot()
	if got.dials != 2 || len(got.discards) != 1 {
		t.Fatalf("%d dials, discards %v; want the dead connection found and replaced", got.dials, got.discards)
	}
}

// TestPoolRetriesReads: without the NOOP check, an operation that only
// reads is retried on a new connection when its own turns out dead.
func TestPoolRetriesReads(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	afero.WriteFile(srv.FS(), "/f", []byte("xyz"), 0o644)
	p := startLimitProxy(t, srv.Addr(), 10, "421")
	c := &ftp.Client{Addr: p.Addr(), MaxConns: 1, CheckAfter: time.Hour, Dialer: *quickDialer()}
	defer c.Close()
	ctx := testCtx(t)
	if _, err := c.Stat(ctx, "/f"); err != nil {
		t.Fatal(err)
	}
	for _, op := range []func() error{
		func() error { _, err := c.Stat(ctx, "/f"); return err },
		func() error { _, err := c.ReadDir(ctx, "/"); return err },
		func() error {
			f, err := c.Open(ctx, "/f")
			if err != nil {
				return err
			}
			defer f.Close()
			b, err := io.ReadAll(f)
			if string(b) != "xyz" {
				return errors.Join(err, fmt.Errorf("read %q", b))
			}
			return err
		},
	} {
		p.kill()
		time.Sleep(10 * time.Millisecond)
		if err := op(); err != nil {
			t.Fatalf("after the connection was dropped: %v", err)
		}
	}
}

// TestPool421Retried: a 421 means the server is closing the connection
// without doing anything, so even an operation that changes something is
// tried again, on a new connection.
func TestPool421Retried(t *testing.T) {
	login := steps(welcome,
		fakeftp.Expect("USER anonymous"), fakeftp.Reply("331 pass"),
		fakeftp.Expect("PASS anonymous@"), fakeftp.Reply("230 in"),
		fakeftp.Expect("FEAT"), fakeftp.Reply("500 no"))
	srv := fakeftp.New(t,
		steps(login, fakeftp.Expect("DELE /f"), fakeftp.Reply("421 Timeout.")),
		steps(login, fakeftp.Expect("DELE /f"), fakeftp.Reply("250 deleted"),
			fakeftp.Optional(), fakeftp.Expect("QUIT"), fakeftp.Reply("221 bye")),
	)
	c := &ftp.Client{Addr: srv.Addr(), MaxConns: 1, Dialer: *quickDialer()}
	if err := c.Remove(fakeCtx(t), "/f"); err != nil {
		t.Fatalf("Remove answered 421 once: %v", err)
	}
	c.Close()
	waitFake(t, srv)
}

// TestPool421RetriedInProcess: the same for reads, with the in-process
// server hanging up on MLST.
func TestPool421RetriedInProcess(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	afero.WriteFile(srv.FS(), "/f", []byte("x"), 0o644)
	c := newClient(t, srv, 1)
	ctx := testCtx(t)
	if _, err := c.ReadDir(ctx, "/"); err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(ftptest.Faults{HangupOn: "MLST"})
	if fi, err := c.Stat(ctx, "/f"); err != nil || fi.Size() != 1 {
		t.Fatalf("Stat answered 421 once: %v, %v", fi, err)
	}
	if n := srv.ControlConns(); n != 2 {
		t.Fatalf("%d connections, want the one hung up replaced", n)
	}
}

// TestConnBorrowDirty: a borrowed Conn whose working directory changed is
// not reused, so relative paths keep meaning the login directory.
func TestConnBorrowDirty(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	srv.FS().MkdirAll("/sub", 0o755)
	afero.WriteFile(srv.FS(), "/f", []byte("top"), 0o644)
	afero.WriteFile(srv.FS(), "/sub/f", []byte("sub"), 0o644)
	c := newClient(t, srv, 1)
	ctx := testCtx(t)
	conn, release, err := c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.ChangeDir(ctx, "/sub"); err != nil {
		t.Fatal(err)
	}
	release()
	release() // a second call does nothing
	if got := get(t, ctx, c, "f"); string(got) != "top" {
		t.Fatalf("relative path after a borrowed Conn changed directory read %q", got)
	}
	if n := srv.ControlConns(); n != 2 {
		t.Fatalf("%d connections made, want the changed one replaced", n)
	}
	// An unchanged Conn is reused.
	conn, release, err = c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.CurrentDir(ctx); err != nil {
		t.Fatal(err)
	}
	release()
	if _, err := c.Stat(ctx, "f"); err != nil {
		t.Fatal(err)
	}
	if n := srv.ControlConns(); n != 2 {
		t.Fatalf("%d connections made, want the unchanged one reused", n)
	}
}

// TestCloseWakesWaiters: Close fails the callers waiting for a connection.
func TestCloseWakesWaiters(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	c := newClient(t, srv, 1)
	ctx := testCtx(t)
	_, release, err := c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	got := make(chan error, 1)
	go func() {
		_, err := c.Stat(context.Background(), "/")
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	c.Close()
	select {
	case err := <-got:
		if !errors.Is(err, ftp.ErrClientClosed) {
			t.Fatalf("waiting Stat = %v, want ErrClientClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close left a caller waiting")
	}
}

// TestWalkDirLoop: a server that lists a symbolic link to a parent as a
// directory (MLSD with unique facts) does not send WalkDir round forever.
func TestWalkDirLoop(t *testing.T) {
	mlsd := func(dir, listing string) []fakeftp.Step {
		return steps(epsv, fakeftp.Expect("MLSD "+dir), fakeftp.Reply("150 here"),
			fakeftp.SendData(listing), fakeftp.CloseData(), fakeftp.Reply("226 done"))
	}
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER anonymous"), fakeftp.Reply("331 pass"),
		fakeftp.Expect("PASS anonymous@"), fakeftp.Reply("230 in"),
		fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " MLST type*;size*;unique*;", "211 End"),
		fakeftp.Expect("MLST /top"), fakeftp.Reply("250-facts", " type=dir;unique=A; /top", "250 End"),
		mlsd("/top", "type=cdir;unique=A; .\r\ntype=dir;unique=B; sub\r\ntype=file;unique=F;size=1; f\r\n"),
		mlsd("/top/sub", "type=dir;unique=A; loop\r\ntype=dir;unique=C; x\r\n"),
		mlsd("/top/sub/x", ""),
		// An empty MLSD, without even a cdir entry, is checked with MLST.
		fakeftp.Expect("MLST /top/sub/x"), fakeftp.Reply("250-facts", " type=dir;unique=C; /top/sub/x", "250 End"),
		fakeftp.Optional(), fakeftp.Expect("QUIT"), fakeftp.Reply("221 bye"),
	))
	c := &ftp.Client{Addr: srv.Addr(), MaxConns: 1, Dialer: *quickDialer()}
	defer c.Close()
	var visited []string
	err := c.WalkDir(fakeCtx(t), "/top", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if !errors.Is(err, ftp.ErrLoop) {
				t.Errorf("%s: %v", p, err)
			}
			visited = append(visited, p+" (loop)")
			return nil
		}
		visited = append(visited, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "/top /top/f /top/sub /top/sub/loop /top/sub/loop (loop) /top/sub/x"
	if got := strings.Join(visited, " "); got != want {
		t.Fatalf("visited %s\nwant    %s", got, want)
	}
}

func TestWalkDirSkip(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	for _, f := range []string{"/r/a/1", "/r/a/2", "/r/b/1", "/r/c", "/r/d/1"} {
		srv.FS().MkdirAll(f[:strings.LastIndexByte(f, '/')], 0o755)
		afero.WriteFile(srv.FS(), f, []byte(f), 0o644)
	}
	c := newClient(t, srv, 1)
	ctx := testCtx(t)
	walk := func(fn func(p string, d fs.DirEntry) error) string {
		var visited []string
		err := c.WalkDir(ctx, "/r", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			visited = append(visited, p)
			// The walk calls back with no connection held: fn may use
			// the Client, even with MaxConns 1.
			if _, err := c.Stat(ctx, p); err != nil {
				return err
			}
			return fn(p, d)
		})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(visited, " ")
	}
	if got, want := walk(func(string, fs.DirEntry) error { return nil }), "/r /r/a /r/a/1 /r/a/2 /r/b /r/b/1 /r/c /r/d /r/d/1"; got != want {
		t.Errorf("full walk: %s", got)
	}
	skipA := func(p string, _ fs.DirEntry) error {
		if p == "/r/a" {
			return fs.SkipDir
		}
		return nil
	}
	if got, want := walk(skipA), "/r /r/a /r/b /r/b/1 /r/c /r/d /r/d/1"; got != want {
		t.Errorf("SkipDir on a directory: %s", got)
	}
	skipFromFile := func(p string, _ fs.DirEntry) error {
		if p == "/r/a/1" {
			return fs.SkipDir // skips the rest of /r/a
		}
		return nil
	}
	if got, want := walk(skipFromFile), "/r /r/a /r/a/1 /r/b /r/b/1 /r/c /r/d /r/d/1"; got != want {
		t.Errorf("SkipDir on a file: %s", got)
	}
	all := func(p string, _ fs.DirEntry) error {
		if p == "/r/b/1" {
			return fs.SkipAll
		}
		return nil
	}
	if got, want := walk(all), "/r /r/a /r/a/1 /r/a/2 /r/b /r/b/1"; got != want {
		t.Errorf("SkipAll: %s", got)
	}
	err := c.WalkDir(ctx, "/nope", func(p string, d fs.DirEntry, err error) error { return err })
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("walk of a missing root = %v", err)
	}
}

// TestRetry425: a server whose passive ports are all taken answers 425;
// the operation is tried again after a pause, on the same connection.
func TestRetry425(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER anonymous"), fakeftp.Reply("331 pass"),
		fakeftp.Expect("PASS anonymous@"), fakeftp.Reply("230 in"),
		fakeftp.Expect("FEAT"), fakeftp.Reply("500 no"),
		fakeftp.Expect("EPSV"), fakeftp.Reply("425 Unable to identify the local data socket: Address already in use"),
		epsv, fakeftp.Expect("LIST /"), fakeftp.Reply("150 here"),
		fakeftp.SendData("-rw-r--r-- 1 u g 5 Jan  1  2020 f\r\n"), fakeftp.CloseData(), fakeftp.Reply("226 done"),
		fakeftp.Expect("SYST"), fakeftp.Reply("215 UNIX Type: L8"),
		fakeftp.Optional(), fakeftp.Expect("QUIT"), fakeftp.Reply("221 bye"),
	))
	c := &ftp.Client{Addr: srv.Addr(), MaxConns: 1, Dialer: *quickDialer()}
	entries, err := c.ReadDir(fakeCtx(t), "/")
	if err != nil || len(entries) != 1 || entries[0].Name() != "f" {
		t.Fatalf("ReadDir after a 425 = %v, %v", entries, err)
	}
	c.Close()
	waitFake(t, srv)
}

// TestPoolTraceGot: PoolGot says whether the connection was reused and
// how long the caller waited for it.
func TestPoolTraceGot(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	var mu sync.Mutex
	var got []ftp.PoolGotInfo
	c := newClient(t, srv, 1)
	c.Dialer.Trace = &ftp.Trace{PoolGot: func(_ context.Context, info ftp.PoolGotInfo) {
		mu.Lock()
		got = append(got, info)
		mu.Unlock()
	}}
	ctx := testCtx(t)
	_, release, err := c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		_, err := c.Stat(ctx, "/")
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0].Reused || !got[1].Reused || got[1].Wait < 100*time.Millisecond || got[1].Open != 1 || got[1].Limit != 1 {
		t.Fatalf("PoolGot %+v: want a new connection, then the same one after waiting", got)
	}
}

// TestReadDirReportsUnusableNames: a listed name that cannot be one path
// element is reported with the listing's other unreadable lines, never
// dropped in silence.
func TestReadDirReportsUnusableNames(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER anonymous"), fakeftp.Reply("331 pass"),
		fakeftp.Expect("PASS anonymous@"), fakeftp.Reply("230 in"),
		fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " MLST type*;size*;", "211 End"),
		epsv, fakeftp.Expect("MLSD /d"), fakeftp.Reply("150 here"),
		fakeftp.SendData("type=file;size=3; ok\r\ntype=file;size=4; ../../etc/passwd\r\n"),
		fakeftp.CloseData(), fakeftp.Reply("226 done"),
		fakeftp.Optional(), fakeftp.Expect("QUIT"), fakeftp.Reply("221 bye"),
	))
	c := &ftp.Client{Addr: srv.Addr(), MaxConns: 1, Dialer: *quickDialer()}
	defer c.Close()
	entries, err := c.ReadDir(fakeCtx(t), "/d")
	if len(entries) != 1 || entries[0].Name() != "ok" {
		t.Fatalf("entries %v, want only ok", entries)
	}
	var le *ftp.ListingError
	if !errors.As(err, &le) || len(le.Lines) != 1 || !strings.Contains(le.Lines[0].Raw, "passwd") {
		t.Fatalf("err = %v, want a *ListingError naming the line with ../../etc/passwd", err)
	}
}
