// Package cli implements ferry, the command-line FTP/FTPS client.
//
// Main is the whole program: cmd/ferry only wires it to the process's
// arguments, standard streams, environment and interrupt signal, so every
// command can be run and tested in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/alecthomas/kong"
	"golang.org/x/term"
)

// Globals are the flags accepted before (or after) any command.
type Globals struct {
	Debug      int              `short:"d" type:"counter" help:"Protocol trace on stderr, one line per command and reply; -dd adds raw lines. Passwords are masked."`
	TLS        string           `name:"tls" enum:"auto,none,explicit,implicit," default:"" placeholder:"MODE" help:"auto | explicit | none | implicit. auto (the default for ftp://) tries AUTH TLS, verified, and goes on in plain text only if the server has no TLS; explicit requires it; ftps:// means implicit."`
	CA         string           `name:"ca" placeholder:"FILE" help:"PEM bundle of the CAs to trust instead of the system's (as curl --cacert); implies --tls explicit for ftp:// URLs."`
	Insecure   bool             `help:"Skip certificate verification (warns on stderr)."`
	Active     bool             `help:"Active mode (EPRT/PORT); the default is passive (EPSV, falling back to PASV)."`
	NoEPSV     bool             `name:"no-epsv" help:"Never send EPSV (or EPRT)."`
	User       string           `short:"u" placeholder:"USER[:PASSWORD]" help:"User, and optionally the password (as curl -u); else the password comes from the URL, FTP_PASSWORD, the netrc file or a prompt."`
	Account    string           `placeholder:"ACCT" help:"Account sent with ACCT when the server asks (332)."`
	Netrc      bool             `short:"n" default:"true" negatable:"" help:"Look up logins and passwords in ~/.netrc (or $NETRC); on by default, --no-netrc turns it off."`
	NetrcFile  string           `name:"netrc-file" placeholder:"FILE" help:"Netrc file to use instead of ~/.netrc."`
	Timeout    time.Duration    `default:"30s" help:"Connect, per-reply, data-connect and data-idle timeout."`
	Retries    int              `default:"2" help:"Retry transient failures (4xx, dropped connections) with backoff, resuming transfers."`
	JSON       bool             `name:"json" help:"Machine-readable output (ls, stat, hash): JSON Lines."`
	Quiet      bool             `short:"q" help:"No progress, no chatter."`
	NoProgress bool             `name:"no-progress" help:"No progress bars (they are shown only on a terminal anyway)."`
	Version    kong.VersionFlag `help:"Print ferry's version and exit."`
}

// grammar is the whole command line.
type grammar struct {
	Globals
	clientCommands `embed:""`

	Shell  shellCmd  `cmd:"" help:"Interactive session: commands from the terminal or stdin."`
	Apply  applyCmd  `cmd:"" help:"Carry out a plan written by mirror --plan, or a shard of it (--shard I/N)."`
	Mirror mirrorCmd `cmd:"" help:"Synchronise a tree; the side given as a URL is remote."`
	Serve  serveCmd  `cmd:"" help:"Run an embedded FTP server on loopback, for trying things."`
	Demo   demoCmd   `cmd:"" help:"Start an embedded server, upload, list, download, verify, showing the dialogue."`
}

// clientCommands are the commands that work on one server: on the command
// line their URL arguments name it, in the shell (the same structs, parsed
// per line) they are paths on the shell's server.
type clientCommands struct {
	Ls    lsCmd    `cmd:"" help:"List a directory (MLSD when offered, else LIST, parsed). Lines of the listing that cannot be read are reported on stderr with their text, after the entries that could; the exit status is then 1."`
	Get   getCmd   `cmd:"" help:"Download files (- for stdout), or trees with -r."`
	Put   putCmd   `cmd:"" help:"Upload a file (- for stdin), or a tree with -r. Also: ferry -T FILE URL, as in curl."`
	Cat   catCmd   `cmd:"" help:"Write a remote file to stdout."`
	Rm    rmCmd    `cmd:"" help:"Remove a file, or a tree with -r."`
	Mkdir mkdirCmd `cmd:"" help:"Create a directory."`
	Rmdir rmdirCmd `cmd:"" help:"Remove an empty directory."`
	Mv    mvCmd    `cmd:"" help:"Rename a file or directory on the server."`
	Stat  statCmd  `cmd:"" help:"Show type, size and modification time."`
	Hash  hashCmd  `cmd:"" help:"Server-side checksum (HASH, XSHA256, XSHA1, XMD5, XCRC)."`
	Quote quoteCmd `cmd:"" help:"Send one raw command after login and print the reply."`
}

// app is what every command runs with: the parsed globals and the
// program's surroundings, which Main receives instead of reading os.*.
type app struct {
	g      *Globals
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string

	// isTerminal reports whether the stream is an interactive terminal;
	// only real *os.File terminals are.
	stdoutTTY bool
	stderrTTY bool
	stdinTTY  bool

	trace   *tracer
	creds   *credCache
	warming warmups // connections logging in ahead of the work
	// sh is the running shell, whose session the commands share and
	// whose URL arguments are paths; nil on the command line.
	sh *shell
}

