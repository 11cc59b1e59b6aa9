package ftp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/conformance"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/ferryftp/ftp/internal/netem"
	"github.com/spf13/afero"
)

// TestUploadCutIsAnError: a middlebox that closes the data connection with
// a clean FIN after N bytes leaves the server a short file that it
// confirms with 226; the client's only sign is the reset it meets after
// the last byte, and that must make Store fail, wrapping
// ErrIncompleteUpload. Plain and TLS, at several offsets. (A cut in the
// last few KiB, once the relay has read the whole stream, is seen by
// neither end: Store's documentation says so, and the test leaves it out.)
func TestUploadCutIsAnError(t *testing.T) {
	const size = 3 << 20
	data := conformance.Data(size)
	for _, mode := range []ftptest.TLSMode{ftptest.TLSNone, ftptest.TLSExplicit} {
		for _, after := range []int64{1, 64 << 10, 1 << 20, size - 512<<10} {
			t.Run(fmt.Sprintf("%v/%d", mode, after), func(t *testing.T) {
				fs := afero.NewMemMapFs()
				srv := startServer(t, ftptest.Options{TLS: mode, FS: fs})
				p, err := netem.New(srv.Addr(), netem.Shape{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { p.Close() })
				d := ftp.Dialer{DialContext: p.DialContext}
				if mode != ftptest.TLSNone {
					d.TLS = ftp.TLSExplicit
				}
				c := dialLogin(t, srv, d)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				p.FaultData(netem.Fault{Kind: netem.Close, After: after, Dir: netem.Upstream})
				err = c.Store(ctx, "/f", bytes.NewReader(data))
				stored, _ := afero.ReadFile(fs, "/f")
				if err == nil {
					t.Fatalf("Store returned nil; the server has %d of %d bytes", len(stored), size)
				}
				if !errors.Is(err, ftp.ErrIncompleteUpload) {
					t.Errorf("error does not wrap ErrIncompleteUpload: %v", err)
				}
				t.Logf("server has %d bytes; %v", len(stored), err)
				// The Conn is still in step: the next upload works.
				if err := c.Store(ctx, "/g", bytes.NewReader(data[:1000])); err != nil {
					t.Fatalf("next upload: %v", err)
				}
			})
		}
	}
}

// TestRefusedUploadSaysFileMayBeDamaged: a data connection refused after
// the server took STOR (vsftpd and ProFTPD truncate the file first) is an
// error that says the remote file may be damaged; a refusal of the command
// itself (the file cannot be written) is not.
func TestRefusedUploadSaysFileMayBeDamaged(t *testing.T) {
	fs := refusingFs{afero.NewMemMapFs()}
	srv := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true, FS: fs})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c := dialLogin(t, srv, ftp.Dialer{TLS: ftp.TLSExplicit})
	err := c.Store(ctx, "/refused/f", bytes.NewReader([]byte("x")))
	if err == nil || errors.Is(err, ftp.ErrIncompleteUpload) {
		t.Errorf("STOR refused with 550: %v; want an error not wrapping ErrIncompleteUpload", err)
	}

	off := dialLogin(t, srv, ftp.Dialer{TLS: ftp.TLSExplicit, SessionReuse: ftp.ReuseOff})
	err = off.Store(ctx, "/f", bytes.NewReader([]byte("x")))
	if !errors.Is(err, ftp.ErrIncompleteUpload) || !errors.Is(err, ftp.ErrDataTLSRefused) {
		t.Fatalf("STOR whose data connection was refused: %v; want ErrIncompleteUpload and ErrDataTLSRefused", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "/f on the server may now be empty") {
		t.Errorf("error does not say the remote file may be damaged: %q", msg)
	}
}
