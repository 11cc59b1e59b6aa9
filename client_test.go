package ftp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/spf13/afero"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/conformance"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/ferryftp/ftp/listing"
)

// newClient returns a Client of srv, closed when the test ends.
func newClient(t *testing.T, srv *ftptest.Server, maxConns int) *ftp.Client {
	t.Helper()
	c := &ftp.Client{Addr: srv.Addr(), Dialer: *quickDialer(), MaxConns: maxConns}
	if srv.TLSMode() != ftptest.TLSNone {
		c.Dialer.TLSConfig = &tls.Config{RootCAs: srv.CertPool(), ServerName: srv.ServerName()}
		c.Dialer.TLS = ftp.TLSExplicit
		if srv.TLSMode() == ftptest.TLSImplicit {
			c.Dialer.TLS = ftp.TLSImplicit
		}
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func put(t *testing.T, ctx context.Context, c *ftp.Client, name string, data []byte) {
	t.Helper()
	w, err := c.Create(ctx, name)
	if err != nil {
		t.Fatalf("Create(%s): %v", name, err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatalf("Write(%s): %v", name, err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close(%s): %v", name, err)
	}
}

func get(t *testing.T, ctx context.Context, c *ftp.Client, name string) []byte {
	t.Helper()
	f, err := c.Open(ctx, name)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return b
}

func TestClientVerbs(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts ftptest.Options
	}{
		{"MLST", ftptest.Options{}},
		{"noMLST", ftptest.Options{DisableMLST: true, DisableMLSD: true}},
		{"TLS", ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.opts)
			c := newClient(t, srv, 2)
			ctx := testCtx(t)
			if err := c.MkdirAll(ctx, "/a/b/c"); err != nil {
				t.Fatal(err)
			}
			if err := c.MkdirAll(ctx, "/a/b"); err != nil {
				t.Fatalf("MkdirAll of an existing directory: %v", err)
			}
			data := conformance.Data(100 << 10)
			put(t, ctx, c, "/a/b/f.bin", data)
			if err := c.MkdirAll(ctx, "/a/b/f.bin/x"); err == nil {
				t.Fatal("MkdirAll through a file succeeded")
			}
			if got := get(t, ctx, c, "/a/b/f.bin"); !bytes.Equal(got, data) {
				t.Fatalf("read back %d bytes, want %d equal", len(got), len(data))
			}
			fi, err := c.Stat(ctx, "/a/b/f.bin")
			if err != nil || fi.IsDir() || fi.Size() != int64(len(data)) || fi.Name() != "f.bin" {
				t.Fatalf("Stat(file) = %v, %v", fi, err)
			}
			if _, ok := fi.Sys().(*listing.Entry); !ok {
				t.Errorf("Sys() = %T, want *listing.Entry", fi.Sys())
			}
			if fi.ModTime().IsZero() {
				t.Errorf("Stat(file).ModTime is zero")
			}
			fi, err = c.Stat(ctx, "/a/b")
			if err != nil || !fi.IsDir() || fi.Name() != "b" {
				t.Fatalf("Stat(dir) = %v, %v", fi, err)
			}
			for _, root := range []string{"/", ""} {
				if fi, err := c.Stat(ctx, root); err != nil || !fi.IsDir() {
					t.Fatalf("Stat(%q) = %v, %v", root, fi, err)
				}
			}
			if _, err := c.Stat(ctx, "/a/nope"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Stat(missing) = %v, want fs.ErrNotExist", err)
			}
			if _, err := c.Open(ctx, "/a/nope"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Open(missing) = %v, want fs.ErrNotExist", err)
			}
			put(t, ctx, c, "/a/z", []byte("z"))
			put(t, ctx, c, "/a/m", nil)
			entries, err := c.ReadDir(ctx, "/a")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if !slices.Equal(names, []string{"b", "m", "z"}) {
				t.Fatalf("ReadDir = %q, want sorted [b m z]", names)
			}
			if err := c.Rename(ctx, "/a/z", "/a/b/z2"); err != nil {
				t.Fatal(err)
			}
			if got := get(t, ctx, c, "/a/b/z2"); string(got) != "z" {
				t.Fatalf("renamed file holds %q", got)
			}
			if err := c.Remove(ctx, "/a/m"); err != nil {
				t.Fatal(err)
			}
			if err := c.Remove(ctx, "/a/b/c"); err != nil {
				t.Fatalf("Remove(empty dir): %v", err)
			}
			if _, err := c.Stat(ctx, "/a/b/c"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("removed dir still there: %v", err)
			}
			when := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
			if err := c.SetModTime(ctx, "/a/b/f.bin", when); err != nil {
				t.Fatal(err)
			}
			if fi, err := c.Stat(ctx, "/a/b/f.bin"); err != nil || !fi.ModTime().Equal(when) {
				t.Fatalf("after SetModTime: %v, %v", fi.ModTime(), err)
			}
			if err := c.RemoveAll(ctx, "/a"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Stat(ctx, "/a"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("RemoveAll left /a: %v", err)
			}
			if err := c.RemoveAll(ctx, "/a"); err != nil {
				t.Fatalf("RemoveAll of nothing: %v", err)
			}
			// Every operation reused the two connections.
			if n := srv.ControlConns(); n > 2 {
				t.Errorf("%d connections made with MaxConns 2", n)
			}
		})
	}
}

func TestClientHash(t *testing.T) {
	srv := startServer(t, ftptest.Options{EnableHASH: true})
	afero.WriteFile(srv.FS(), "/h", []byte("hello"), 0o644)
	c := newClient(t, srv, 1)
	algo, sum, err := c.Hash(testCtx(t), "/h", "SHA-256")
	if err != nil || algo != "SHA-256" || sum != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" {
		t.Fatalf("Hash = %s %s, %v", algo, sum, err)
	}
}

func TestFileReadAtSeek(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	data := conformance.Data(1 << 20)
	afero.WriteFile(srv.FS(), "/big", data, 0o644)
	c := newClient(t, srv, 1)
	ctx := testCtx(t)
	f, err := c.Open(ctx, "/big")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(f, buf); err != nil || !bytes.Equal(buf, data[:1000]) {
		t.Fatalf("first read: %v", err)
	}
	for _, off := range []int64{500_000, 10, 500_000 + 1000, int64(len(data)) - 10} {
		n, err := f.ReadAt(buf[:10], off)
		if n != 10 || err != nil || !bytes.Equal(buf[:10], data[off:off+10]) {
			t.Fatalf("ReadAt(%d) = %d, %v", off, n, err)
		}
	}
	n, err := f.ReadAt(buf, int64(len(data))-5)
	if n != 5 || err != io.EOF {
		t.Fatalf("ReadAt past the end = %d, %v; want 5, EOF", n, err)
	}
	// ReadAt does not move Read's offset.
	if _, err := io.ReadFull(f, buf); err != nil || !bytes.Equal(buf, data[1000:2000]) {
		t.Fatalf("read after ReadAt: %v", err)
	}
	if pos, err := f.Seek(-100, io.SeekEnd); err != nil || pos != int64(len(data))-100 {
		t.Fatalf("Seek(-100, end) = %d, %v", pos, err)
	}
	rest, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(rest, data[len(data)-100:]) {
		t.Fatalf("read after Seek: %d bytes, %v", len(rest), err)
	}
	fi, err := f.Stat()
	if err != nil || fi.Size() != int64(len(data)) {
		t.Fatalf("File.Stat = %v, %v", fi, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Read(buf); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("Read after Close = %v", err)
	}
	// Every RETR but the last was ended early, and the connection stayed
	// in step: the Client still works on it.
	if _, err := c.Stat(ctx, "/big"); err != nil {
		t.Fatal(err)
	}
}

// TestHeldFileMaxConns1 is rclone #4694: a goroutine holding an open File
// calls another method with MaxConns 1. It must not wait forever.
func TestHeldFileMaxConns1(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	data := conformance.Data(256 << 10)
	afero.WriteFile(srv.FS(), "/f", data, 0o644)
	c := newClient(t, srv, 1)
	ctx := testCtx(t)
	f, err := c.Open(ctx, "/f")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	half := make([]byte, len(data)/2)
	if _, err := io.ReadFull(f, half); err != nil {
		t.Fatal(err)
	}
	// The File holds the only connection, mid-download.
	if _, err := c.Stat(ctx, "/f"); err != nil {
		t.Fatalf("Stat while a File is open: %v", err)
	}
	entries, err := c.ReadDir(ctx, "/")
	if err != nil || len(entries) != 1 {
		t.Fatalf("ReadDir while a File is open: %v, %v", entries, err)
	}
	rest, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(append(half, rest...), data) {
		t.Fatalf("the File's download did not resume correctly: %d bytes, %v", len(rest), err)
	}
	if n := srv.OpenControlConns(); n > 1 {
		t.Fatalf("%d control connections open with MaxConns 1", n)
	}
}

// TestHeldWriterWaitsOnContext: an upload in progress cannot lend its
// connection, so with MaxConns 1 another call waits until its context ends,
// and not beyond.
func TestHeldWriterWaitsOnContext(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	c := newClient(t, srv, 1)
	ctx := testCtx(t)
	w, err := c.Create(ctx, "/up")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Stat(short, "/")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stat with the only connection uploading = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Stat returned %v after its deadline", d)
	}
	w.Write([]byte("x"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := c.Stat(ctx, "/up"); err != nil || fi.Size() != 1 {
		t.Fatalf("after the upload: %v, %v", fi, err)
	}
}

func TestClientConcurrent(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	c := newClient(t, srv, 3)
	var aborts atomic.Int64
	c.Dialer.Trace = &ftp.Trace{CommandSent: func(_ context.Context, info ftp.CommandInfo) {
		if info.Verb == "ABOR" {
			aborts.Add(1)
		}
	}}
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			name := path.Join("/", "g"+string(rune('a'+g)))
			for i := range 10 {
				data := conformance.Data(1000 + g*10 + i)
				w, err := c.Create(ctx, name)
				if err != nil {
					errs <- err
					return
				}
				w.Write(data)
				if err := w.Close(); err != nil {
					errs <- err
					return
				}
				f, err := c.Open(ctx, name)
				if err != nil {
					errs <- err
					return
				}
				got, err := io.ReadAll(f)
				f.Close()
				if err != nil || !bytes.Equal(got, data) {
					errs <- errors.Join(errors.New("content differs"), err)
					return
				}
				if _, err := c.ReadDir(ctx, "/"); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := srv.ControlConns(); n > 3 {
		t.Errorf("%d control connections made with MaxConns 3", n)
	}
	// Files read at once are not robbed of their connection by callers
	// waiting for one: no download was cut short.
	if n := aborts.Load(); n != 0 {
		t.Errorf("%d downloads aborted", n)
	}
}

func TestClientCloseFailsLaterCalls(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	c := newClient(t, srv, 2)
	ctx := testCtx(t)
	if _, err := c.ReadDir(ctx, "/"); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadDir(ctx, "/"); !errors.Is(err, ftp.ErrClientClosed) {
		t.Fatalf("ReadDir after Close = %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.OpenControlConns() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.OpenControlConns(); n != 0 {
		t.Fatalf("%d connections still open after Close", n)
	}
}

// TestFileSequentialReadIsOneRETR: reading a File through with small reads
// is one download, and random access ends each download cleanly: the one
// connection is never replaced.
func TestFileSequentialReadIsOneRETR(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	data := conformance.Data(300 << 10)
	afero.WriteFile(srv.FS(), "/f", data, 0o644)
	var mu sync.Mutex
	var retrs []string
	c := newClient(t, srv, 1)
	c.Dialer.Trace = &ftp.Trace{TransferDone: func(_ context.Context, info ftp.TransferInfo) {
		mu.Lock()
		retrs = append(retrs, fmt.Sprintf("%s@%d", info.Command, info.Offset))
		mu.Unlock()
	}}
	ctx := testCtx(t)
	f, err := c.Open(ctx, "/f")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(iotest.OneByteReader(io.LimitReader(f, 1000)))
	if err != nil || !bytes.Equal(got, data[:1000]) {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(append(got, rest...), data) {
		t.Fatalf("read %d bytes, %v", len(got)+len(rest), err)
	}
	mu.Lock()
	if len(retrs) != 1 || retrs[0] != "RETR@0" {
		t.Fatalf("transfers %v, want one RETR", retrs)
	}
	retrs = nil
	mu.Unlock()
	buf := make([]byte, 10)
	for _, off := range []int64{100, 200_000, 5} {
		if _, err := f.ReadAt(buf, off); err != nil || !bytes.Equal(buf, data[off:off+10]) {
			t.Fatalf("ReadAt(%d): %v", off, err)
		}
	}
	f.Close()
	mu.Lock()
	if want := "RETR@100 RETR@200000 RETR@5"; strings.Join(retrs, " ") != want {
		t.Errorf("transfers %v, want %s", retrs, want)
	}
	mu.Unlock()
	if n := srv.ControlConns(); n != 1 {
		t.Fatalf("%d connections: an early end was not clean", n)
	}
}

// TestCreateCloseReportsOutcome: the writer's Close is where a failed
// upload shows, and a cancelled context aborts the upload.
func TestCreateCloseReportsOutcome(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	c := newClient(t, srv, 1)
	ctx := testCtx(t)
	srv.SetFaults(ftptest.Faults{Transfer: ftptest.Fail, After: 1000})
	w, err := c.Create(ctx, "/up")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(conformance.Data(100 << 10))
	if err := w.Close(); err == nil {
		t.Fatal("Close of an upload the server failed returned nil")
	}
	if err := w.Close(); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("second Close = %v", err)
	}
	srv.SetFaults(ftptest.Faults{})

	cctx, cancel := context.WithCancel(ctx)
	w, err = c.Create(cctx, "/up2")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("part"))
	cancel()
	if _, err := w.Write([]byte("more")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Write after cancel = %v", err)
	}
	if err := w.Close(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close after cancel = %v", err)
	}
	// The connection stayed usable (ABOR) or was replaced.
	if _, err := c.ReadDir(ctx, "/"); err != nil {
		t.Fatal(err)
	}
}

// TestOpenFilesKeepTheirConnections: Files being read are not robbed of
// their connection by the callers queueing for one; only a File left
// unused lends it (TestHeldFileMaxConns1).
func TestOpenFilesKeepTheirConnections(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	data := conformance.Data(256 << 10)
	afero.WriteFile(srv.FS(), "/f", data, 0o644)
	c := newClient(t, srv, 2)
	var aborts atomic.Int64
	c.Dialer.Trace = &ftp.Trace{CommandSent: func(_ context.Context, info ftp.CommandInfo) {
		if info.Verb == "ABOR" {
			aborts.Add(1)
		}
	}}
	ctx := testCtx(t)
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			for range 4 {
				f, err := c.Open(ctx, "/f")
				if err != nil {
					t.Error(err)
					return
				}
				n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{f}, make([]byte, 4096))
				f.Close()
				if err != nil || n != int64(len(data)) {
					t.Errorf("read %d bytes, %v", n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := aborts.Load(); n != 0 {
		t.Errorf("%d downloads cut short to lend their connection", n)
	}
}
