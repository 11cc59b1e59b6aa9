package ftp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// dialStream dials a streamServer (plain, or implicit TLS with PROT P) and
// logs in.
func dialStream(t testing.TB, s *streamServer, client *tls.Config, d ftp.Dialer) *ftp.Conn {
	t.Helper()
	if client != nil {
		d.TLS, d.TLSConfig = ftp.TLSImplicit, client
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := d.Dial(ctx, s.Addr())
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, "u", "p"); err != nil {
		t.Fatalf("Login: %v", err)
	}
	return c
}

// TestDataPathReadAllocatesNothing: Download.Read, plain and over TLS,
// allocates nothing per call once the transfer is open, not even once in
// many calls (which testing.AllocsPerRun rounds away).
func TestDataPathReadAllocatesNothing(t *testing.T) {
	serverTLS, clientTLS := selfSignedTLS(t)
	for _, tc := range []struct {
		name   string
		server *tls.Config
		client *tls.Config
	}{{"plain", nil, nil}, {"tls", serverTLS, clientTLS}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStreamServer(t, 1<<40, tc.server)
			c := dialStream(t, s, tc.client, ftp.Dialer{})
			d, err := c.Retrieve(context.Background(), "f")
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64<<10)
			if _, err := io.ReadFull(d, buf); err != nil { // warm up: buffers, TLS records
				t.Fatal(err)
			}
			const reads = 1000
			got := allocsOnPath(t, func() {
				for range reads {
					if _, e := d.Read(buf); e != nil {
						err = e
						return
					}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if got.ours != 0 {
				t.Errorf("%d allocations in %d calls of Read, want 0:\n%s", got.ours, reads, got.moreThan(allocCount{}))
			}
			// A Read returns at most one record. crypto/tls reads the
			// network at most twice for one (its header, its body).
			if got.tls > 2*reads {
				t.Errorf("%d allocations inside crypto/tls in %d calls of Read, more than two per record", got.tls, reads)
			}
			c.Close()
		})
	}
}

