// Command jlaffayeclient is github.com/jlaffaye/ftp as one client of the
// benchmark suite, with the same arguments as ferryclient ("each" is a
// Retr after another on one connection; "each8" is 8 connections, each
// taking its share of the files).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"

	"github.com/jlaffaye/ftp"
)

func main() {
	addr := flag.String("addr", "", "server host:port")
	user := flag.String("user", "", "user")
	pass := flag.String("pass", "", "password")
	useTLS := flag.Bool("tls", false, "explicit TLS")
	ca := flag.String("ca", "", "PEM file of the CA to trust")
	flag.Parse()
	if err := run(*addr, *user, *pass, *useTLS, *ca, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "jlaffayeclient:", err)
		os.Exit(1)
	}
}

func run(addr, user, pass string, useTLS bool, ca string, args []string) error {
	if len(args) < 3 {
		return fmt.Errorf("usage: get REMOTE LOCAL | put LOCAL REMOTE | each OUTDIR REMOTE...")
	}
	var opts []ftp.DialOption
	if useTLS {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return err
		}
		opts = append(opts, ftp.DialWithExplicitTLS(&tls.Config{
			RootCAs: pool, ServerName: host, ClientSessionCache: tls.NewLRUClientSessionCache(8),
		}))
	}
	if args[0] == "each8" {
		const n = 8
		paths := args[2:]
		errs := make(chan error, n)
		for i := range n {
			part := paths[i*len(paths)/n : (i+1)*len(paths)/n]
			go func() {
				errs <- run(addr, user, pass, useTLS, ca, append([]string{"each", args[1]}, part...))
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
	c, err := ftp.Dial(addr, opts...)
	if err != nil {
		return err
	}
	defer c.Quit()
	if err := c.Login(user, pass); err != nil {
		return err
	}
	get := func(remote, local string) error {
		out, err := os.Create(local)
		if err != nil {
			return err
		}
		defer out.Close()
		r, err := c.Retr(remote)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, r); err != nil {
			r.Close()
			return err
		}
		return r.Close()
	}
	switch args[0] {
	case "get":
		return get(args[1], args[2])
	case "put":
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		return c.Stor(args[2], f)
	case "each":
		for _, p := range args[2:] {
			if err := get(p, filepath.Join(args[1], path.Base(p))); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown work %q", args[0])
}
