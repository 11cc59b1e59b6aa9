package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/spf13/afero"

	"github.com/ferryftp/ftp/internal/server"
)

type serveCmd struct {
	Addr  string `default:"127.0.0.1:2121" placeholder:"ADDR" help:"Listen address; loopback only."`
	Write bool   `help:"Allow uploads, deletes and renames (read-only by default)."`
	Dir   string `arg:"" optional:"" name:"DIR" default:"." help:"Directory to serve (default: the current directory)."`
	// TLS comes from the global --tls flag: "ferry serve --tls" alone means
	// explicit TLS (see fixServeTLS).
}

func (cmd *serveCmd) run(ctx context.Context, a *app) error {
	if err := checkLoopback(cmd.Addr); err != nil {
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
	}
	switch a.g.TLS {
	case "explicit":
		opts.TLS = server.TLSExplicit
	case "implicit":
		opts.TLS = server.TLSImplicit
	}
	if a.g.Debug > 0 {
		opts.Logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := server.Start(opts)
	if err != nil {
		return &opError{Op: "serve", Path: cmd.Addr, Err: err}
	}
	defer srv.Close()

	mode := "read-only"
	if cmd.Write {
		mode = "read-write"
	}
	url := srv.URL() + "/"
	fmt.Fprintf(a.stdout, "Serving %s (%s) at %s\n", dir, mode, url)
	fmt.Fprintln(a.stdout, "Any user name and password are accepted. Press Ctrl-C to stop.")
	tryFlags := ""
	if opts.TLS != server.TLSNone {
		caFile, err := writeCA(srv.CACertPEM())
		if err != nil {
			return err
		}
		defer os.Remove(caFile)
		if opts.TLS == server.TLSExplicit {
			tryFlags = "--tls explicit "
		}
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

// checkLoopback refuses to serve beyond this machine: the embedded server
// lets anyone log in.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageErrorf("--addr %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return usageErrorf("--addr %q: serve listens on loopback only (127.0.0.1, ::1 or localhost): it lets anyone log in", addr)
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
