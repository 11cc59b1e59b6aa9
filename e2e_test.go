package ftp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/conformance"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// startServer runs an in-process server for one test.
func startServer(t *testing.T, opts ftptest.Options) *ftptest.Server {
	t.Helper()
	srv, err := ftptest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// dialLogin dials srv with d and logs in anonymously.
func dialLogin(t *testing.T, srv *ftptest.Server, d ftp.Dialer) *ftp.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if d.TLS != ftp.TLSNone && d.TLSConfig == nil {
		d.TLSConfig = &tls.Config{RootCAs: srv.CertPool(), ServerName: srv.ServerName()}
	}
	c, err := d.Dial(ctx, srv.Addr())
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, "anonymous", ""); err != nil {
		t.Fatalf("Login: %v", err)
	}
	return c
}

// exerciseConn runs the checks the integration matrix runs on real
// daemons, at the root of the in-process server.
func exerciseConn(t *testing.T, c *ftp.Conn, size int) {
	t.Helper()
	conformance.Exercise(t, c, "/", size)
}

func TestEndToEndModes(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts ftptest.Options
		d    ftp.Dialer
	}{
		{"plain/EPSV", ftptest.Options{}, ftp.Dialer{}},
		{"plain/PASV", ftptest.Options{}, ftp.Dialer{DisableEPSV: true}},
		{"plain/active", ftptest.Options{}, ftp.Dialer{Active: true}},
		{"plain/LIST", ftptest.Options{DisableMLSD: true}, ftp.Dialer{}},
		{"explicit/TLS1.2", ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true, TLSMaxVersion: tls.VersionTLS12}, ftp.Dialer{TLS: ftp.TLSExplicit}},
		{"explicit/TLS1.3", ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true}, ftp.Dialer{TLS: ftp.TLSExplicit}},
		{"explicit/active", ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true}, ftp.Dialer{TLS: ftp.TLSExplicit, Active: true}},
		{"explicit/pinned", ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true}, ftp.Dialer{TLS: ftp.TLSExplicit, SessionReuse: ftp.ReusePinned}},
		{"implicit/TLS1.3", ftptest.Options{TLS: ftptest.TLSImplicit, RequireSessionReuse: true}, ftp.Dialer{TLS: ftp.TLSImplicit}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.opts)
			exerciseConn(t, dialLogin(t, srv, tc.d), 300<<10)
		})
	}
}

// TestTLSWithoutReuseRefused shows the strict server catches a client that
// does not resume: the refusal names session reuse.
func TestTLSWithoutReuseRefused(t *testing.T) {
	srv := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true})
	c := dialLogin(t, srv, ftp.Dialer{TLS: ftp.TLSExplicit, SessionReuse: ftp.ReuseOff})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.List(ctx, "")
	if err == nil {
		t.Fatal("LIST without session reuse succeeded against a server that requires it")
	}
	if !strings.Contains(err.Error(), "reuse") {
		t.Fatalf("error does not say why: %v", err)
	}
}

func TestTLSLargeTransfer(t *testing.T) {
	srv := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true})
	c := dialLogin(t, srv, ftp.Dialer{TLS: ftp.TLSExplicit})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	data := conformance.Data(5 << 20)
	if err := c.Store(ctx, "big", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	got, err := conformance.Download(ctx, c, "big", 0)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("download: %d bytes, %v", len(got), err)
	}
	// A zero-byte upload still needs its data-channel handshake.
	if err := c.Store(ctx, "empty", bytes.NewReader(nil)); err != nil {
		t.Fatalf("empty upload: %v", err)
	}
	if n, err := c.Size(ctx, "empty"); err != nil || n != 0 {
		t.Fatalf("Size(empty) = %d, %v", n, err)
	}
}

