package ftptest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/ferryftp/ftp/internal/server"
)

var tlsVersions = []uint16{tls.VersionTLS12, tls.VersionTLS13}

func TestExplicitTLS(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			s := New(t, Options{TLS: TLSExplicit, TLSMinVersion: v, TLSMaxVersion: v})
			c := dial(t, s, s.ClientTLSConfig())
			if feat := c.cmd(211, "FEAT"); !strings.Contains(feat, "AUTH TLS") {
				t.Fatalf("FEAT lacks AUTH TLS: %q", feat)
			}
			c.authTLS()
			if got := tlsVersion(c); got != v {
				t.Fatalf("control TLS version %s, want %s", tls.VersionName(got), tls.VersionName(v))
			}
			c.login("u", "p")
			c.protP()
			payload := bytes.Repeat([]byte{0, 1, 2, 3, 0xff}, 50000)
			if r := c.transfer("STOR blob", payload, false); r.code != 226 || r.dataErr != nil {
				t.Fatalf("STOR: %+v", r)
			}
			if r := c.transfer("RETR blob", nil, false); r.code != 226 || !bytes.Equal(r.data, payload) {
				t.Fatalf("RETR: code %d, %d bytes, %v", r.code, len(r.data), r.dataErr)
			}
			if r := c.transfer("LIST", nil, true); r.code != 226 || !strings.Contains(string(r.data), "blob") {
				t.Fatalf("LIST: %+v", r)
			}
			c.quit()
			for i, dc := range s.DataConns() {
				if !dc.TLS || dc.Version != v || dc.Refused {
					t.Errorf("DataConns[%d] = %+v, want TLS %s", i, dc, tls.VersionName(v))
				}
			}
		})
	}
}

func TestImplicitTLS(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			s := New(t, Options{TLS: TLSImplicit, TLSMaxVersion: v})
			if !strings.HasPrefix(s.URL(), "ftps://") {
				t.Errorf("URL = %q", s.URL())
			}
			c := dial(t, s, s.ClientTLSConfig())
			c.login("u", "p")
			if got := tlsVersion(c); got != v {
				t.Fatalf("control TLS version %s, want %s", tls.VersionName(got), tls.VersionName(v))
			}
			if r := c.transfer("STOR f", []byte("implicit"), false); r.code != 226 {
				t.Fatalf("STOR: %+v", r)
			}
			if r := c.transfer("RETR f", nil, false); r.code != 226 || string(r.data) != "implicit" {
				t.Fatalf("RETR: %+v", r)
			}
			if dcs := s.DataConns(); len(dcs) != 2 || !dcs[0].TLS || !dcs[1].TLS {
				t.Fatalf("DataConns = %+v", dcs)
			}
		})
	}
}

func TestCertificate(t *testing.T) {
	s := New(t, Options{TLS: TLSImplicit})
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CACertPEM()) {
		t.Fatal("CACertPEM does not parse")
	}
	if s.ServerName() != "localhost" {
		t.Errorf("ServerName = %q", s.ServerName())
	}
	for _, roots := range []*x509.CertPool{s.CertPool(), pool} {
		for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
			conn, err := tls.Dial("tcp", s.Addr(), &tls.Config{RootCAs: roots, ServerName: name})
			if err != nil {
				t.Errorf("verifying as %q: %v", name, err)
				continue
			}
			_ = conn.Close()
		}
	}
	// Another server's CA must not verify this one.
	other := New(t, Options{TLS: TLSImplicit})
	if conn, err := tls.Dial("tcp", s.Addr(), &tls.Config{RootCAs: other.CertPool(), ServerName: "localhost"}); err == nil {
		_ = conn.Close()
		t.Error("a foreign CA verified the server")
	}
	if plain := New(t, Options{}); plain.CertPool() != nil || plain.CACertPEM() != nil || plain.ClientTLSConfig() != nil {
		t.Error("plain server reports TLS material")
	}
}

func TestCallerTLSConfig(t *testing.T) {
	cert, err := server.NewCertificate(server.CertOptions{RSA: true})
	if err != nil {
		t.Fatal(err)
	}
	s := New(t, Options{TLS: TLSExplicit, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert.TLS}}})
	if s.CertPool() != nil {
		t.Error("CertPool set with a caller's certificate")
	}
	cfg := &tls.Config{RootCAs: cert.Pool, ServerName: cert.ServerName()}
	c := dial(t, s, cfg)
	c.authTLS()
	c.login("u", "p")
}

func TestTLSRequired(t *testing.T) {
	s := New(t, Options{TLS: TLSExplicit, TLSRequired: true})
	c := dial(t, s, s.ClientTLSConfig())
	c.cmd(421, "USER u")

	c = dial(t, s, s.ClientTLSConfig())
	c.authTLS()
	c.login("u", "p")
	if r := c.transfer("LIST", nil, false); r.mark != 421 {
		t.Fatalf("LIST without PROT P: %+v", r)
	}
}

func TestAUTHWithoutTLS(t *testing.T) {
	s := New(t, Options{})
	c := dial(t, s, nil)
	if code, _, err := c.send("AUTH TLS"); err != nil || code/100 != 5 {
		t.Fatalf("AUTH TLS on a plain server: %d, %v", code, err)
	}
	if feat := c.cmd(211, "FEAT"); strings.Contains(feat, "AUTH TLS") {
		t.Fatalf("plain server advertises AUTH TLS: %q", feat)
	}
}

// tlsClient logs in over explicit TLS with PROT P, using cfg for the
// control connection and its data connections.
func tlsClient(t *testing.T, s *Server, cfg *tls.Config) *rawClient {
	t.Helper()
	c := dial(t, s, cfg)
	c.authTLS()
	c.login("u", "p")
	c.protP()
	return c
}

func clientConfig(s *Server, cache tls.ClientSessionCache) *tls.Config {
	cfg := s.ClientTLSConfig()
	cfg.ClientSessionCache = cache
	return cfg
}

// expectHangup checks the control connection was closed after a refusal.
func expectHangup(t *testing.T, c *rawClient) {
	t.Helper()
	if _, _, err := c.read(); err == nil {
		t.Fatal("control connection still open after a refused data connection")
	}
}

func tlsVersion(c *rawClient) uint16 {
	st, _ := c.TLSState()
	return st.Version
}