// description heads the help text.
const description = `FTP and FTPS client.

URLs: ftp://[user[:password]@]host[:port]/path[;type=a|i] (TLS through AUTH
TLS when the server offers it; see --tls) and ftps://... (implicit TLS, port
990). Paths are relative to the login directory; start with // for an
absolute one. No user means anonymous.

Exit status: 0 success, 1 other error, 2 usage, 3 connection/TLS/timeout/
protocol failure, 4 login refused, 5 permanent FTP error (5xx), 6 transient
FTP error (4xx) after retries, 7 local I/O error, 8 transfer incomplete or
verification failed, 130 interrupted.

Try "ferry demo", then "ferry serve" and the commands below against it.`

// exitPanic carries kong's requested exit status (after --help) out of
// the parser, which would otherwise call os.Exit.
type exitPanic struct{ code int }

// Main runs ferry with args (the command line without the program name)
// and returns the process exit status. Cancelling ctx (Ctrl-C) aborts what
// is running and makes Main return 130. getenv may be nil.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) (code int) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var g grammar
	parser, err := kong.New(&g,
		kong.Name("ferry"),
		kong.Description(description),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitPanic{code}) }),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Vars{"version": version()},
		kong.Help(commandHelp),
	)
	if err != nil {
		fmt.Fprintf(stderr, "ferry: %v\n", err)
		return ExitOther
	}
	kctx, err := parseArgs(parser, curlUpload(fixServeTLS(args)))
	if err != nil {
		var ep exitPanic
		if errors.As(err, &ep) {
			return ep.code
		}
		fmt.Fprintf(stderr, "ferry: %v\n", err)
		fmt.Fprintln(stderr, "Run 'ferry --help' for usage.")
		return ExitUsage
	}
	if kctx == nil {
		return ExitOK
	}
	a := &app{
		g:         &g.Globals,
		stdin:     stdin,
		stdout:    stdout,
		stderr:    &lockedWriter{w: stderr},
		getenv:    getenv,
		stdoutTTY: isTerminal(stdout),
		stderrTTY: isTerminal(stderr),
		stdinTTY:  isTerminal(stdin),
		creds:     &credCache{},
	}
	a.trace = newTracer(a.stderr, g.Debug)
	if g.Retries < 0 {
		return a.fail(usageErrorf("--retries must be 0 or more"))
	}
	if g.Timeout <= 0 {
		return a.fail(usageErrorf("--timeout must be positive"))
	}
	runner, ok := kctx.Selected().Target.Addr().Interface().(command)
	if !ok {
		return a.fail(usageErrorf("no command given"))
	}
	if err := runner.run(ctx, a); err != nil {
		return a.fail(err)
	}
	return ExitOK
}

// command is implemented by every subcommand.
type command interface {
	run(ctx context.Context, a *app) error
}

func parseArgs(parser *kong.Kong, args []string) (kctx *kong.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			ep, ok := r.(exitPanic)
			if !ok {
				panic(r)
			}
			err = ep
		}
	}()
	return parser.Parse(args)
}

func (e exitPanic) Error() string { return fmt.Sprintf("exit %d", e.code) }

// fail prints err as one line on stderr and returns its exit status.
func (a *app) fail(err error) int {
	code := ExitCode(err)
	if a.g.JSON && !errors.Is(err, errReported) {
		// Machine-readable: one object on stderr.
		msg := Message(err)
		if code == ExitInterrupted {
			msg = "interrupted"
		}
		obj := struct {
			Error string `json:"error"`
			Hint  string `json:"hint,omitempty"`
			Exit  int    `json:"exit"`
		}{a.creds.scrub(msg), a.hint(err), code}
		_ = writeJSON(a.stderr, obj)
		return code
	}
	if code == ExitInterrupted {
		msg := "ferry: interrupted"
		if h := a.hint(err); h != "" {
			msg += "; " + h
		}
		fmt.Fprintln(a.stderr, msg)
		return code
	}
	if !errors.Is(err, errReported) {
		msg := Message(err)
		if code == ExitConnection && isTimeout(err) {
			msg += fmt.Sprintf(" (timed out after %v; see --timeout)", a.g.Timeout)
		}
		if h := a.hint(err); h != "" {
			msg += "; " + h
		}
		fmt.Fprintf(a.stderr, "ferry: %s\n", a.creds.scrub(msg))
	}
	return code
}

// chatter prints a progress message on stderr unless --quiet; with --json
// as an object, {"note": ...}, so that stderr holds nothing but objects.
func (a *app) chatter(format string, args ...any) {
	switch {
	case a.g.Quiet:
	case a.g.JSON:
		msg := strings.TrimPrefix(fmt.Sprintf(format, args...), "ferry: note: ")
		_ = writeJSON(a.stderr, struct {
			Note string `json:"note"`
		}{msg})
	default:
		fmt.Fprintf(a.stderr, format+"\n", args...)
	}
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// lockedWriter serializes writes to stderr: with several connections the
// protocol trace, per-file reports and failures are written from the
// transfers' goroutines at once, and a writer such as a test's buffer is
// not safe for that (os.File is, but lines could still interleave).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// underlying returns the writer a lockedWriter wraps, for what needs the
// terminal's *os.File itself (its size, its echo flags, a child process's
// stderr); other writers are returned as they are.
func underlying(w io.Writer) io.Writer {
	if l, ok := w.(*lockedWriter); ok {
		return l.w
	}
	return w
}
