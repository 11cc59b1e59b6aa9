// Command loopcopy is the loopback limit of the benchmark suite: it moves
// -size bytes over one loopback TCP connection, plain or under Go's TLS 1.3
// (AES-GCM on CPUs with AES instructions), from a sender goroutine to a
// receiver in the same process, in 256 KiB writes and reads.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"time"
)

func main() {
	size := flag.Int64("size", 1<<30, "bytes to move")
	useTLS := flag.Bool("tls", false, "TLS 1.3")
	flag.Parse()
	if err := run(*size, *useTLS); err != nil {
		fmt.Fprintln(os.Stderr, "loopcopy:", err)
		os.Exit(1)
	}
}

func run(size int64, useTLS bool) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	var server, client *tls.Config
	if useTLS {
		if server, client, err = configs(); err != nil {
			return err
		}
	}
	sent := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			sent <- err
			return
		}
		defer c.Close()
		if server != nil {
			c = tls.Server(c, server)
		}
		buf := make([]byte, 256<<10)
		for left := size; left > 0; {
			n := min(left, int64(len(buf)))
			if _, err := c.Write(buf[:n]); err != nil {
				sent <- err
				return
			}
			left -= n
		}
		sent <- nil
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	if client != nil {
		c = tls.Client(c, client)
	}
	defer c.Close()
	buf := make([]byte, 256<<10)
	var got int64
	for got < size {
		n, err := c.Read(buf)
		got += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if got != size {
		return fmt.Errorf("got %d of %d bytes", got, size)
	}
	return <-sent
}

func configs() (server, client *tls.Config, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS13}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS13}
	return server, client, nil
}
