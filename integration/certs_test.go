package integration

import (
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ferryftp/ftp/internal/server"
)

// testCertificate is the test CA and server certificate, made once per
// test binary by the project's one certificate maker, with an RSA server
// key: ProFTPD's TLSRSACertificateFile and vsftpd's rsa_cert_file expect
// one, and the key is PKCS#1 ("RSA PRIVATE KEY"), which every daemon's
// OpenSSL reads.
type testCertificate struct{ *server.Certificate }

// certFiles are the paths testCertificate.write produced.
type certFiles struct {
	cert, key, combo string
}

// testCert returns the binary's test certificate, generating it on the
// first call.
var testCert = sync.OnceValues(func() (*testCertificate, error) {
	c, err := server.NewCertificate(server.CertOptions{RSA: true, Validity: 24 * time.Hour})
	if err != nil {
		return nil, err
	}
	return &testCertificate{c}, nil
})

// write stores the certificate, the key, and both in one file (Pure-FTPd's
// format) in dir, readable by root only.
func (c *testCertificate) write(dir string) (certFiles, error) {
	f := certFiles{
		cert:  filepath.Join(dir, "server.crt"),
		key:   filepath.Join(dir, "server.key"),
		combo: filepath.Join(dir, "server.pem"),
	}
	combo := append(append([]byte{}, c.CertPEM...), c.KeyPEM...)
	for path, data := range map[string][]byte{f.cert: c.CertPEM, f.key: c.KeyPEM, f.combo: combo} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return certFiles{}, err
		}
	}
	return f, nil
}
