package ftp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// refusals are the commands a server refuses before any data flows, each
// of which used to cost the Conn its TLS session: the data connection's
// handshake, begun before the refusal, failed, and crypto/tls then forgot
// the session every later data connection had to resume.
var refusals = []struct {
	name string
	do   func(ctx context.Context, c *ftp.Conn) error
}{
	{"RETR missing", func(ctx context.Context, c *ftp.Conn) error {
		d, err := c.Retrieve(ctx, "/missing.txt")
		if err == nil {
			_, err = io.Copy(io.Discard, d)
			d.Close()
		}
		return err
	}},
	{"SIZE missing", func(ctx context.Context, c *ftp.Conn) error {
		_, err := c.Size(ctx, "/missing.txt")
		return err
	}},
	{"STOR refused", func(ctx context.Context, c *ftp.Conn) error {
		return c.Store(ctx, "/refused/f.txt", strings.NewReader("x"))
	}},
	{"APPE refused", func(ctx context.Context, c *ftp.Conn) error {
		return c.Append(ctx, "/refused/f.txt", strings.NewReader("x"))
	}},
	{"MLSD missing", func(ctx context.Context, c *ftp.Conn) error {
		_, err := c.MachineList(ctx, "/missing-dir")
		return err
	}},
}

// TestRefusalKeepsTLSSession: after each kind of refusal, three transfers
// on the same Conn still resume the control connection's TLS session, with
// every reuse strategy that resumes, on a server that requires it.
func TestRefusalKeepsTLSSession(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		for _, reuse := range []ftp.SessionReuse{ftp.ReuseChain, ftp.ReusePinned} {
			for _, r := range refusals {
				t.Run(fmt.Sprintf("%s/%v/%s", tls.VersionName(v), reuse, r.name), func(t *testing.T) {
					fs := refusingFs{afero.NewMemMapFs()}
					afero.WriteFile(fs, "/hello.txt", []byte("hello\n"), 0o644)
					srv := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true, TLSMaxVersion: v, FS: fs})
					c := dialLogin(t, srv, ftp.Dialer{TLS: ftp.TLSExplicit, SessionReuse: reuse})
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					if err := r.do(ctx, c); err == nil {
						t.Fatalf("%s: no error", r.name)
					}
					for i := 0; i < 3; i++ {
						if err := c.Store(ctx, fmt.Sprintf("/up%d", i), strings.NewReader("data")); err != nil {
							t.Fatalf("transfer %d after %s: %v", i+1, r.name, err)
						}
						var got bytes.Buffer
						d, err := c.Retrieve(ctx, "/hello.txt")
						if err == nil {
							_, err = io.Copy(&got, d)
							d.Close()
						}
						if err != nil || got.String() != "hello\n" {
							t.Fatalf("download %d after %s: %q, %v", i+1, r.name, got.String(), err)
						}
					}
					for _, dc := range srv.DataConns() {
						if dc.TLS && (dc.Refused || (dc.Version != 0 && !dc.DidResume)) {
							t.Errorf("data connection for %s: resumed=%v refused=%v %s", dc.Command, dc.DidResume, dc.Refused, dc.Reason)
						}
					}
				})
			}
		}
	}
}

// TestDataTLSRefusedSaysWhy: the refusal's text names what happened to the
// data connection's TLS session, and points at Dialer.SessionReuse only
// when not resuming was the cause.
func TestDataTLSRefusedSaysWhy(t *testing.T) {
	srv := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true})
	c := dialLogin(t, srv, ftp.Dialer{TLS: ftp.TLSExplicit, SessionReuse: ftp.ReuseOff})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.List(ctx, "")
	if !errors.Is(err, ftp.ErrDataTLSRefused) {
		t.Fatalf("err = %v, want ErrDataTLSRefused", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "ReuseOff") || strings.Contains(msg, "\n") {
		t.Errorf("error does not name the cause on one line: %q", msg)
	}
}

// refusingFs refuses to open anything below /refused for writing.
type refusingFs struct{ afero.Fs }

func (f refusingFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if strings.HasPrefix(name, "/refused/") && flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrPermission}
	}
	return f.Fs.OpenFile(name, flag, perm)
}

func (f refusingFs) Create(name string) (afero.File, error) {
	return f.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}