// TestDataPathAllocsFlat: a whole transfer, plain or over TLS, allocates
// the same on the library's path whether it moves 1 MiB or 32 MiB: nothing
// per read or write, in Download.WriteTo (so io.Copy), in Store from a
// reader, and in Store from a file, which on a plain connection the kernel
// copies with sendfile, called directly on Linux; elsewhere the standard
// library's sendfile allocates four small objects per BufferSize chunk,
// which is bounded too.
//
// Over TLS, crypto/tls allocates a small object of its own each time it
// reads from the network (golang/go#53142): garbage that grows the heap,
// and the peak RSS, with the file until the collector's first cycle at its
// 4 MiB minimum goal, and that the library cannot avoid. What crypto/tls
// allocates is counted apart and held to two per 16 KiB record (one read
// for a record's header, one for its body).
func TestDataPathAllocsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 400 MiB")
	}
	serverTLS, clientTLS := selfSignedTLS(t)
	file := func(size int64) *os.File {
		f, err := os.Create(filepath.Join(t.TempDir(), "up"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		return f
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		perChunk float64 // allocations allowed per DefaultBufferSize moved, plain
		run      func(c *ftp.Conn, size int64) error
	}{
		{"WriteTo", 0, func(c *ftp.Conn, size int64) error {
			d, err := c.Retrieve(ctx, "f")
			if err != nil {
				return err
			}
			defer d.Close()
			_, err = io.Copy(io.Discard, d)
			return err
		}},
		{"Store/reader", 0, func(c *ftp.Conn, size int64) error {
			return c.Store(ctx, "f", io.LimitReader(zeros{}, size))
		}},
		{"Store/file", fileAllocsPerChunk(), func(c *ftp.Conn, size int64) error {
			return c.Store(ctx, "f", file(size))
		}},
	} {
		for _, secure := range []bool{false, true} {
			name, server, client, perChunk := tc.name+"/plain", (*tls.Config)(nil), (*tls.Config)(nil), tc.perChunk
			if secure {
				name, server, client, perChunk = tc.name+"/tls", serverTLS, clientTLS, 0
			}
			t.Run(name, func(t *testing.T) {
				allocs := map[int64]allocCount{}
				for _, size := range []int64{1 << 20, 32 << 20} {
					s := newStreamServer(t, size, server)
					c := dialStream(t, s, client, ftp.Dialer{})
					var err error
					allocs[size] = allocsOnPath(t, func() {
						if e := tc.run(c, size); e != nil {
							err = e
						}
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				small, big := allocs[1<<20], allocs[32<<20]
				t.Logf("1 MiB, 32 MiB: %d, %d allocations on the library's path; inside crypto/tls %d, %d, of which %d, %d (%d, %d bytes) for its reads",
					small.ours, big.ours, small.tls, big.tls, small.tlsReads, big.tlsReads, small.tlsReadBytes, big.tlsReadBytes)
				// Four allocations of slack: under the race detector,
				// sync.Pool drops a quarter of what is put back, and a
				// transfer takes two buffers from pools (its own,
				// io.Discard's). One per call would be 124 more plain,
				// 992 more over TLS.
				chunks := float64((32<<20)-(1<<20)) / ftp.DefaultBufferSize
				if float64(big.ours) > float64(small.ours)+4+perChunk*chunks {
					t.Errorf("allocations on the library's path: %d for 1 MiB, %d for 32 MiB: the data path allocates per call; more at 32 MiB:\n%s",
						small.ours, big.ours, big.moreThan(small))
				}
				if records := int64((32<<20)-(1<<20)) / (16 << 10); big.tls > small.tls+2*records {
					t.Errorf("allocations inside crypto/tls: %d for 1 MiB, %d for 32 MiB: more than two per record", small.tls, big.tls)
				}
			})
		}
	}
}

// TestWriteToTLSFillsBuffer: over TLS, where a read returns one record of
// 16 KiB at most, Download.WriteTo fills its 32 KiB buffer before a write:
// every write but the last carries more than one record's worth, so that a
// file gets half the system calls. The data arrives whole, the short last
// record included.
func TestWriteToTLSFillsBuffer(t *testing.T) {
	serverTLS, clientTLS := selfSignedTLS(t)
	const size = 4<<20 + 1000
	s := newStreamServer(t, size, serverTLS)
	c := dialStream(t, s, clientTLS, ftp.Dialer{})
	d, err := c.Retrieve(context.Background(), "f")
	if err != nil {
		t.Fatal(err)
	}
	var w sizeRecorder
	n, err := io.Copy(&w, d)
	if err != nil || n != size {
		t.Fatalf("copied %d bytes, %v; want %d", n, err, size)
	}
	var small int
	for _, m := range w.sizes[:len(w.sizes)-1] {
		if m <= 16<<10 {
			small++
		}
	}
	if small > 0 {
		t.Errorf("%d of %d writes carry 16 KiB or less (one record)", small, len(w.sizes))
	}
}

// sizeRecorder records the size of each write it is given.
type sizeRecorder struct{ sizes []int }

func (w *sizeRecorder) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return len(p), nil
}

// TestDataTimeoutIsIdleTime: the data deadline is set once and moved as
// data flows, so a transfer that takes many times DataTimeout but never
// pauses that long succeeds; a stall still fails (TestSyncDataStall).
func TestDataTimeoutIsIdleTime(t *testing.T) {
	s := newStreamServer(t, 40*chunk, nil)
	s.pace = 40 * time.Millisecond // about 1.6 s in all
	d := ftp.Dialer{DataTimeout: 300 * time.Millisecond}
	c := dialStream(t, s, nil, d)
	start := time.Now()
	dl, err := c.Retrieve(context.Background(), "f")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, dl)
	if err != nil || n != 40*chunk {
		t.Fatalf("got %d bytes, %v after %v; want %d and no timeout", n, err, time.Since(start), 40*chunk)
	}
	if el := time.Since(start); el < 4*d.DataTimeout {
		t.Fatalf("the transfer took %v: too quick to show anything", el)
	}
}

// TestStoreFileSendfile: an upload from an *os.File (sendfile on plain
// connections) arrives whole, from the file's current offset, plain and
// over TLS (where it cannot use sendfile).
func TestStoreFileSendfile(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 100_000) // 1.6 MB: several chunks
	path := filepath.Join(t.TempDir(), "up")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []ftptest.TLSMode{ftptest.TLSNone, ftptest.TLSExplicit} {
		t.Run(mode.String(), func(t *testing.T) {
			srv := startServer(t, ftptest.Options{TLS: mode})
			d := ftp.Dialer{BufferSize: 64 << 10}
			if mode != ftptest.TLSNone {
				d.TLS = ftp.TLSExplicit
			}
			c := dialLogin(t, srv, d)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.Seek(1000, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			if err := c.Store(context.Background(), "up", f); err != nil {
				t.Fatal(err)
			}
			got, err := afero.ReadFile(srv.FS(), "/up")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data[1000:]) {
				t.Errorf("server has %d bytes, want %d", len(got), len(data)-1000)
			}
		})
	}
}

// TestStoreFileCancel: cancelling an upload sent with sendfile to a server
// that stopped reading ends it promptly with the context's error, and the
// Conn stays usable.
func TestStoreFileCancel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(1 << 30); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	s := newStreamServer(t, 0, nil)
	s.stall = true
	c := dialStream(t, s, nil, ftp.Dialer{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	err = c.Store(ctx, "f", f)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 1500*time.Millisecond {
		t.Errorf("Store returned after %v", el)
	}
	if _, err := c.Cmd(context.Background(), "NOOP"); err != nil {
		t.Errorf("NOOP after the cancelled upload: %v", err)
	}
}

// TestFinalWithoutDataConnection: in active mode a server that answers
// 226 at once and never connects ends the transfer with no data connection
// at all: the download is empty and complete, and nothing is guarded.
func TestFinalWithoutDataConnection(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT |1|127.0.0.1|*|"), fakeftp.Reply("200 EPRT command successful."),
		fakeftp.Expect("RETR empty"), fakeftp.Reply("226 Nothing to send."),
		pwdSteps("/after"),
	))
	c := dialFake(t, srv, activeDialer())
	checkRetrieve(t, c, "empty", "")
	checkInStep(t, c, "/after")
}

