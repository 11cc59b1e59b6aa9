package cli_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/spf13/afero"
	"go.uber.org/goleak"

	"github.com/ferryftp/ftp/internal/cli"
	"github.com/ferryftp/ftp/internal/ftptest"
)

// leakCheckedM runs the tests, then fails the run if goroutines leaked.
type leakCheckedM struct{ m *testing.M }

func (l leakCheckedM) Run() int {
	code := l.m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			return 1
		}
	}
	return code
}

func TestMain(m *testing.M) {
	if os.Getenv("FERRY_TEST_AS_FERRY") == "1" {
		// A child of a terminal test (pty_test.go), run as cmd/ferry runs.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		context.AfterFunc(ctx, stop)
		os.Exit(cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
	}
	testscript.Main(leakCheckedM{m}, map[string]func(){"ferry": ferryMain})
}

// ferryMain is cmd/ferry's main, plus a note of the exit status for the
// scripts to match: "[exit N]", and with "Tms after SIGINT" when the
// process was interrupted, so a script can check how fast it stopped.
func ferryMain() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	context.AfterFunc(ctx, stop)
	var sigAt atomic.Pointer[time.Time]
	sigc := make(chan os.Signal, 1)
	got := make(chan struct{})
	signal.Notify(sigc, os.Interrupt)
	go func() {
		<-sigc
		now := time.Now()
		sigAt.Store(&now)
		close(got)
	}()
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	if code != 0 {
		note := fmt.Sprintf("[exit %d", code)
		if code == cli.ExitInterrupted {
			// The note's goroutine may not have run yet.
			select {
			case <-got:
			case <-time.After(time.Second):
			}
		}
		if t := sigAt.Load(); t != nil {
			note += fmt.Sprintf(" %dms after SIGINT", time.Since(*t).Milliseconds())
		}
		fmt.Fprintln(os.Stderr, note+"]")
	}
	os.Exit(code)
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			// No real ~/.netrc, a fixed zone for listed times.
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("TZ", "UTC")
			env.Setenv("FTP_PASSWORD", "")
			env.Setenv("NETRC", "")
			// Under -race every process otherwise sleeps a second at exit.
			env.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"ftpserve":  cmdServe,
			"ftpfault":  cmdFault,
			"listserve": cmdListServe,
			"mkfile":    cmdMkfile,
			"freeport":  cmdFreeport,
			"chmod":     cmdChmod,
			"touch":     cmdTouch,
			"sleep":     cmdSleep,
			"emptydir":  cmdEmptyDir,
			"crlf":      cmdCRLF,
			"waitport":  cmdWaitPort,
			"waitsize":  cmdWaitSize,
		},
	})
}

var servers sync.Map // *testscript.TestScript -> *ftptest.Server

// cmdServe starts an in-process server for the script:
//
//	ftpserve [-tls explicit|implicit] [-ro] [-users u:p,...] [-nomlsd] [-nohash] [-strict] DIR
//
// It serves DIR (relative to $WORK) and sets $FTP (host:port) and $URL
// (ftp:// or ftps:// and the address); with TLS, $WORK/ca.pem holds the
// CA certificate.
func cmdServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! ftpserve")
	}
	fs := flag.NewFlagSet("ftpserve", flag.ContinueOnError)
	tlsMode := fs.String("tls", "none", "")
	ro := fs.Bool("ro", false, "")
	users := fs.String("users", "", "")
	noMLSD := fs.Bool("nomlsd", false, "")
	noHash := fs.Bool("nohash", false, "")
	strict := fs.Bool("strict", false, "")
	ts.Check(fs.Parse(args))
	if fs.NArg() != 1 {
		ts.Fatalf("usage: ftpserve [flags] DIR")
	}
	dir := ts.MkAbs(fs.Arg(0))
	ts.Check(os.MkdirAll(dir, 0o755))
	opts := ftptest.Options{
		FS:          afero.NewBasePathFs(afero.NewOsFs(), dir),
		ReadOnly:    *ro,
		EnableHASH:  !*noHash,
		DisableMLSD: *noMLSD,
		DisableMLST: *noMLSD,
	}
	switch *tlsMode {
	case "none":
	case "explicit":
		opts.TLS = ftptest.TLSExplicit
		opts.RequireSessionReuse = *strict
	case "implicit":
		opts.TLS = ftptest.TLSImplicit
		opts.RequireSessionReuse = *strict
	default:
		ts.Fatalf("unknown -tls %q", *tlsMode)
	}
	if *users != "" {
		opts.Users = map[string]string{}
		for _, up := range strings.Split(*users, ",") {
			u, p, _ := strings.Cut(up, ":")
			opts.Users[u] = p
		}
	}
	srv, err := ftptest.Start(opts)
	ts.Check(err)
	ts.Defer(func() { srv.Close() })
	servers.Store(ts, srv)
	ts.Setenv("FTP", srv.Addr())
	ts.Setenv("URL", srv.URL())
	if opts.TLS != ftptest.TLSNone {
		ts.Check(os.WriteFile(ts.MkAbs("ca.pem"), srv.CACertPEM(), 0o644))
	}
}

