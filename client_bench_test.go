package ftp_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/ferryftp/ftp/internal/netem"
)

// BenchmarkClientDownloads downloads 2,000 files of 4 KiB per iteration
// through one Client with MaxConns 1, 4 and 8, on loopback and through a
// relay adding 20 ms of round trip, with 16 goroutines asking: the pool
// is what limits. Run it as
//
//	go test -run XXX -bench ClientDownloads -benchtime 1x
//
// and compare the files/s of conns=8 with conns=1 in each network.
//
// Each download leaves sockets in TIME_WAIT (client, relay and server
// sides), and the in-process server and the relay listen on a new
// ephemeral port for every data connection: once tens of thousands of
// TIME_WAIT sockets crowd the port range, Linux takes milliseconds per
// bind, which slows the later cases of a run (and everything on a machine
// where other tests run). For a fair comparison run each case in its own
// process a minute apart, with -bench 'ClientDownloads/rtt20ms/conns=1$'
// and so on, and check "ss -tan state time-wait | wc -l" first.
func BenchmarkClientDownloads(b *testing.B) {
	const files, size, workers = 2000, 4 << 10, 16
	srv, err := ftptest.Start(ftptest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	data := make([]byte, size)
	names := make([]string, files)
	for i := range names {
		names[i] = fmt.Sprintf("/d/%04d", i)
		afero.WriteFile(srv.FS(), names[i], data, 0o644)
	}
	for _, network := range []struct {
		name string
		rtt  time.Duration
	}{{"loopback", 0}, {"rtt20ms", 20 * time.Millisecond}} {
		for _, conns := range []int{1, 4, 8} {
			b.Run(fmt.Sprintf("%s/conns=%d", network.name, conns), func(b *testing.B) {
				c := &ftp.Client{Addr: srv.Addr(), MaxConns: conns}
				if network.rtt > 0 {
					p, err := netem.New(srv.Addr(), netem.Shape{RoundTrip: network.rtt})
					if err != nil {
						b.Fatal(err)
					}
					defer p.Close()
					c.Dialer.DialContext = p.DialContext
				}
				defer c.Close()
				ctx := context.Background()
				b.SetBytes(files * size)
				for b.Loop() {
					work := make(chan string)
					errs := make(chan error, workers)
					var wg sync.WaitGroup
					for range workers {
						wg.Go(func() {
							for name := range work {
								f, err := c.Open(ctx, name)
								if err != nil {
									errs <- err
									continue
								}
								n, err := io.Copy(io.Discard, f)
								f.Close()
								if err != nil || n != size {
									errs <- fmt.Errorf("%s: %d bytes, %v", name, n, err)
								}
							}
						})
					}
					for _, name := range names {
						work <- name
					}
					close(work)
					wg.Wait()
					close(errs)
					for err := range errs {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(files*b.N)/b.Elapsed().Seconds(), "files/s")
			})
		}
	}
}
