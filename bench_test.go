package ftp_test

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/ferryftp/ftp/internal/netem"
	"github.com/spf13/afero"
)

var benchSize = flag.Int64("bench.size", 64<<20, "bytes per transfer in the data path benchmarks")

// The data path benchmarks run, in each iteration, the same transfer twice:
// once as a bare loopback copy (TCP, or Go's TLS 1.3, which picks AES-GCM
// on CPUs with AES instructions) and once through a Conn, and report both
// rates and their ratio, so that the ratio comes from one run on a shared,
// noisy machine. The servers are streamServer, which sends and receives with
// the same code as the copies (so the difference is the client), and the
// in-process ftpserverlib server. allocs/op counts both sides of both
// transfers; it stays flat as -bench.size grows.

// BenchmarkDownload: RETR into io.Discard through io.Copy (Download.WriteTo).
func BenchmarkDownload(b *testing.B) {
	ctx := context.Background()
	benchPaths(b, func(b *testing.B, c *ftp.Conn) {
		d, err := c.Retrieve(ctx, "f")
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, d); err != nil || n != *benchSize {
			b.Fatalf("got %d bytes, %v", n, err)
		}
		d.Close()
	}, func(b *testing.B, client, server net.Conn) {
		go func() { sendStream(server, *benchSize, 0); server.Close() }()
		if n, err := drainStream(client); err != nil || n != *benchSize {
			b.Fatalf("copy: %d bytes, %v", n, err)
		}
	})
}

// BenchmarkUpload: STOR from an io.Reader, and from an *os.File (sendfile
// on plain connections).
func BenchmarkUpload(b *testing.B) {
	ctx := context.Background()
	copyUp := func(b *testing.B, client, server net.Conn) {
		done := make(chan error, 1)
		go func() { _, err := drainStream(server); server.Close(); done <- err }()
		if err := sendStream(client, *benchSize, 0); err != nil {
			b.Fatal(err)
		}
		client.Close()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.Run("reader", func(b *testing.B) {
		benchPaths(b, func(b *testing.B, c *ftp.Conn) {
			if err := c.Store(ctx, "f", io.LimitReader(anyBytes{}, *benchSize)); err != nil {
				b.Fatal(err)
			}
		}, copyUp)
	})
	// From a file, the copy is io.Copy from the file too: sendfile in
	// one call on plain connections.
	b.Run("file", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "up")
		if err := os.WriteFile(path, make([]byte, *benchSize), 0o644); err != nil {
			b.Fatal(err)
		}
		open := func(b *testing.B) *os.File {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			return f
		}
		benchPaths(b, func(b *testing.B, c *ftp.Conn) {
			f := open(b)
			defer f.Close()
			if err := c.Store(ctx, "f", f); err != nil {
				b.Fatal(err)
			}
		}, func(b *testing.B, client, server net.Conn) {
			f := open(b)
			defer f.Close()
			done := make(chan error, 1)
			go func() { _, err := drainStream(server); server.Close(); done <- err }()
			if _, err := io.Copy(client, f); err != nil {
				b.Fatal(err)
			}
			client.Close()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	})
}

// anyBytes is an endless source that leaves the buffer as it is, so that
// producing the data costs nothing.
type anyBytes struct{}

func (anyBytes) Read(p []byte) (int, error) { return len(p), nil }

// benchPaths runs ferry and copy side by side for each kind of server and
// protection.
func benchPaths(b *testing.B, ferry func(*testing.B, *ftp.Conn), bare func(b *testing.B, client, server net.Conn)) {
	serverTLS, clientTLS := selfSignedTLS(b)
	for _, tc := range []struct {
		name    string
		ftptest bool
		tls     bool
	}{{"stream/plain", false, false}, {"stream/tls", false, true}, {"ftptest/plain", true, false}, {"ftptest/tls", true, true}} {
		b.Run(tc.name, func(b *testing.B) {
			var c *ftp.Conn
			if tc.ftptest {
				c = dialFTPTest(b, tc.tls)
			} else {
				var st, ct *tls.Config
				if tc.tls {
					st, ct = serverTLS, clientTLS
				}
				c = dialStream(b, newStreamServer(b, *benchSize, st), ct, ftp.Dialer{})
			}
			pair := func() (client, server net.Conn) {
				client, server = tcpPair(b)
				if tc.tls {
					client, server = tls.Client(client, clientTLS), tls.Server(server, serverTLS)
				}
				return client, server
			}
			var ferryTime, copyTime time.Duration
			b.ReportAllocs()
			for b.Loop() {
				client, server := pair()
				start := time.Now()
				bare(b, client, server)
				copyTime += time.Since(start)
				client.Close()
				server.Close()
				start = time.Now()
				ferry(b, c)
				ferryTime += time.Since(start)
			}
			mb := float64(*benchSize) * float64(b.N) / 1e6
			b.ReportMetric(mb/ferryTime.Seconds(), "ferry-MB/s")
			b.ReportMetric(mb/copyTime.Seconds(), "copy-MB/s")
			b.ReportMetric(ferryTime.Seconds()/copyTime.Seconds(), "ratio")
		})
	}
}

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(b *testing.B) (client, server net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	return client, server
}

// dialFTPTest starts the in-process server with a file of -bench.size bytes
// and logs in, over TLS (explicit, PROT P, TLS 1.3) if asked.
func dialFTPTest(b *testing.B, withTLS bool) *ftp.Conn {
	opts := ftptest.Options{}
	d := ftp.Dialer{}
	if withTLS {
		opts.TLS = ftptest.TLSExplicit
		d.TLS = ftp.TLSExplicit
	}
	s := ftptest.New(b, opts)
	if err := afero.WriteFile(s.FS(), "/f", make([]byte, *benchSize), 0o644); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if withTLS {
		d.TLSConfig = &tls.Config{RootCAs: s.CertPool(), ServerName: s.ServerName(), MinVersion: tls.VersionTLS13}
	}
	c, err := d.Dial(ctx, s.Addr())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, "anonymous", ""); err != nil {
		b.Fatal(err)
	}
	return c
}

