package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/netem"
	"github.com/ferryftp/ftp/transfer"
)

// BenchmarkMirrorVsftpd is transfer's BenchmarkMirror against vsftpd:
// 2,000 files of 4 KiB in 20 directories, 20 ms of round trip added by the
// relay, 8 connections, ferry's sync and lftp's "mirror -P8" one after the
// other in each iteration.
//
//	FERRY_INTEGRATION=require go test -run - -bench MirrorVsftpd -benchtime 3x ./integration
func BenchmarkMirrorVsftpd(b *testing.B) {
	if _, err := exec.LookPath("lftp"); err != nil {
		b.Skip("lftp not installed (apt-get install lftp)")
	}
	in := Start(b, Vsftpd, Plain)
	dir, local := in.Scratch(b)
	for i := range 2000 {
		p := filepath.Join(local, "tree", fmt.Sprintf("d%02d", i%20), fmt.Sprintf("f%04d.dat", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, make([]byte, 4096), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if err := chownToFTPUser(local); err != nil {
		b.Fatal(err)
	}
	proxy, err := netem.New(in.Addr, netem.Shape{RoundTrip: 20 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer proxy.Close()
	var ours, theirs time.Duration
	for b.Loop() {
		dst := b.TempDir()
		start := time.Now()
		c := &ftp.Client{Addr: proxy.Addr(), User: in.User, Password: in.Password, MaxConns: 8}
		cp := &transfer.Copier{Client: c, Parallel: 8}
		_, sum, err := cp.Sync(context.Background(), transfer.SyncOptions{Remote: dir + "/tree", Local: filepath.Join(dst, "ferry")})
		c.Close()
		ours += time.Since(start)
		if err != nil || sum.Files != 2000 {
			b.Fatalf("%v %+v", err, sum)
		}
		start = time.Now()
		cmd := exec.Command("lftp", "-u", in.User+","+in.Password, "-e",
			"set ftp:ssl-allow no; set net:max-retries 2; mirror -P8 "+dir+"/tree "+dst+"/lftp; quit",
			"ftp://"+proxy.Addr())
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("lftp: %v\n%s", err, out)
		}
		theirs += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(ours.Seconds()/n, "ferry-s/op")
	b.ReportMetric(theirs.Seconds()/n, "lftp-s/op")
	b.ReportMetric(ours.Seconds()/theirs.Seconds(), "ferry/lftp")
}
