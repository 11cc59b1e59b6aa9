package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	ftpserver "github.com/fclairamb/ftpserverlib"
	"github.com/spf13/afero"

	"github.com/ferryftp/ftp/internal/server"
)

type serveCmd struct {
	Addr  string `default:"127.0.0.1:2121" placeholder:"ADDR" help:"Listen address: loopback, or any with --user and a password."`
	Write bool   `help:"Allow uploads, deletes and renames (read-only by default)."`
	Dir   string `arg:"" optional:"" name:"DIR" default:"." help:"Directory to serve (default: the current directory)."`
	// TLS and the user come from the global --tls and --user flags: "ferry
	// serve --tls" alone means explicit TLS (see fixServeTLS).
}

func (cmd *serveCmd) run(ctx context.Context, a *app) error {
	// SIGTERM, and SIGHUP (the terminal was closed), stop the server as
	// Ctrl-C does, so the CA file is removed.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	user, password, err := a.serveLogin(ctx, cmd.Addr)
	if err != nil {
		return err
	}
	if err := checkLoopback(cmd.Addr, password != ""); err != nil {
		return err
	}
	dir, err := filepath.Abs(cmd.Dir)
	if err != nil {
		return &localError{Op: "serve", Path: cmd.Dir, Err: err}
	}
	if st, err := os.Stat(dir); err != nil {
		return &localError{Op: "serve", Path: cmd.Dir, Err: err}
	} else if !st.IsDir() {
		return &localError{Op: "serve", Path: cmd.Dir, Err: errors.New("not a directory")}
	}
	opts := server.Options{
		Addr:       cmd.Addr,
		FS:         afero.NewBasePathFs(afero.NewOsFs(), dir),
		ReadOnly:   !cmd.Write,
		EnableHASH: true,
		Banner:     "ferry serve: a test server, not for production use",
		// ftpserverlib's MLSD gives no permissions; its LIST does, and
		// MLST still gives exact times for stat and mirror.
		DisableMLSD: true,
	}
	if user != "" {
		opts.Users = map[string]string{user: password}
		a.creds.secrets = append(a.creds.secrets, password)
	}
	switch a.g.TLS {
	case "explicit":
		opts.TLS = server.TLSExplicit
		// With a password to protect, nobody logs in without TLS.
		opts.TLSRequired = user != ""
	case "implicit":
		opts.TLS = server.TLSImplicit
	}
	if a.g.Debug > 0 {
		opts.Logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if !a.g.Quiet {
		opts.Hooks = a.serveLog()
	}
	// The CA file is written before the server listens, so that a script
	// that waits for the port finds the file in place.
	caFile := ""
	if opts.TLS != server.TLSNone {
		ca, err := server.NewCertificate(server.CertOptions{})
		if err != nil {
			return err
		}
		if caFile, err = writeCA(ca.CAPEM); err != nil {
			return err
		}
		defer os.Remove(caFile)
		opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{ca.TLS}}
	}
	srv, err := server.Start(opts)
	if err != nil {
		return serveError(cmd.Addr, err)
	}
	defer srv.Close()

	mode := "read-only"
	if cmd.Write {
		mode = "read-write"
	}
	url := srv.URL() + "/"
	fmt.Fprintf(a.stdout, "Serving %s (%s) at %s\n", dir, mode, url)
	if user != "" {
		fmt.Fprintf(a.stdout, "Only %s may log in, with the password given. Press Ctrl-C to stop.\n", user)
		if opts.TLS == server.TLSNone && checkLoopback(cmd.Addr, false) != nil {
			fmt.Fprintln(a.stderr, "ferry: warning: without --tls the password crosses the network in plain text")
		}
	} else {
		fmt.Fprintln(a.stdout, "Any user name and password are accepted. Press Ctrl-C to stop.")
	}
	tryFlags := ""
	if user != "" {
		tryFlags = "-u " + user + " "
	}
	if caFile != "" {
		tryFlags += "--ca " + caFile + " "
		fmt.Fprintf(a.stdout, "TLS (%s) with a throwaway certificate for 127.0.0.1 and localhost.\n", opts.TLS)
		fmt.Fprintf(a.stdout, "Its CA certificate, valid while this server runs, is in %s; trust it with --ca:\n", caFile)
	} else {
		fmt.Fprintln(a.stdout, "Try it:")
	}
	fmt.Fprintf(a.stdout, "  ferry %sls -l %s\n", tryFlags, url)
	<-ctx.Done()
	fmt.Fprintln(a.stdout, "Stopping.")
	return nil
}

