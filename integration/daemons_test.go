package integration

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Kind names one of the FTP daemons the harness can run.
type Kind int

// The daemons, in the order tests iterate over them.
const (
	Vsftpd Kind = iota
	ProFTPD
	PureFTPd
	Pyftpdlib
)

// Kinds lists every daemon, for tests that cover them all.
var Kinds = []Kind{Vsftpd, ProFTPD, PureFTPd, Pyftpdlib}

// String returns the daemon's usual name, used in subtest names.
func (k Kind) String() string {
	switch k {
	case Vsftpd:
		return "vsftpd"
	case ProFTPD:
		return "proftpd"
	case PureFTPd:
		return "pure-ftpd"
	case Pyftpdlib:
		return "pyftpdlib"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Supports reports whether the daemon can run in the given TLS mode.
func (k Kind) Supports(m TLSMode) bool {
	d, ok := daemons[k]
	if !ok {
		return false
	}
	switch m {
	case Plain, Explicit:
		return true
	case Implicit:
		return d.implicit
	}
	return false
}

// TLSMode says how a daemon instance protects its control connection.
type TLSMode int

// TLS modes. Explicit and Implicit instances refuse cleartext logins and
// require PROT P on data connections.
const (
	Plain    TLSMode = iota // no TLS at all
	Explicit                // AUTH TLS on the control connection (RFC 4217)
	Implicit                // TLS from the first byte (the old port-990 style)
)

// TLSModes lists every mode, for tests that cover them all.
var TLSModes = []TLSMode{Plain, Explicit, Implicit}

// String returns the mode's name, used in subtest names.
func (m TLSMode) String() string {
	switch m {
	case Plain:
		return "plain"
	case Explicit:
		return "explicit"
	case Implicit:
		return "implicit"
	}
	return "TLSMode(" + strconv.Itoa(int(m)) + ")"
}

// Instance is a running daemon. Instances are shared between tests; a test
// that writes should do so below Scratch.
type Instance struct {
	Kind Kind
	TLS  TLSMode
	// Version is the daemon's Debian package version.
	Version string

	// Addr is the control connection's host:port on 127.0.0.1.
	Addr string
	// User and Password log in; the user may read and write RootDir.
	User, Password string
	// RootDir is the local path of the directory served as "/".
	RootDir string

	// CertPool holds the test CA that signed the server certificate, which
	// is valid for 127.0.0.1 and localhost.
	CertPool *x509.CertPool
	// ServerName is the name to verify and to key TLS session caches by.
	ServerName string
	// ReuseRequired is true when the daemon refuses a PROT P data
	// connection whose TLS session is not resumed from the control one.
	ReuseRequired bool
	// PassivePorts is the inclusive range the daemon uses for PASV/EPSV.
	PassivePorts [2]int
	// Quirks describes behaviour a client test must allow for.
	Quirks []string
	// StartupTime is how long starting the daemon took, until its
	// greeting.
	StartupTime time.Duration

	proc     *process
	scratchN atomic.Int64
}

// TLSConfig returns a new client configuration for one control connection
// and its data connections: it trusts the test CA, sets ServerName, and
// has its own session cache, as FTPS session reuse requires.
func (in *Instance) TLSConfig() *tls.Config {
	return &tls.Config{
		RootCAs:            in.CertPool,
		ServerName:         in.ServerName,
		ClientSessionCache: tls.NewLRUClientSessionCache(8),
	}
}

// ResumesTLS reports whether the daemon's data connections resume the
// control connection's TLS session at the given version, for a client that
// keeps one session cache per control connection (see TLSConfig).
func (in *Instance) ResumesTLS(version uint16) bool {
	if in.TLS == Plain {
		return false
	}
	return version != tls.VersionTLS13 || !daemons[in.Kind].noTLS13Tickets
}

// Scratch makes an empty directory below RootDir that the FTP user owns,
// removed when t ends. It returns the directory's FTP path and local path.
func (in *Instance) Scratch(t testing.TB) (ftpPath, localPath string) {
	t.Helper()
	name := fmt.Sprintf("scratch-%d", in.scratchN.Add(1))
	localPath = filepath.Join(in.RootDir, name)
	if err := os.Mkdir(localPath, 0o755); err != nil {
		t.Fatalf("integration: %v", err)
	}
	if err := chownToFTPUser(localPath); err != nil {
		t.Fatalf("integration: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(localPath) })
	return "/" + name, localPath
}

// LogTail returns the end of the daemon's logs, for failure messages.
func (in *Instance) LogTail() string { return in.proc.logsSince(nil) }

// daemon is what each daemon file registers: how to check that it can run
// here and how to configure and launch it.
type daemon struct {
	implicit      bool
	reuseRequired bool
	// noTLS13Tickets: the daemon issues no TLS 1.3 session tickets, so
	// nothing can be resumed at that version.
	noTLS13Tickets bool
	quirks         []string
	// available returns nil or an *UnavailableError.
	available func() error
	// launch writes the configuration into dir and returns the command line.
	launch  func(c *launchConfig) (argv []string, err error)
	version func() string
}

// launchConfig is what a daemon needs to know to write its configuration.
type launchConfig struct {
	mode      TLSMode
	dir       string // per-instance directory for configuration and logs
	rootDir   string
	port      int
	pasvLo    int
	pasvHi    int
	certFile  string // server certificate chain, PEM
	keyFile   string // its RSA key, PEM
	comboFile string // certificate chain and key in one file
	// perClient, if not 0, is how many connections the daemon accepts
	// from one client address at once (vsftpd max_per_ip, ProFTPD
	// MaxClientsPerHost, Pure-FTPd --maxclientsperip, pyftpdlib
	// max_cons_per_ip); 0 leaves it unlimited for the tests' purposes.
	perClient int
	// logFiles is filled in by launch with extra logs worth showing.
	logFiles []string
}

var daemons = map[Kind]*daemon{}

// registry holds the shared instances, started on first use.
var registry struct {
	mu        sync.Mutex
	instances map[instanceKey]*sharedInstance
}

type instanceKey struct {
	kind      Kind
	mode      TLSMode
	perClient int
}

type sharedInstance struct {
	once sync.Once
	in   *Instance
	err  error
}

// Start returns the running instance of kind in mode, starting it on first
// use. It skips or fails t, according to FERRY_INTEGRATION, when the daemon
// is not installed or cannot run here, and fails t when the daemon does not
// start. If t fails, the daemon's log lines written during t are logged.
func Start(t testing.TB, kind Kind, mode TLSMode) *Instance {
	t.Helper()
	return start(t, kind, mode, 0)
}

// StartLimited is Start for an instance that accepts at most perClient
// connections from one client address at once, refusing more the way
// the daemon does (421 or 530).
func StartLimited(t testing.TB, kind Kind, mode TLSMode, perClient int) *Instance {
	t.Helper()
	return start(t, kind, mode, perClient)
}

func start(t testing.TB, kind Kind, mode TLSMode, perClient int) *Instance {
	t.Helper()
	Require(t, kind)
	if !kind.Supports(mode) {
		t.Skipf("integration: %v has no %v TLS mode", kind, mode)
	}
	registry.mu.Lock()
	if registry.instances == nil {
		registry.instances = map[instanceKey]*sharedInstance{}
	}
	key := instanceKey{kind, mode, perClient}
	s := registry.instances[key]
	if s == nil {
		s = &sharedInstance{}
		registry.instances[key] = s
	}
	registry.mu.Unlock()

	s.once.Do(func() {
		begin := time.Now()
		s.in, s.err = startInstance(kind, mode, perClient)
		if s.in != nil {
			s.in.StartupTime = time.Since(begin)
		}
	})
	if s.err != nil {
		t.Fatalf("integration: %v", s.err)
	}
	mark := s.in.proc.logMarks()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("integration: %v/%v logs during this test:\n%s", kind, mode, s.in.proc.logsSince(mark))
		}
	})
	return s.in
}

// StopAll stops every instance Start has started. TestMain calls it after
// the tests, before checking for leaked goroutines.
func StopAll() {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	for key, s := range registry.instances {
		if s.in != nil {
			s.in.proc.stop()
		}
		delete(registry.instances, key)
	}
	removeSharedDir()
}

// startInstance starts a new, unshared instance; the caller stops it with
// in.proc.stop.
func startInstance(kind Kind, mode TLSMode, perClient int) (*Instance, error) {
	d := daemons[kind]
	if d == nil {
		return nil, &UnavailableError{Kind: kind, Reason: "no such daemon"}
	}
	if err := availability(kind); err != nil {
		return nil, err
	}
	cert, err := testCert()
	if err != nil {
		return nil, err
	}
	base, err := sharedDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(base, fmt.Sprintf("%v-%v-", kind, mode))
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	files, err := cert.write(dir)
	if err != nil {
		return nil, err
	}
	root := filepath.Join(dir, "root")
	if err := writeFixtures(root); err != nil {
		return nil, err
	}
	lo, hi := passiveRange()
	in := &Instance{
		Kind:          kind,
		TLS:           mode,
		Version:       d.version(),
		User:          ftpUser,
		Password:      ftpPassword,
		RootDir:       root,
		CertPool:      cert.Pool,
		ServerName:    "127.0.0.1",
		ReuseRequired: mode != Plain && d.reuseRequired,
		PassivePorts:  [2]int{lo, hi},
		Quirks:        d.quirks,
	}
	// A free port can be taken by someone else before the daemon binds
	// it; the daemon then exits at once and another port is tried.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		lc := &launchConfig{
			mode: mode, dir: dir, rootDir: root, port: port, pasvLo: lo, pasvHi: hi,
			certFile: files.cert, keyFile: files.key, comboFile: files.combo,
			perClient: perClient,
		}
		argv, err := d.launch(lc)
		if err != nil {
			return nil, fmt.Errorf("%v/%v: configure: %w", kind, mode, err)
		}
		in.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		p, err := startProcess(fmt.Sprintf("%v/%v", kind, mode), dir, argv, lc.logFiles)
		if err != nil {
			return nil, err
		}
		var tlsConf *tls.Config
		if mode == Implicit {
			tlsConf = in.TLSConfig()
		}
		if err := p.waitReady(in.Addr, tlsConf, 15*time.Second); err != nil {
			p.stop()
			lastErr = err
			continue
		}
		in.proc = p
		return in, nil
	}
	return nil, lastErr
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// passiveRange hands out disjoint 40-port ranges below Linux's ephemeral
// range (32768-60999), so passive ports never collide with the source ports
// of outgoing connections. The start depends on the process id so that
// concurrent test binaries tend to use different ranges; a daemon that
// finds a port busy tries another one anyway.
func passiveRange() (lo, hi int) {
	const first, last, size = 10000, 32000, 40
	slots := (last - first) / size
	n := int(passiveNext.Add(1))
	slot := (os.Getpid()*7 + n) % slots
	lo = first + slot*size
	return lo, lo + size - 1
}

var passiveNext atomic.Int64

// perClientOr is the perClient setting for a daemon's configuration, or
// unlimited (the daemon's word for it) when 0.
func perClientOr(n int, unlimited string) string {
	if n == 0 {
		return unlimited
	}
	return strconv.Itoa(n)
}