// cmdFault sets the running server's faults:
//
//	ftpfault stall|truncate|fail AFTER
//	ftpfault hangup VERB
//	ftpfault none
func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := servers.Load(ts)
	if !ok || neg || len(args) == 0 {
		ts.Fatalf("usage: ftpfault KIND [ARG] after ftpserve")
	}
	srv := v.(*ftptest.Server)
	var f ftptest.Faults
	switch args[0] {
	case "none":
	case "hangup":
		if len(args) != 2 {
			ts.Fatalf("usage: ftpfault hangup VERB")
		}
		f.HangupOn = args[1]
	case "stall", "truncate", "fail":
		if len(args) != 2 {
			ts.Fatalf("usage: ftpfault %s AFTER", args[0])
		}
		n, err := strconv.ParseInt(args[1], 10, 64)
		ts.Check(err)
		f.After = n
		f.Transfer = map[string]ftptest.TransferFault{"stall": ftptest.Stall, "truncate": ftptest.Truncate, "fail": ftptest.Fail}[args[0]]
	default:
		ts.Fatalf("unknown fault %q", args[0])
	}
	ts.Check(srv.SetFaults(f))
}

// cmdMkfile writes SIZE deterministic pseudo-random bytes to NAME.
func cmdMkfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkfile NAME SIZE")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	data := make([]byte, n)
	rng := rand.NewChaCha8([32]byte{byte(n), byte(n >> 8), 'f'})
	_, _ = rng.Read(data)
	name := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(name), 0o755))
	ts.Check(os.WriteFile(name, data, 0o644))
}

// cmdFreeport sets $PORT to a free loopback port.
func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := l.Addr().(*net.TCPAddr).Port
	ts.Check(l.Close())
	ts.Setenv("PORT", strconv.Itoa(port))
}

// cmdChmod sets a file's permission bits: chmod 600 FILE.
func cmdChmod(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: chmod MODE FILE")
	}
	mode, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	ts.Check(os.Chmod(ts.MkAbs(args[1]), os.FileMode(mode)))
}

// cmdTouch sets a file's modification time to an RFC 3339 time.
func cmdTouch(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: touch TIME FILE")
	}
	t, err := time.Parse(time.RFC3339, args[0])
	ts.Check(err)
	ts.Check(os.Chtimes(ts.MkAbs(args[1]), t, t))
}

// cmdSleep pauses the script: sleep DURATION.
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}

// cmdCRLF gives a text file CRLF line ends, as on Windows: crlf FILE.
func cmdCRLF(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: crlf FILE")
	}
	name := ts.MkAbs(args[0])
	b, err := os.ReadFile(name)
	ts.Check(err)
	ts.Check(os.WriteFile(name, bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")), 0o644))
}

// cmdEmptyDir checks that a directory has no entries: emptydir DIR (with
// !, that it has some).
func cmdEmptyDir(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: emptydir DIR")
	}
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	if neg != (len(entries) != 0) {
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		ts.Fatalf("%s holds %q", args[0], names)
	}
}

// cmdWaitPort waits until something listens on a loopback port (a server
// started in the background): waitport PORT.
// cmdWaitSize waits until FILE (relative to $WORK) holds at least N
// bytes: a transfer is then under way, whatever the machine's load.
//
//	waitsize FILE N
func cmdWaitSize(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitsize FILE N")
	}
	n, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		ts.Fatalf("waitsize: %v", err)
	}
	name := ts.MkAbs(args[0])
	deadline := time.Now().Add(15 * time.Second)
	for {
		st, err := os.Stat(name)
		if err == nil && st.Size() >= n {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not reach %d bytes: %v", args[0], n, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func cmdWaitPort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitport PORT")
	}
	addr := net.JoinHostPort("127.0.0.1", args[0])
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("nothing listens on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