// serveLogin returns the one user --user lets in, with the password from
// FTP_PASSWORD or a prompt; none without --user.
func (a *app) serveLogin(ctx context.Context, addr string) (user, password string, err error) {
	if a.g.User == "" {
		return "", "", nil
	}
	user = a.g.User
	if strings.Contains(user, ":") {
		return "", "", usageErrorf("serve --user takes a name; give the password in FTP_PASSWORD or at the prompt, not on the command line")
	}
	password = a.getenv("FTP_PASSWORD")
	if password == "" {
		if !a.stdinTTY || !a.stderrTTY {
			return "", "", usageErrorf("serve --user %s needs a password: set FTP_PASSWORD, or run it on a terminal to be asked", user)
		}
		if password, err = a.promptPassword(ctx, user, addr); err != nil {
			return "", "", err
		}
		if password == "" {
			return "", "", usageErrorf("serve --user %s: the password is empty", user)
		}
	}
	return user, password, nil
}

// serveLog logs each login and each transfer on stderr, one line each.
func (a *app) serveLog() *server.Hooks {
	var mu sync.Mutex
	users := map[uint32]string{}
	logf := func(cc ftpserver.ClientContext, format string, args ...any) {
		fmt.Fprintf(a.stderr, "%s %s %s\n", time.Now().Format("15:04:05"), cc.RemoteAddr(), fmt.Sprintf(format, args...))
	}
	return &server.Hooks{
		Login: func(cc ftpserver.ClientContext, user string, err error) {
			user = printable(user)
			if err != nil {
				logf(cc, "%s: login refused", user)
				return
			}
			mu.Lock()
			users[cc.ID()] = user
			mu.Unlock()
			logf(cc, "%s logged in", user)
		},
		Disconnected: func(cc ftpserver.ClientContext) {
			mu.Lock()
			delete(users, cc.ID())
			mu.Unlock()
		},
		File: func(cc ftpserver.ClientContext, f afero.File) afero.File {
			var verb string
			switch cc.GetLastCommand() {
			case "RETR":
				verb = "downloaded"
			case "STOR", "APPE", "STOU":
				verb = "uploaded"
			default:
				return f // HASH and the like
			}
			mu.Lock()
			user := users[cc.ID()]
			mu.Unlock()
			return &loggedFile{File: f, done: func(n int64) {
				logf(cc, "%s %s %s (%d bytes)", user, verb, printable(f.Name()), n)
			}}
		},
	}
}

// loggedFile counts the bytes of a transfer and reports them on Close.
type loggedFile struct {
	afero.File
	n    atomic.Int64
	once sync.Once
	done func(n int64)
}

func (f *loggedFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	f.n.Add(int64(n))
	return n, err
}

func (f *loggedFile) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	f.n.Add(int64(n))
	return n, err
}

func (f *loggedFile) Close() error {
	err := f.File.Close()
	f.once.Do(func() { f.done(f.n.Load()) })
	return err
}

// serveError says why the server could not start, without the server
// package's wording, and what to do when the port is taken.
func serveError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		next := addr
		if host, port, serr := net.SplitHostPort(addr); serr == nil {
			if p, perr := strconv.Atoi(port); perr == nil && p < 65535 {
				next = net.JoinHostPort(host, strconv.Itoa(p+1))
			}
		}
		return fmt.Errorf("serve: %s is already in use; choose another address, such as --addr %s", addr, next)
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return fmt.Errorf("serve: cannot listen on %s: %v", addr, se.Err)
	}
	msg := strings.TrimPrefix(Message(err), "server: ")
	return fmt.Errorf("serve: %s", msg)
}

// checkLoopback refuses to serve beyond this machine unless a password
// protects the server: without one it lets anyone log in.
func checkLoopback(addr string, password bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageErrorf("--addr %q: %v", addr, err)
	}
	if host == "localhost" || password {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return usageErrorf("--addr %q: without a password serve listens on loopback only (127.0.0.1, ::1 or localhost), since it lets anyone log in; give --user NAME and a password (FTP_PASSWORD or the prompt) to serve beyond", addr)
	}
	return nil
}

func writeCA(pem []byte) (string, error) {
	f, err := os.CreateTemp("", "ferry-serve-ca-*.pem")
	if err != nil {
		return "", &localError{Op: "create", Path: "CA file", Err: err}
	}
	defer f.Close()
	if _, err := f.Write(pem); err != nil {
		return "", &localError{Op: "write", Path: f.Name(), Err: err}
	}
	return f.Name(), f.Close()
}

// fixServeTLS lets "ferry serve --tls" stand alone: the global --tls needs
// a mode, and for serve a bare --tls means explicit TLS.
func fixServeTLS(args []string) []string {
	serve := -1
	for i, arg := range args {
		if arg == "serve" {
			serve = i
			break
		}
	}
	if serve < 0 {
		return args
	}
	out := append([]string(nil), args...)
	for i := range out {
		if out[i] != "--tls" {
			continue
		}
		if i+1 < len(out) {
			switch out[i+1] {
			case "none", "explicit", "implicit":
				continue
			}
		}
		out[i] = "--tls=explicit"
	}
	return out
}
