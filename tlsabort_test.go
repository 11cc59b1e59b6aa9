package ftp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
	"github.com/ferryftp/ftp/internal/server"
)

// cancellingReader returns one chunk, then cancels the upload's context and
// waits for the Conn's cancellation hook to move the data connection's
// deadline into the past before it returns a second chunk: the next TLS
// write then fails without sending anything.
type cancellingReader struct {
	cancel context.CancelFunc
	calls  int
}

func (r *cancellingReader) Read(p []byte) (int, error) {
	r.calls++
	if r.calls == 2 {
		r.cancel()
		time.Sleep(100 * time.Millisecond)
	}
	return copy(p, strings.Repeat("z", 100)), nil
}

// TestCancelTLSUploadKeepsSession: an upload over a PROT P data connection
// cancelled between two writes. Go's TLS counts a record whose write
// failed as sent, so a close_notify after it carries the wrong sequence
// number; ProFTPD reads that as "bad record mac" and drops the whole
// session, control connection included (seen with `ferry put` and Ctrl-C).
// The data connection must be closed without TLS's goodbye instead, and
// the server must see a clean end of the stream.
func TestCancelTLSUploadKeepsSession(t *testing.T) {
	cert, err := server.NewCertificate(server.CertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scfg := &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MaxVersion: tls.VersionTLS12}
	ccfg := &tls.Config{RootCAs: cert.Pool, ServerName: "127.0.0.1", ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("AUTH TLS"), fakeftp.Reply("234 go ahead"), fakeftp.StartTLS(scfg),
		fakeftp.Expect("PROT P"), fakeftp.Reply("200 protected"), fakeftp.DataTLS(scfg),
		typeI, epsv,
		fakeftp.Expect("STOR f"), fakeftp.Reply("150 Ok to send data."),
		fakeftp.ReadData(), // fails on a record that does not authenticate
		fakeftp.Expect("ABOR"), fakeftp.Reply("426 Transfer aborted.", "226 Abort successful"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("200 NOOP ok"),
		pwdSteps("/after-cancel"),
	))
	d := quickDialer()
	d.TLS = ftp.TLSExplicit
	d.TLSConfig = ccfg
	c := dialFake(t, srv, d)
	if err := c.SetDataProtection(fakeCtx(t), true); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(fakeCtx(t))
	defer cancel()
	err = c.Store(ctx, "f", &cancellingReader{cancel: cancel})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Store = %v, want context.Canceled", err)
	}
	checkInStep(t, c, "/after-cancel")
}
