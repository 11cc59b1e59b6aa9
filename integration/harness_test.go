package integration

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tlsVersions are the versions every TLS instance is tested with; plain
// instances run once, as version 0.
var tlsVersions = []uint16{tls.VersionTLS12, tls.VersionTLS13}

func versionName(v uint16) string {
	if v == 0 {
		return "noTLS"
	}
	return strings.ReplaceAll(tls.VersionName(v), " ", "")
}

// TestDaemons logs in to every daemon in every TLS mode it supports, with
// TLS 1.2 and 1.3, and lists, downloads and uploads over EPSV, PASV and
// active data connections, checking TLS session resumption where the
// daemon requires it.
func TestDaemons(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			for _, mode := range TLSModes {
				t.Run(mode.String(), func(t *testing.T) {
					if !kind.Supports(mode) {
						t.Skipf("%v has no %v TLS", kind, mode)
					}
					in := Start(t, kind, mode)
					t.Logf("%v/%v: %s on %s, started in %v", kind, mode, in.Version, in.Addr, in.StartupTime.Round(time.Millisecond))
					versions := tlsVersions
					if mode == Plain {
						versions = []uint16{0}
					}
					for _, v := range versions {
						t.Run(versionName(v), func(t *testing.T) {
							for _, dm := range dataModes {
								t.Run(dm.String(), func(t *testing.T) { exerciseDaemon(t, in, v, dm) })
							}
						})
					}
				})
			}
		})
	}
}

// exerciseDaemon runs LIST, RETR and STOR on one control connection.
func exerciseDaemon(t *testing.T, in *Instance, version uint16, dm dataMode) {
	c, err := dialRaw(in, in.TLS, version)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	defer c.close()
	checkTLS := func(what string, st *tls.ConnectionState) {
		t.Helper()
		if in.TLS == Plain {
			if st != nil {
				t.Errorf("%s: TLS on a plain instance", what)
			}
			return
		}
		if st == nil {
			t.Fatalf("%s: no TLS on the data connection", what)
		}
		if st.Version != version {
			t.Errorf("%s: TLS version %s, want %s", what, tls.VersionName(st.Version), tls.VersionName(version))
		}
		// Go resumes whenever the daemon issues tickets; the reuse-requiring
		// daemons would have refused the connection otherwise.
		if want := in.ResumesTLS(version); st.DidResume != want {
			t.Errorf("%s: data connection resumed the TLS session: %v, want %v", what, st.DidResume, want)
		}
	}

	listing, st, err := c.transfer(dm, nil, "LIST")
	if err != nil {
		t.Fatalf("LIST: %v", err)
	}
	checkTLS("LIST", st)
	for _, name := range []string{"hello.txt", "file with spaces.txt", "dir"} {
		if !bytes.Contains(listing, []byte(name)) {
			t.Errorf("LIST lacks %q:\n%s", name, listing)
		}
	}

	if _, err := c.cmd(200, "TYPE I"); err != nil {
		t.Fatal(err)
	}
	got, st, err := c.transfer(dm, nil, "RETR binary.bin")
	if err != nil {
		t.Fatalf("RETR: %v", err)
	}
	checkTLS("RETR", st)
	if want := fixtures["binary.bin"]; !bytes.Equal(got, want) {
		t.Errorf("RETR binary.bin: got %d bytes, want %d identical bytes", len(got), len(want))
	}

	// Big enough that vsftpd over TLS 1.3 fails it when the upload is not
	// ended with close_notify and a drain (servers.md).
	ftpDir, localDir := in.Scratch(t)
	upload := pseudoRandom(1 << 20)
	_, st, err = c.transfer(dm, upload, "STOR %s", path.Join(ftpDir, "up.bin"))
	if err != nil {
		t.Fatalf("STOR: %v", err)
	}
	checkTLS("STOR", st)
	stored, err := os.ReadFile(filepath.Join(localDir, "up.bin"))
	if err != nil {
		t.Fatalf("uploaded file: %v", err)
	}
	if !bytes.Equal(stored, upload) {
		t.Errorf("uploaded file has %d bytes, want %d identical bytes", len(stored), len(upload))
	}
	if err := c.quit(); err != nil {
		t.Errorf("QUIT: %v", err)
	}
}

