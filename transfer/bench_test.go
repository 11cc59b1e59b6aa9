package transfer_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/ferryftp/ftp/internal/netem"
	"github.com/ferryftp/ftp/transfer"
	"github.com/spf13/afero"
)

// BenchmarkSegmented downloads one file through a relay that caps every
// connection at 4 MiB/s, over 1, 2, 4 and 8 connections: the speed-up is
// what segments buy where each connection is limited (a per-flow shaper, a
// long fat path, a server's per-connection cap).
//
//	go test -run - -bench Segmented -benchtime 1x ./transfer
//
// The file is 32 MiB; FERRY_BENCH_SEGMENTED_MIB and
// FERRY_BENCH_SEGMENTED_RATE_MIB (the cap per connection, MiB/s) change
// both, for the 1 GiB run (the file is held in memory):
//
//	FERRY_BENCH_SEGMENTED_MIB=1024 FERRY_BENCH_SEGMENTED_RATE_MIB=32 go test -run - -bench Segmented -benchtime 1x -timeout 30m ./transfer
func BenchmarkSegmented(b *testing.B) {
	size, rate := int64(32<<20), int64(4<<20)
	if v, err := strconv.Atoi(os.Getenv("FERRY_BENCH_SEGMENTED_MIB")); err == nil && v > 0 {
		size = int64(v) << 20
	}
	if v, err := strconv.Atoi(os.Getenv("FERRY_BENCH_SEGMENTED_RATE_MIB")); err == nil && v > 0 {
		rate = int64(v) << 20
	}
	fsys := afero.NewMemMapFs()
	afero.WriteFile(fsys, "/big.bin", make([]byte, size), 0o644)
	srv := ftptest.New(b, ftptest.Options{FS: fsys})
	proxy, err := netem.New(srv.Addr(), netem.Shape{Rate: rate})
	if err != nil {
		b.Fatal(err)
	}
	defer proxy.Close()
	for _, n := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			c := &ftp.Client{Addr: srv.Addr(), User: "u", Password: "p", MaxConns: n,
				Dialer: ftp.Dialer{DialContext: proxy.DialContext}}
			defer c.Close()
			cp := &transfer.Copier{Client: c, Checksum: transfer.ChecksumOff}
			dir := b.TempDir()
			b.SetBytes(size)
			for b.Loop() {
				if _, err := cp.DownloadSegmented(context.Background(), "big.bin", filepath.Join(dir, "big.bin"), n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMirror mirrors 2,000 files of 4 KiB (20 directories) through a
// relay adding 20 ms of round trip, over 8 connections, with ferry's sync
// and with lftp's "mirror -P8", one after the other in each iteration, so
// that both see the same load on a shared machine; it reports each one's
// seconds per mirror and their ratio.
//
//	go test -run - -bench Mirror -benchtime 3x ./transfer
func BenchmarkMirror(b *testing.B) {
	if _, err := exec.LookPath("lftp"); err != nil {
		b.Skip("lftp not installed (apt-get install lftp)")
	}
	fsys := afero.NewMemMapFs()
	for i := range 2000 {
		afero.WriteFile(fsys, fmt.Sprintf("/tree/d%02d/f%04d.dat", i%20, i), make([]byte, 4096), 0o644)
	}
	srv := ftptest.New(b, ftptest.Options{FS: fsys, EnableHASH: true})
	proxy, err := netem.New(srv.Addr(), netem.Shape{RoundTrip: 20 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer proxy.Close()
	count := func(dir string) int {
		n := 0
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	var ours, theirs time.Duration
	for b.Loop() {
		dst := b.TempDir()
		start := time.Now()
		c := &ftp.Client{Addr: proxy.Addr(), User: "u", Password: "p", MaxConns: 8}
		cp := &transfer.Copier{Client: c, Parallel: 8}
		_, sum, err := cp.Sync(context.Background(), transfer.SyncOptions{Remote: "tree", Local: filepath.Join(dst, "ferry")})
		c.Close()
		ours += time.Since(start)
		if err != nil || sum.Files != 2000 {
			b.Fatalf("%v %+v", err, sum)
		}
		start = time.Now()
		cmd := exec.Command("lftp", "-u", "u,p", "-e",
			"set ftp:ssl-allow no; set net:max-retries 2; mirror -P8 /tree "+dst+"/lftp; quit",
			"ftp://"+proxy.Addr())
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("lftp: %v\n%s", err, out)
		}
		theirs += time.Since(start)
		if n := count(filepath.Join(dst, "lftp")); n != 2000 {
			b.Fatalf("lftp mirrored %d files", n)
		}
	}
	n := float64(b.N)
	b.ReportMetric(ours.Seconds()/n, "ferry-s/op")
	b.ReportMetric(theirs.Seconds()/n, "lftp-s/op")
	b.ReportMetric(ours.Seconds()/theirs.Seconds(), "ferry/lftp")
}

// BenchmarkRunSmallFiles fetches 100 files of 4 KiB of one directory
// through a relay adding 20 ms of round trip, over 1 and 8 connections,
// two ways in each iteration, one after the other so that both see the
// same load: Copier.Run given only the names (as ferry get URL... does: it
// logs in, lists the directory once for sizes and times, and fetches in
// pipelined batches, through .part files), and the bare minimum, a Client
// whose connections each fetch an equal share of the known names with
// RetrieveEach into files. It reports each one's seconds and their ratio.
//
//	go test -run - -bench RunSmallFiles -benchtime 5x ./transfer
//
// FERRY_BENCH_RUN_FILES sets the number of files.
func BenchmarkRunSmallFiles(b *testing.B) {
	files := 100
	if v, err := strconv.Atoi(os.Getenv("FERRY_BENCH_RUN_FILES")); err == nil && v > 0 {
		files = v
	}
	fsys := afero.NewMemMapFs()
	var names []string
	for i := range files {
		names = append(names, fmt.Sprintf("small/f%04d", i))
		afero.WriteFile(fsys, "/"+names[i], make([]byte, 4096), 0o644)
	}
	srv := ftptest.New(b, ftptest.Options{FS: fsys})
	proxy, err := netem.New(srv.Addr(), netem.Shape{RoundTrip: 20 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer proxy.Close()
	ctx := context.Background()
	for _, conns := range []int{1, 8} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			var run, bare time.Duration
			for b.Loop() {
				dir := b.TempDir()
				start := time.Now()
				c := &ftp.Client{Addr: proxy.Addr(), User: "u", Password: "p", MaxConns: conns}
				cp := &transfer.Copier{Client: c, Parallel: conns}
				var jobs []transfer.Job
				for _, n := range names {
					jobs = append(jobs, transfer.Job{Op: transfer.OpGet, Remote: n, Local: "run/" + filepath.Base(n), Size: -1})
				}
				sum, err := cp.Run(ctx, dir, jobs)
				c.Close()
				run += time.Since(start)
				if err != nil || sum.Files != files {
					b.Fatalf("%v %+v", err, sum)
				}
				start = time.Now()
				if err := retrieveShares(ctx, proxy.Addr(), conns, names, filepath.Join(dir, "bare")); err != nil {
					b.Fatal(err)
				}
				bare += time.Since(start)
			}
			n := float64(b.N)
			b.ReportMetric(run.Seconds()/n, "run-s/op")
			b.ReportMetric(bare.Seconds()/n, "bare-s/op")
			b.ReportMetric(run.Seconds()/bare.Seconds(), "run/bare")
		})
	}
}

// retrieveShares fetches the files at paths into dir over conns
// connections of a new Client, each an equal share with RetrieveEach.
func retrieveShares(ctx context.Context, addr string, conns int, paths []string, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	c := &ftp.Client{Addr: addr, User: "u", Password: "p", MaxConns: conns}
	defer c.Close()
	errs := make(chan error, conns)
	for i := range conns {
		share := paths[i*len(paths)/conns : (i+1)*len(paths)/conns]
		go func() {
			conn, release, err := c.Conn(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer release()
			errs <- conn.RetrieveEach(ctx, slices.Values(share), func(p string, d *ftp.Download, err error) error {
				if err != nil {
					return err
				}
				f, err := os.Create(filepath.Join(dir, filepath.Base(p)))
				if err != nil {
					return err
				}
				if _, err := io.Copy(f, d); err != nil {
					f.Close()
					return err
				}
				return f.Close()
			})
		}()
	}
	var first error
	for range conns {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
