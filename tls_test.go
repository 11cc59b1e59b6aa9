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
	"github.com/ferryftp/ftp/internal/ftptest"
)

// TestSTARTTLSInjection: plain-text bytes that arrive with the 234 reply,
// before the handshake, would be read as if TLS protected them.
func TestSTARTTLSInjection(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 hi"),
		fakeftp.Expect("AUTH TLS"),
		fakeftp.Raw("234 go ahead\r\n230 injected before TLS\r\n"),
		fakeftp.Optional(),
		fakeftp.ExpectEOF(),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d := ftp.Dialer{TLS: ftp.TLSExplicit}
	c, err := d.Dial(ctx, srv.Addr())
	if err == nil {
		c.Close()
		t.Fatal("Dial accepted plain text buffered after 234")
	}
	var pe *ftp.ProtocolError
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "plain text") {
		t.Fatalf("err = %v, want a ProtocolError about plain text after 234", err)
	}
}

func TestAuthTLSRefusedNoFallback(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 hi"),
		fakeftp.Expect("AUTH TLS"),
		fakeftp.Reply("534 TLS not available"),
		fakeftp.Optional(),
		fakeftp.ExpectEOF(),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d := ftp.Dialer{TLS: ftp.TLSExplicit}
	c, err := d.Dial(ctx, srv.Addr())
	if err == nil {
		c.Close()
		t.Fatal("Dial went on in plain text after AUTH TLS was refused")
	}
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 534 {
		t.Fatalf("err = %v, want the 534 refusal", err)
	}
	if len(srv.Received()) != 1 {
		t.Fatalf("sent after the refusal: %q", srv.Received())
	}
}

// TestServerNameForIPLiteral: dialling an IP with no ServerName must still
// resume sessions on data connections (crypto/tls keys its cache by
// ServerName, else by the remote address, which differs per data port).
func TestServerNameForIPLiteral(t *testing.T) {
	srv := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := ftp.Dialer{TLS: ftp.TLSExplicit, TLSConfig: &tls.Config{RootCAs: srv.CertPool()}}
	if !strings.HasPrefix(srv.Addr(), "127.0.0.1:") {
		t.Fatalf("server address %s is not an IP literal", srv.Addr())
	}
	c, err := d.Dial(ctx, srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "anonymous", ""); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := c.List(ctx, ""); err != nil {
			t.Fatalf("LIST %d over a resumed session: %v", i, err)
		}
	}
}

func TestClearDataChannel(t *testing.T) {
	srv := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit})
	c := dialLogin(t, srv, ftp.Dialer{TLS: ftp.TLSExplicit, ClearData: true})
	exerciseConn(t, c, 10<<10)
}

func TestCCCRefusedKeepsTLS(t *testing.T) {
	srv := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit})
	c := dialLogin(t, srv, ftp.Dialer{TLS: ftp.TLSExplicit})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.ClearCommandChannel(ctx)
	var fe *ftp.Error
	if !errors.As(err, &fe) {
		t.Fatalf("CCC against a server without it: %v, want its refusal", err)
	}
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("control connection left TLS after a refused CCC")
	}
	if err := c.NoOp(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestAuthTLSAutoFallsBack: under TLSAuto any 5xx to AUTH TLS, vsftpd's
// 530 included, means a server without TLS: the session goes on in plain
// text on the same connection.
func TestAuthTLSAutoFallsBack(t *testing.T) {
	for _, refusal := range []string{"500 This security scheme is not implemented", "530 Please login with USER and PASS.", "534 TLS not available", "504 Unknown command"} {
		t.Run(refusal[:3], func(t *testing.T) {
			srv := fakeftp.New(t, fakeftp.Script{
				fakeftp.Reply("220 hi"),
				fakeftp.Expect("AUTH TLS"),
				fakeftp.Reply(refusal),
				fakeftp.Expect("USER anonymous"),
				fakeftp.Reply("230 ok"),
				fakeftp.Expect("FEAT"),
				fakeftp.Reply("502 not implemented"),
				fakeftp.Optional(),
				fakeftp.ExpectEOF(),
			})
			d := quickDialer()
			d.TLS = ftp.TLSAuto
			c, err := d.Dial(fakeCtx(t), srv.Addr())
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer c.Close()
			if _, ok := c.TLSConnectionState(); ok {
				t.Error("TLSConnectionState reports TLS after a refused AUTH")
			}
			if err := c.Login(fakeCtx(t), "anonymous", "x@"); err != nil {
				t.Fatalf("Login in plain text: %v", err)
			}
		})
	}
}

// TestAuthTLSAutoNoFallbackOn4xx: a transient refusal is not "no TLS here".
func TestAuthTLSAutoNoFallbackOn4xx(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 hi"),
		fakeftp.Expect("AUTH TLS"),
		fakeftp.Reply("431 Need some unavailable resource"),
		fakeftp.Optional(),
		fakeftp.ExpectEOF(),
	})
	d := quickDialer()
	d.TLS = ftp.TLSAuto
	c, err := d.Dial(fakeCtx(t), srv.Addr())
	if err == nil {
		c.Close()
		t.Fatal("Dial went on in plain text after a 431")
	}
}

// TestAuthTLSAutoVerifies: under TLSAuto a server that accepts AUTH TLS
// is verified like under TLSExplicit; a certificate it cannot prove is an
// error, not a reason to go on in plain text.
func TestAuthTLSAutoVerifies(t *testing.T) {
	srv := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := ftp.Dialer{TLS: ftp.TLSAuto}
	if c, err := d.Dial(ctx, srv.Addr()); err == nil {
		c.Close()
		t.Fatal("Dial accepted a certificate from an unknown CA")
	} else if !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want a certificate error", err)
	}
	c := dialLogin(t, srv, ftp.Dialer{TLS: ftp.TLSAuto})
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("TLSAuto did not use the TLS the server offers")
	}
	exerciseConn(t, c, 10<<10)
}
