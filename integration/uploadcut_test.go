package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/netem"
)

// TestUploadCutByMiddlebox uploads through a relay that closes the data
// connection with a clean FIN after N bytes, plain and over TLS, on every
// daemon. Some daemons store the short file and answer 226; Store must fail
// all the same (the reset after the last byte gives it away), wrapping
// ErrIncompleteUpload, and leave the Conn usable or marked broken.
func TestUploadCutByMiddlebox(t *testing.T) {
	const size = 3 << 20
	data := pseudoRandom(size)
	for _, kind := range Kinds {
		for _, mode := range []TLSMode{Plain, Explicit} {
			for _, after := range []int64{1, 1 << 20, size - 512<<10} {
				t.Run(fmt.Sprintf("%v/%v/%d", kind, mode, after), func(t *testing.T) {
					in := Start(t, kind, mode)
					p, err := netem.New(in.Addr, netem.Shape{})
					if err != nil {
						t.Fatal(err)
					}
					defer p.Close()
					d := dialer(in, tls.VersionTLS13)
					d.DialContext = p.DialContext
					c := login(t, in, d)
					dir, local := in.Scratch(t)
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					p.FaultData(netem.Fault{Kind: netem.Close, After: after, Dir: netem.Upstream})
					err = c.Store(ctx, path.Join(dir, "f"), bytes.NewReader(data))
					stored, _ := os.ReadFile(filepath.Join(local, "f"))
					if err == nil {
						t.Fatalf("Store returned nil; the server has %d of %d bytes", len(stored), size)
					}
					if !errors.Is(err, ftp.ErrIncompleteUpload) {
						t.Errorf("error does not wrap ErrIncompleteUpload: %v", err)
					}
					t.Logf("server has %d bytes: %v", len(stored), err)
					// The Conn is in step or knows it is not: vsftpd and
					// Pure-FTPd end the session when a data connection's
					// TLS handshake is cut.
					err = c.Store(ctx, path.Join(dir, "g"), bytes.NewReader(data[:1000]))
					if err != nil && !errors.Is(err, ftp.ErrBroken) {
						t.Errorf("next upload: %v", err)
					}
				})
			}
		}
	}
}
