package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// testCertificate is a test CA and a server certificate it signed, made
// once per test binary.
type testCertificate struct {
	pool    *x509.CertPool
	caPEM   []byte // the CA's certificate, for clients' --ca
	certPEM []byte // server certificate
	keyPEM  []byte // its private key (PKCS#8)
}

// certFiles are the paths testCertificate.write produced.
type certFiles struct {
	cert, key, combo string
}

// testCert returns the binary's test certificate, generating it on the
// first call.
var testCert = sync.OnceValues(newTestCertificate)

func newTestCertificate() (*testCertificate, error) {
	// The CA key can be ECDSA (fast to make), but the server key is RSA:
	// ProFTPD's TLSRSACertificateFile and vsftpd's rsa_cert_file expect it.
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("test CA key: %w", err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Ferry integration test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("test CA: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("test CA: %w", err)
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("server key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("server certificate: %w", err)
	}
	// PKCS#1 ("RSA PRIVATE KEY"): every daemon's OpenSSL reads it, and it
	// keeps the key type visible to ProFTPD's RSA-specific directive.
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &testCertificate{
		pool:    pool,
		caPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  keyPEM,
	}, nil
}

// write stores the certificate, the key, and both in one file (Pure-FTPd's
// format) in dir, readable by root only.
func (c *testCertificate) write(dir string) (certFiles, error) {
	f := certFiles{
		cert:  filepath.Join(dir, "server.crt"),
		key:   filepath.Join(dir, "server.key"),
		combo: filepath.Join(dir, "server.pem"),
	}
	combo := append(append([]byte{}, c.certPEM...), c.keyPEM...)
	for path, data := range map[string][]byte{f.cert: c.certPEM, f.key: c.keyPEM, f.combo: combo} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return certFiles{}, err
		}
	}
	return f, nil
}
