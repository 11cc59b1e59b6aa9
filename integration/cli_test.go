package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp/internal/cli"
)

// runFerry runs the ferry command in-process and returns its exit status,
// stdout and stderr.
func runFerry(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	env := map[string]string{"HOME": t.TempDir()}
	code := cli.Main(ctx, args, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	return code, stdout.String(), stderr.String()
}

// TestFerryTLSAuto: ferry's default --tls auto on every daemon. A plain
// instance refuses AUTH TLS (vsftpd with a 530, Pure-FTPd with a 500...)
// and the session goes on in plain text with one notice; a TLS instance is
// used with TLS and verified; a plain connection to an implicit-TLS port
// is told to use ftps:// well before the timeout.
func TestFerryTLSAuto(t *testing.T) {
	cert, err := testCert()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, cert.CAPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			Require(t, kind)
			plain := Start(t, kind, Plain)
			url := "ftp://" + ftpUser + ":" + ftpPassword + "@" + plain.Addr + "/"
			code, stdout, stderr := runFerry(t, "--retries", "0", "ls", url)
			if code != 0 || !strings.Contains(stdout, "hello.txt") {
				t.Fatalf("ls on a plain server: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if strings.Count(stderr, "refused AUTH TLS") != 1 {
				t.Errorf("want one notice of the plain-text fall back; stderr:\n%s", stderr)
			}
			if code, _, stderr := runFerry(t, "-q", "--retries", "0", "ls", url); code != 0 || stderr != "" {
				t.Errorf("-q: exit %d, stderr %q", code, stderr)
			}
			if code, _, _ := runFerry(t, "--retries", "0", "--tls", "explicit", "ls", url); code == 0 {
				t.Error("--tls explicit went on without TLS")
			}

			explicit := Start(t, kind, Explicit)
			url = "ftp://" + ftpUser + ":" + ftpPassword + "@" + explicit.Addr + "/"
			code, stdout, stderr = runFerry(t, "--retries", "0", "-d", "--ca", caFile, "ls", url)
			if code != 0 || !strings.Contains(stdout, "hello.txt") || !strings.Contains(stderr, "> PROT P") {
				t.Fatalf("ls with TLS: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			code, stdout, stderr = runFerry(t, "--retries", "0", "ls", url)
			if code != cli.ExitConnection || stdout != "" || !strings.Contains(stderr, "--ca FILE") {
				t.Errorf("unknown CA: exit %d, stdout %q, stderr %q; want exit 3 and advice", code, stdout, stderr)
			}
			// Plain text to a server that requires TLS: the refusal names
			// the flag that gets past it.
			code, _, stderr = runFerry(t, "--retries", "0", "--tls", "none", "ls", url)
			if code == 0 || !strings.Contains(stderr, "use --tls explicit") {
				t.Errorf("--tls none to a TLS-only server: exit %d, stderr %q; want advice to use --tls explicit", code, stderr)
			}

			if !kind.Supports(Implicit) {
				return
			}
			implicit := Start(t, kind, Implicit)
			start := time.Now()
			code, _, stderr = runFerry(t, "--retries", "0", "--timeout", "20s", "ls", "ftp://"+implicit.Addr+"/")
			if code != cli.ExitConnection || !strings.Contains(stderr, "use ftps://") {
				t.Errorf("plain to an implicit port: exit %d, stderr %q", code, stderr)
			}
			if d := time.Since(start); d > 8*time.Second {
				t.Errorf("took %v to tell, for a 20s timeout", d)
			}
		})
	}
}

// TestFerryErrors: on every daemon, what does not exist is said so, with
// a failing status, including a directory vsftpd and Pure-FTPd list as
// empty; and get of a directory says to use -r.
func TestFerryErrors(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			Require(t, kind)
			in := Start(t, kind, Plain)
			url := "ftp://" + ftpUser + ":" + ftpPassword + "@" + in.Addr + "/"
			code, stdout, stderr := runFerry(t, "-q", "--retries", "0", "ls", url+"no-such-dir")
			if code != cli.ExitPermanent || stdout != "" || !strings.Contains(stderr, "ls no-such-dir: no such directory") {
				t.Errorf("ls of a missing directory: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			code, _, stderr = runFerry(t, "-q", "--retries", "0", "get", "-o", filepath.Join(t.TempDir(), "x"), url+"no-such-file.txt")
			if code != cli.ExitPermanent || !strings.Contains(stderr, "get no-such-file.txt: no such file") {
				t.Errorf("get of a missing file: exit %d, stderr %q", code, stderr)
			}
			code, _, stderr = runFerry(t, "-q", "--retries", "0", "get", "-o", filepath.Join(t.TempDir(), "x"), url+"dir")
			if code != cli.ExitUsage || !strings.Contains(stderr, "dir is a directory: use get -r") {
				t.Errorf("get of a directory: exit %d, stderr %q", code, stderr)
			}
		})
	}
}