var (
	benchFiles = flag.Int("bench.files", 50, "files per iteration in BenchmarkSmallFiles")
	benchRTT   = flag.Duration("bench.rtt", 20*time.Millisecond, "round trip added by the relay in BenchmarkSmallFiles")
)

// BenchmarkSmallFiles: 4 KiB files on one connection through a relay that
// adds -bench.rtt, fetched with RetrieveEach (pipelined) and, in the same
// iteration, with one Retrieve after another. Reported in round trips per
// file: the time per file divided by the round trip.
func BenchmarkSmallFiles(b *testing.B) {
	s := ftptest.New(b, ftptest.Options{})
	var paths []string
	for i := range *benchFiles {
		p := fmt.Sprintf("/f%04d", i)
		if err := afero.WriteFile(s.FS(), p, make([]byte, 4<<10), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	proxy, err := netem.New(s.Addr(), netem.Shape{RoundTrip: *benchRTT})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { proxy.Close() })
	ctx := context.Background()
	dial := func() *ftp.Conn {
		d := ftp.Dialer{DialContext: proxy.DialContext}
		c, err := d.Dial(ctx, s.Addr())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		if err := c.Login(ctx, "anonymous", ""); err != nil {
			b.Fatal(err)
		}
		return c
	}
	each, single := dial(), dial()
	var eachTime, singleTime time.Duration
	for b.Loop() {
		start := time.Now()
		err := each.RetrieveEach(ctx, slices.Values(paths), func(p string, d *ftp.Download, err error) error {
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, d)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		eachTime += time.Since(start)
		start = time.Now()
		for _, p := range paths {
			d, err := single.Retrieve(ctx, p)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, d); err != nil {
				b.Fatal(err)
			}
		}
		singleTime += time.Since(start)
	}
	perFile := func(d time.Duration) float64 {
		return d.Seconds() / float64(b.N*len(paths)) / benchRTT.Seconds()
	}
	b.ReportMetric(perFile(eachTime), "RTT/file-each")
	b.ReportMetric(perFile(singleTime), "RTT/file-single")
}
