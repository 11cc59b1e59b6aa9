package cli_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/ferryftp/ftp/internal/cli"
	"github.com/ferryftp/ftp/internal/fakeftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/ferryftp/ftp/internal/server"
)

// TestAdviceRequiresTLS: vsftpd's refusal of a plain-text login names the
// flag that gets past it; Pure-FTPd's, a 421, too, and is not retried.
func TestAdviceRequiresTLS(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 (vsFTPd 3.0.3)"),
		fakeftp.Expect("USER alice"),
		fakeftp.Reply("530 Non-anonymous sessions must use encryption."),
		fakeftp.Optional(),
		fakeftp.ExpectEOF(),
	})
	var stderr bytes.Buffer
	code := cli.Main(context.Background(), []string{"--tls", "none", "--retries", "0", "ls", "ftp://alice:pw@" + srv.Addr() + "/"},
		strings.NewReader(""), &bytes.Buffer{}, &stderr, nil)
	if code != cli.ExitLogin {
		t.Errorf("exit status %d, want %d", code, cli.ExitLogin)
	}
	if !strings.Contains(stderr.String(), "must use encryption") || !strings.Contains(stderr.String(), "use --tls explicit") {
		t.Errorf("stderr does not give the server's reason and --tls explicit:\n%s", stderr.String())
	}

	pure := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 Pure-FTPd"),
		fakeftp.Expect("USER alice"),
		fakeftp.Reply("421 Sorry, cleartext sessions and weak ciphers are not accepted on this server."),
		fakeftp.Optional(),
		fakeftp.ExpectEOF(),
	})
	stderr.Reset()
	code = cli.Main(context.Background(), []string{"--tls", "none", "--retries", "2", "ls", "ftp://alice:pw@" + pure.Addr() + "/"},
		strings.NewReader(""), &bytes.Buffer{}, &stderr, nil)
	if code == 0 || !strings.Contains(stderr.String(), "use --tls explicit") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestPlainToImplicitTLSRecord: a port that answers a plain connection
// with a TLS record (an alert, as some servers send to a client that does
// not speak TLS) is probed once with a handshake and named: use ftps://.
func TestPlainToImplicitTLSRecord(t *testing.T) {
	cert, err := server.NewCertificate(server.CertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert.TLS}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			c, err := l.Accept()
			if err != nil {
				return
			}
			if i == 0 {
				// A fatal TLS alert (protocol version), then hang up.
				c.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46})
				c.Close()
				continue
			}
			tc := tls.Server(c, cfg)
			tc.SetDeadline(time.Now().Add(5 * time.Second))
			tc.Handshake()
			io.Copy(io.Discard, tc)
			tc.Close()
		}
	}()
	var stderr bytes.Buffer
	start := time.Now()
	code := cli.Main(context.Background(), []string{"--retries", "0", "--timeout", "20s", "ls", "ftp://" + l.Addr().String() + "/"},
		strings.NewReader(""), &bytes.Buffer{}, &stderr, nil)
	l.Close()
	<-done
	if code != cli.ExitConnection || !strings.Contains(stderr.String(), "use ftps://"+l.Addr().String()+"/") {
		t.Errorf("exit %d, stderr %q; want 3 and advice to use ftps://", code, stderr.String())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestImplicitPortQuickly: every command, on a single connection (ls) or
// a pool (get, put), tells a plain URL to an implicit-TLS port after a
// quarter of the timeout (at most 3s), not at its end.
func TestImplicitPortQuickly(t *testing.T) {
	srv := ftptest.New(t, ftptest.Options{TLS: ftptest.TLSImplicit})
	dir := t.TempDir()
	local := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(local, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "ftp://" + srv.Addr() + "/"
	for _, args := range [][]string{{"ls", url}, {"get", url + "f.txt", filepath.Join(dir, "g.txt")}, {"put", local, url + "f.txt"}} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			start := time.Now()
			code := cli.Main(context.Background(), append([]string{"--retries", "0", "--timeout", "8s"}, args...),
				strings.NewReader(""), &bytes.Buffer{}, &stderr, nil)
			if code != cli.ExitConnection || !strings.Contains(stderr.String(), "use ftps://"+srv.Addr()+"/") {
				t.Errorf("exit %d, stderr %q", code, stderr.String())
			}
			if d := time.Since(start); d > 6*time.Second {
				t.Errorf("took %v for an 8s timeout", d)
			}
		})
	}
}

// TestShellKeepsItsConnections: transfers in the shell reuse one pool of
// connections from one command to the next instead of logging in for each.
func TestShellKeepsItsConnections(t *testing.T) {
	fs := afero.NewMemMapFs()
	for _, name := range []string{"/a.txt", "/b.txt", "/c.txt"} {
		afero.WriteFile(fs, name, []byte(name), 0o644)
	}
	srv := ftptest.New(t, ftptest.Options{FS: fs})
	dir := t.TempDir()
	script := "get a.txt " + filepath.Join(dir, "a.txt") + "\nget b.txt " + filepath.Join(dir, "b.txt") +
		"\nput " + filepath.Join(dir, "a.txt") + " up.txt\nmget c*\n"
	var stderr bytes.Buffer
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	code := cli.Main(context.Background(), []string{"-q", "shell", srv.URL() + "/"}, strings.NewReader(script), &bytes.Buffer{}, &stderr, nil)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, name := range []string{"a.txt", "b.txt", "c.txt"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	// The shell's own connection and one for transfers.
	if n := srv.ControlConns(); n != 2 {
		t.Errorf("%d control connections for four transfers in the shell, want 2", n)
	}
}
