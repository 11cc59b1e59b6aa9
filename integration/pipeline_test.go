package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
)

// TestRetrieveEachPipelined: on every daemon, plain and over TLS,
// RetrieveEach gets many small files (and reports a missing one among them)
// with EPSV and RETR pipelined for every file, the daemon queueing them,
// and leaves the Conn in step. On plain connections the control
// connection's writes are recorded to check that each EPSV went out with
// its RETR in one write, so that no silent fallback passes for success.
func TestRetrieveEachPipelined(t *testing.T) {
	for _, kind := range Kinds {
		for _, mode := range []TLSMode{Plain, Explicit} {
			t.Run(kind.String()+"/"+mode.String(), func(t *testing.T) {
				in := Start(t, kind, mode)
				dir, local := in.Scratch(t)
				var paths []string
				want := map[string][]byte{}
				for i := range 30 {
					name := fmt.Sprintf("f%02d", i)
					data := bytes.Repeat([]byte{byte('a' + i%26)}, i*300)
					if err := os.WriteFile(filepath.Join(local, name), data, 0o644); err != nil {
						t.Fatal(err)
					}
					p := path.Join(dir, name)
					paths = append(paths, p)
					want[p] = data
					if i == 10 {
						paths = append(paths, path.Join(dir, "missing"))
					}
				}
				if err := chownToFTPUser(local); err != nil {
					t.Fatal(err)
				}
				var d ftp.Dialer
				rec := &wireRecorder{}
				if mode == Plain {
					d.DialContext = rec.dial
				} else {
					d.TLS = ftp.TLSExplicit
					d.TLSConfig = in.TLSConfig()
				}
				c := login(t, in, d)
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				var missing error
				err := c.RetrieveEach(ctx, slices.Values(paths), func(p string, dl *ftp.Download, err error) error {
					if err != nil {
						if strings.HasSuffix(p, "/missing") {
							missing = err
							return nil
						}
						return err
					}
					got, err := io.ReadAll(dl)
					if err != nil {
						return fmt.Errorf("%s: %w", p, err)
					}
					if !bytes.Equal(got, want[p]) {
						return fmt.Errorf("%s: got %d bytes, want %d", p, len(got), len(want[p]))
					}
					return nil
				})
				if err != nil {
					t.Fatalf("RetrieveEach: %v", err)
				}
				if !errors.Is(missing, fs.ErrNotExist) {
					t.Errorf("missing file: %v, want an error mapping to fs.ErrNotExist", missing)
				}
				if _, err := c.CurrentDir(ctx); err != nil {
					t.Errorf("PWD after RetrieveEach: %v", err)
				}
				if mode == Plain {
					if pairs := rec.count("EPSV\r\nRETR "); pairs != len(paths) {
						t.Errorf("%d of %d files went out with EPSV and RETR in one write:\n%s", pairs, len(paths), rec.dump())
					}
				}
			})
		}
	}
}

// wireRecorder records what a Conn writes and reads on its control connection (the
// first connection it dials).
type wireRecorder struct {
	mu     sync.Mutex
	dialed bool
	writes []string // and reads, marked "<<"
}

func (r *wireRecorder) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil || r.dialed {
		return c, err
	}
	r.dialed = true
	return &recordedConn{Conn: c, r: r}, nil
}

func (r *wireRecorder) count(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, w := range r.writes {
		if strings.HasPrefix(w, prefix) {
			n++
		}
	}
	return n
}

func (r *wireRecorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprintf("%q", r.writes)
}

type recordedConn struct {
	net.Conn
	r *wireRecorder
}

func (c *recordedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.r.mu.Lock()
	c.r.writes = append(c.r.writes, "<<"+string(p[:n]))
	c.r.mu.Unlock()
	return n, err
}

func (c *recordedConn) Write(p []byte) (int, error) {
	c.r.mu.Lock()
	c.r.writes = append(c.r.writes, string(p))
	c.r.mu.Unlock()
	return c.Conn.Write(p)
}