func fileAllocsPerChunk() float64 {
	if runtime.GOOS == "linux" {
		return 0
	}
	return 4
}

// TestStoreFileWithoutSendfile: a regular file the kernel cannot sendfile
// from (on Linux, /proc/self/status answers EINVAL) is sent with reads and
// writes instead, whole.
func TestStoreFileWithoutSendfile(t *testing.T) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	defer f.Close()
	srv := startServer(t, ftptest.Options{})
	c := dialLogin(t, srv, ftp.Dialer{})
	if err := c.Store(context.Background(), "status", f); err != nil {
		t.Fatal(err)
	}
	got, err := afero.ReadFile(srv.FS(), "/status")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte("Name:")) {
		t.Errorf("the server has %q", got)
	}
}

// TestSlowUploadIsNotIdle: on a slow link one write of BufferSize can take
// longer than DataTimeout while data moves all along; the upload must not
// fail for it (the write is resumed), while a stalled one still does
// (TestStoreFileCancel's server, TestSyncCancelUpload).
func TestSlowUploadIsNotIdle(t *testing.T) {
	s := newStreamServer(t, 0, nil)
	s.readPace = 10 * time.Millisecond // about 1.6 MB/s: a 1 MiB write takes about 650 ms
	d := ftp.Dialer{
		BufferSize:  1 << 20,
		DataTimeout: 500 * time.Millisecond, // a stall of half a second under load is a real one
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetWriteBuffer(16 << 10)
			}
			return c, err
		},
	}
	c := dialStream(t, s, nil, d)
	start := time.Now()
	if err := c.Store(context.Background(), "f", io.LimitReader(zeros{}, 2<<20)); err != nil {
		t.Fatalf("Store after %v: %v", time.Since(start), err)
	}
	if el := time.Since(start); el < 2*d.DataTimeout {
		t.Fatalf("the upload took %v: too quick to show anything", el)
	}
}