// TestPlainLoginRefused checks that the TLS instances do what their
// configuration says: no cleartext login.
func TestPlainLoginRefused(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			in := Start(t, kind, Explicit)
			c, err := dialRaw(in, Plain, 0)
			if err == nil {
				c.close()
				t.Fatal("cleartext login accepted by an explicit-TLS instance")
			}
			t.Logf("refused as expected: %v", err)
		})
	}
}

// TestStopLeavesNoProcess starts a private instance of each daemon, opens
// a session (which forks a child in most of them) and checks that stopping
// it leaves no process and no listener behind.
func TestStopLeavesNoProcess(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			Require(t, kind)
			in, err := startInstance(kind, Plain, 0)
			if err != nil {
				t.Fatal(err)
			}
			stopped := false
			defer func() {
				if !stopped {
					in.proc.stop()
				}
			}()
			c, err := dialRaw(in, Plain, 0)
			if err != nil {
				t.Fatalf("login: %v\n%s", err, in.LogTail())
			}
			defer c.close()
			in.proc.stop()
			stopped = true
			if in.proc.alive() {
				t.Errorf("processes of group %d are still running after stop", in.proc.cmd.Process.Pid)
			}
			if conn, err := net.DialTimeout("tcp", in.Addr, time.Second); err == nil {
				conn.Close()
				t.Errorf("%s still accepts connections after stop", in.Addr)
			}
		})
	}
}

// TestDecideGate pins down FERRY_INTEGRATION's meaning without daemons.
func TestDecideGate(t *testing.T) {
	missing := func() error { return &UnavailableError{Kind: Vsftpd, Reason: "missing /x/vsftpd"} }
	present := func() error { return nil }
	tests := []struct {
		env     string
		short   bool
		avail   func() error
		want    gateAction
		mention []string
	}{
		{"", false, present, gateRun, nil},
		{"", false, missing, gateSkip, []string{"vsftpd", "/x/vsftpd", "scripts/install-test-daemons", "FERRY_INTEGRATION=require"}},
		{"require", false, missing, gateFail, []string{"vsftpd", "scripts/install-test-daemons"}},
		{"require", false, present, gateRun, nil},
		{"require", true, present, gateRun, nil},
		{"", true, present, gateSkip, []string{"-short"}},
		{"off", false, present, gateSkip, []string{"FERRY_INTEGRATION=off"}},
		{"skip-missing", false, missing, gateSkip, []string{"scripts/install-test-daemons"}},
		{"skip-missing", false, present, gateRun, nil},
		{"yes", false, present, gateFail, []string{`"yes"`, "require"}},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("env=%q,short=%v", tt.env, tt.short)
		action, msg := decideGate(tt.env, tt.short, Vsftpd, tt.avail)
		if action != tt.want {
			t.Errorf("%s: action %d, want %d (%s)", name, action, tt.want, msg)
		}
		for _, m := range tt.mention {
			if !strings.Contains(msg, m) {
				t.Errorf("%s: message %q does not mention %q", name, msg, m)
			}
		}
	}
}

// TestUnavailableErrorIsTyped checks that callers can tell a missing
// daemon from other start failures.
func TestUnavailableErrorIsTyped(t *testing.T) {
	var err error = fmt.Errorf("wrapped: %w", &UnavailableError{Kind: PureFTPd, Reason: "missing pure-pw"})
	var ue *UnavailableError
	if !errors.As(err, &ue) || ue.Kind != PureFTPd {
		t.Fatalf("errors.As failed for %v", err)
	}
	if _, err := startInstance(Kind(99), Plain, 0); !errors.As(err, &ue) {
		t.Errorf("startInstance(Kind(99)): %v, want *UnavailableError", err)
	}
	if Kind(99).Supports(Plain) {
		t.Error("Kind(99) claims to support plain FTP")
	}
}

// TestTestCertificate checks the generated certificate against the names
// the daemons are reached by.
func TestTestCertificate(t *testing.T) {
	c, err := testCert()
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"127.0.0.1", "localhost", "::1"} {
		if _, err := pair.Leaf.Verify(x509VerifyOptions(c, name)); err != nil {
			t.Errorf("certificate not valid for %s: %v", name, err)
		}
	}
	if _, err := pair.Leaf.Verify(x509VerifyOptions(c, "example.com")); err == nil {
		t.Error("certificate valid for example.com")
	}
}

func x509VerifyOptions(c *testCertificate, name string) x509.VerifyOptions {
	return x509.VerifyOptions{Roots: c.Pool, DNSName: name}
}
