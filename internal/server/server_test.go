package server

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDefaultLoggerIsSilent: ftpserverlib must not reach stderr: every
// record goes through the redacting handler, over a discarding one by
// default.
func TestDefaultLoggerIsSilent(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, ok := s.ftp.Logger.Handler().(*redactHandler)
	if !ok || h.inner != slog.DiscardHandler {
		t.Fatalf("ftpserverlib logger handler = %T, want redactHandler over DiscardHandler", s.ftp.Logger.Handler())
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"PASS hunter2": "PASS ****",
		"pass hunter2": "pass ****",
		"ACCT secret":  "ACCT ****",
		"USER alice":   "USER alice",
		"PASS":         "PASS",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNewCertificate: both key types make a chain that verifies for every
// name the server answers to, and PEM that crypto/tls loads as a key pair
// (what the real daemons are given).
func TestNewCertificate(t *testing.T) {
	for _, opts := range []CertOptions{{}, {RSA: true, Validity: time.Hour}} {
		c, err := NewCertificate(opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
			if _, err := c.TLS.Leaf.Verify(x509.VerifyOptions{Roots: c.Pool, DNSName: name}); err != nil {
				t.Errorf("RSA=%v: does not verify for %s: %v", opts.RSA, name, err)
			}
		}
		pair, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
		if err != nil {
			t.Fatalf("RSA=%v: PEM: %v", opts.RSA, err)
		}
		if _, isRSA := pair.PrivateKey.(*rsa.PrivateKey); isRSA != opts.RSA {
			t.Errorf("RSA=%v: key is %T", opts.RSA, pair.PrivateKey)
		}
		if block, _ := pem.Decode(c.CAPEM); block == nil || block.Type != "CERTIFICATE" {
			t.Errorf("RSA=%v: CA PEM %q", opts.RSA, c.CAPEM)
		}
		want := opts.Validity
		if want == 0 {
			want = DefaultCertValidity
		}
		if got := time.Until(c.TLS.Leaf.NotAfter); got > want || got < want-time.Minute {
			t.Errorf("RSA=%v: valid for %v more, want %v", opts.RSA, got, want)
		}
	}
}