func TestTLSVerificationOnByDefault(t *testing.T) {
	srv := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := ftp.Dialer{TLS: ftp.TLSExplicit} // no RootCAs: the test CA is unknown
	c, err := d.Dial(ctx, srv.Addr())
	if err == nil {
		c.Close()
		t.Fatal("Dial verified a certificate from an unknown CA")
	}
	var uerr x509UnknownAuthority
	if !errors.As(err, &uerr.err) {
		t.Fatalf("Dial error = %v, want an unknown-authority error", err)
	}
}

func TestExplicitTLSRefusedIsAnError(t *testing.T) {
	srv := startServer(t, ftptest.Options{}) // plain: AUTH TLS refused
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := ftp.Dialer{TLS: ftp.TLSExplicit}
	c, err := d.Dial(ctx, srv.Addr())
	if err == nil {
		c.Close()
		t.Fatal("Dial fell back to plain text when AUTH TLS was refused")
	}
	var fe *ftp.Error
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "refused TLS") {
		t.Fatalf("err = %v, want the server's refusal", err)
	}
}

func TestTruncatedTransferIsAnError(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	afero.WriteFile(srv.FS(), "/f", conformance.Data(100<<10), 0o644)
	c := dialLogin(t, srv, ftp.Dialer{})
	if err := srv.SetFaults(ftptest.Faults{Transfer: ftptest.Truncate, After: 1000}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Size(ctx, "/f"); err != nil {
		t.Fatal(err)
	}
	got, err := conformance.Download(ctx, c, "/f", 0)
	if !errors.Is(err, ftp.ErrShortTransfer) {
		t.Fatalf("a download cut at %d bytes: err = %v, want ErrShortTransfer", len(got), err)
	}
	// A server that fails the transfer says so in its final reply.
	srv.SetFaults(ftptest.Faults{Transfer: ftptest.Fail, After: 1000})
	_, err = conformance.Download(ctx, c, "/f", 0)
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 550 {
		t.Fatalf("failed transfer: err = %v, want the server's 550", err)
	}
	srv.SetFaults(ftptest.Faults{})
	if err := c.NoOp(ctx); err != nil {
		t.Fatalf("connection unusable after a failed transfer: %v", err)
	}
}

func TestCancelStalledDownload(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	afero.WriteFile(srv.FS(), "/f", conformance.Data(1<<20), 0o644)
	c := dialLogin(t, srv, ftp.Dialer{})
	resume := make(chan struct{})
	defer close(resume)
	if err := srv.SetFaults(ftptest.Faults{Transfer: ftptest.Stall, After: 64 << 10, Resume: resume}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := conformance.Download(ctx, c, "/f", 0)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("cancel took %v", el)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if err := c.NoOp(ctx2); err != nil && !errors.Is(err, ftp.ErrBroken) {
		t.Fatalf("after cancel: %v, want success or ErrBroken", err)
	}
}

func TestServerHangsUp(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	c := dialLogin(t, srv, ftp.Dialer{})
	srv.SetFaults(ftptest.Faults{HangupOn: "*"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.NoOp(ctx)
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 421 || !ftp.IsTransient(err) {
		t.Fatalf("NOOP = %v, want a transient 421", err)
	}
}

func TestHashEndToEnd(t *testing.T) {
	srv := startServer(t, ftptest.Options{EnableHASH: true})
	afero.WriteFile(srv.FS(), "/f", []byte("hello\n"), 0o644)
	c := dialLogin(t, srv, ftp.Dialer{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	algo, sum, err := c.Hash(ctx, "/f", "")
	if err != nil {
		t.Fatal(err)
	}
	const want = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" // sha256("hello\n")
	if algo != ftp.HashSHA256 || sum != want {
		t.Fatalf("Hash = %s %s, want SHA-256 %s", algo, sum, want)
	}
}

// x509UnknownAuthority wraps the error type crypto/x509 returns for an
// unknown issuer, so the test reads as what it checks.
type x509UnknownAuthority struct{ err x509.UnknownAuthorityError }
