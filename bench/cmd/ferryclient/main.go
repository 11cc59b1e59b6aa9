// Command ferryclient is the Ferry library as one client of the benchmark
// suite: it logs in, does one piece of work and exits, so that its time,
// CPU and peak RSS are its own.
//
//	ferryclient [-tls] [-ca FILE] -addr HOST:PORT -user U -pass P get REMOTE LOCAL
//	ferryclient ... put LOCAL REMOTE
//	ferryclient ... each OUTDIR REMOTE...   (RetrieveEach: pipelined, one connection)
//	ferryclient ... each8 OUTDIR REMOTE...  (a Client of 8 connections, RetrieveEach on each)
//
// FERRYCLIENT_NOSENDFILE=1 hides the file from Store behind a plain
// io.Reader, to compare sendfile with reads and writes.
// FERRYCLIENT_MEMSTATS=FILE appends the run's allocation counts to FILE.
// FERRYCLIENT_MEMPROFILE=FILE writes a profile of every allocation, in a
// build with -tags memprofile only: linking runtime/pprof alone adds about
// half a MiB to the peak RSS the benchmark measures (more code mapped, and
// the runtime then samples allocations for the profile), which the other
// clients do not carry.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/ferryftp/ftp"
)

func main() {
	addr := flag.String("addr", "", "server host:port")
	user := flag.String("user", "", "user")
	pass := flag.String("pass", "", "password")
	useTLS := flag.Bool("tls", false, "explicit TLS (AUTH TLS, PROT P)")
	ca := flag.String("ca", "", "PEM file of the CA to trust")
	flag.Parse()
	writeProfile := memProfile(os.Getenv("FERRYCLIENT_MEMPROFILE"))
	if err := run(*addr, *user, *pass, *useTLS, *ca, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "ferryclient:", err)
		os.Exit(1)
	}
	if p := os.Getenv("FERRYCLIENT_MEMSTATS"); p != "" {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		f, _ := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		fmt.Fprintf(f, "%v: mallocs %d, total alloc %d, heap sys %d, stack sys %d, sys %d, gc %d\n",
			flag.Args()[:2], m.Mallocs, m.TotalAlloc, m.HeapSys, m.StackSys, m.Sys, m.NumGC)
		f.Close()
	}
	writeProfile()
}

func run(addr, user, pass string, useTLS bool, ca string, args []string) error {
	if len(args) < 3 {
		return fmt.Errorf("usage: get REMOTE LOCAL | put LOCAL REMOTE | each OUTDIR REMOTE...")
	}
	ctx := context.Background()
	var d ftp.Dialer
	if useTLS {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		d.TLS = ftp.TLSExplicit
		d.TLSConfig = &tls.Config{RootCAs: pool}
	}
	if args[0] == "each8" {
		return each8(ctx, &ftp.Client{Addr: addr, User: user, Password: pass, Dialer: d, MaxConns: 8}, args[1], args[2:])
	}
	c, err := d.Dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Quit(ctx)
	if err := c.Login(ctx, user, pass); err != nil {
		return err
	}
	switch args[0] {
	case "get":
		out, err := os.Create(args[2])
		if err != nil {
			return err
		}
		defer out.Close()
		dl, err := c.Retrieve(ctx, args[1])
		if err != nil {
			return err
		}
		defer dl.Close()
		_, err = io.Copy(out, dl)
		return err
	case "put":
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		if os.Getenv("FERRYCLIENT_NOSENDFILE") != "" {
			return c.Store(ctx, args[2], struct{ io.Reader }{f})
		}
		return c.Store(ctx, args[2], f)
	case "each":
		return c.RetrieveEach(ctx, slices.Values(args[2:]), save(args[1]))
	}
	return fmt.Errorf("unknown work %q", args[0])
}

// save writes each download into dir under its base name.
func save(dir string) func(p string, dl *ftp.Download, err error) error {
	return func(p string, dl *ftp.Download, err error) error {
		if err != nil {
			return err
		}
		out, err := os.Create(filepath.Join(dir, path.Base(p)))
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, dl); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
}

// each8 splits paths in 8 runs, each fetched with RetrieveEach on a
// connection of the Client's pool.
func each8(ctx context.Context, cl *ftp.Client, dir string, paths []string) error {
	defer cl.Close()
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		part := paths[i*len(paths)/n : (i+1)*len(paths)/n]
		go func() {
			c, release, err := cl.Conn(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer release()
			errs <- c.RetrieveEach(ctx, slices.Values(part), save(dir))
		}()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
