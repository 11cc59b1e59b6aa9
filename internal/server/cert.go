package server

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// certDNSName is the DNS name in generated server certificates, which are
// also valid for 127.0.0.1 and ::1.
const certDNSName = "localhost"

// DefaultCertValidity is how long a generated certificate is valid when
// CertOptions.Validity is zero; generous because `ferry serve` may run for
// days.
const DefaultCertValidity = 30 * 24 * time.Hour

// CertOptions selects what NewCertificate makes. The zero value makes an
// ECDSA P-256 key (generated in well under a millisecond) valid for
// DefaultCertValidity.
type CertOptions struct {
	// RSA makes the server key RSA 2048 instead, for daemons whose TLS
	// directives expect one (ProFTPD's TLSRSACertificateFile, vsftpd's
	// rsa_cert_file).
	RSA bool
	// Validity is how long the certificates are valid from now.
	Validity time.Duration
}

// Certificate is a throwaway certificate authority and a server certificate
// it signed, valid for "localhost", 127.0.0.1 and ::1. It is the one
// certificate maker of the project: the embedded server, its test kit, the
// fake servers and the real daemons of the integration tests all use it.
type Certificate struct {
	Pool    *x509.CertPool  // roots that verify the server certificate
	CAPEM   []byte          // the CA's certificate, PEM, for clients' --ca
	CertPEM []byte          // the server certificate, PEM
	KeyPEM  []byte          // its private key, PEM (PKCS#1 for RSA, PKCS#8 otherwise)
	TLS     tls.Certificate // the server certificate, CA and key, for a tls.Config
}

// ServerName is the DNS name the server certificate is valid for.
func (c *Certificate) ServerName() string { return certDNSName }

// NewCertificate makes a fresh CA and server certificate.
func NewCertificate(opts CertOptions) (*Certificate, error) {
	validity := opts.Validity
	if validity <= 0 {
		validity = DefaultCertValidity
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("server: CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{Organization: []string{"Ferry"}, CommonName: "Ferry throwaway CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("server: CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("server: CA certificate: %w", err)
	}

	var (
		key    crypto.Signer
		keyPEM []byte
		usage  = x509.KeyUsageDigitalSignature
	)
	if opts.RSA {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("server: server key: %w", err)
		}
		key = k
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
		usage |= x509.KeyUsageKeyEncipherment // TLS 1.2 RSA key exchange
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("server: server key: %w", err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, fmt.Errorf("server: server key: %w", err)
		}
		key = k
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{Organization: []string{"Ferry"}, CommonName: certDNSName},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validity),
		KeyUsage:     usage,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{certDNSName},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, key.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("server: server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("server: server certificate: %w", err)
	}

	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &Certificate{
		Pool:    pool,
		CAPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  keyPEM,
		TLS:     tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key, Leaf: leaf},
	}, nil
}

func randomSerial() *big.Int {
	// A 128-bit random serial; rand.Int cannot fail with crypto/rand.
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	return n
}
