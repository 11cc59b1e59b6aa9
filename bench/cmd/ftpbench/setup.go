package main

import (
	"bufio"
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
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The login the test daemons use (scripts/install-test-daemons creates it).
const (
	ftpUser     = "ferrytest"
	ftpPassword = "ferry-test-password"
	pamService  = "ferry-ftp-test"
)

// tree makes the served root: big (sparse, size bytes), small/fNNNN (files
// of 4 KiB), up/ for uploads; and local/big to upload from.
func tree(dir string, size int64, files int) (root string, err error) {
	root = filepath.Join(dir, "root")
	for _, d := range []string{"root/small", "root/up", "local", "out"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return "", err
		}
	}
	for _, p := range []string{"root/big", "local/big"} {
		f, err := os.Create(filepath.Join(dir, p))
		if err != nil {
			return "", err
		}
		err = f.Truncate(size)
		f.Close()
		if err != nil {
			return "", err
		}
	}
	block := make([]byte, 4<<10)
	for i := range files {
		rand.Read(block)
		if err := os.WriteFile(filepath.Join(root, "small", smallName(i)), block, 0o644); err != nil {
			return "", err
		}
	}
	u, err := user.Lookup(ftpUser)
	if err != nil {
		return "", fmt.Errorf("%w (run scripts/install-test-daemons)", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	err = filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	return root, err
}

func smallName(i int) string { return fmt.Sprintf("f%04d", i) }

// certificate writes a CA (ca.pem) and a server certificate for 127.0.0.1
// signed by it (cert.pem, key.pem, RSA as vsftpd's rsa_cert_file wants).
func certificate(dir string) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ferry bench CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	write := func(name, typ string, b []byte) error {
		return os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600)
	}
	if err := write("ca.pem", "CERTIFICATE", caDER); err != nil {
		return err
	}
	if err := write("cert.pem", "CERTIFICATE", der); err != nil {
		return err
	}
	return write("key.pem", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
}

// vsftpd starts the unpacked vsftpd on 127.0.0.1:port serving root, with
// explicit TLS (session reuse required, as by default) if tls is set.
func vsftpd(binary, dir, root string, port, pasvLo int, tls bool) (*exec.Cmd, error) {
	name := "plain"
	if tls {
		name = "tls"
	}
	empty := filepath.Join(dir, "empty")
	os.MkdirAll(empty, 0o755)
	conf := []string{
		"listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1",
		fmt.Sprintf("listen_port=%d", port), "background=NO",
		"anonymous_enable=NO", "local_enable=YES", "write_enable=YES", "local_umask=022",
		"pam_service_name=" + pamService, "local_root=" + root,
		"chroot_local_user=YES", "allow_writeable_chroot=YES",
		"seccomp_sandbox=NO", "isolate=NO", "isolate_network=NO",
		"secure_chroot_dir=" + empty, "nopriv_user=nobody",
		"pasv_enable=YES", fmt.Sprintf("pasv_min_port=%d", pasvLo), fmt.Sprintf("pasv_max_port=%d", pasvLo+99),
		"connect_from_port_20=NO", "max_clients=0", "max_per_ip=0",
		"xferlog_enable=NO", "use_localtime=NO",
	}
	if tls {
		conf = append(conf, "ssl_enable=YES", "ssl_ciphers=HIGH", "ssl_tlsv1=YES", "ssl_sslv2=NO", "ssl_sslv3=NO",
			"rsa_cert_file="+filepath.Join(dir, "cert.pem"), "rsa_private_key_file="+filepath.Join(dir, "key.pem"),
			"require_ssl_reuse=YES", "force_local_logins_ssl=YES", "force_local_data_ssl=YES", "ssl_request_cert=NO")
	} else {
		conf = append(conf, "ssl_enable=NO")
	}
	path := filepath.Join(dir, "vsftpd-"+name+".conf")
	if err := os.WriteFile(path, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, path)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "220") {
				return cmd, nil
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			return nil, fmt.Errorf("vsftpd (%s) did not greet on %s", name, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freePort returns a TCP port free on 127.0.0.1 now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
