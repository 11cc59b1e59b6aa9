package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/faultrun"
	"github.com/ferryftp/ftp/transfer"
)

// TestTransferFaults runs downloads, uploads and segmented downloads of a
// 20 MiB file through a fault-injecting relay against vsftpd and ProFTPD:
// every outcome must be the whole file with the right SHA-256 or an
// error, and no local file may be clobbered (package transfer runs the
// same against the in-process server).
func TestTransferFaults(t *testing.T) {
	for i, kind := range []Kind{Vsftpd, ProFTPD} {
		t.Run(kind.String(), func(t *testing.T) {
			in := Start(t, kind, Plain)
			dir, local := in.Scratch(t)
			tally := faultrun.Run(t, faultrun.Server{
				Addr: in.Addr, User: in.User, Password: in.Password, Dir: dir,
				Read: func(name string) ([]byte, error) {
					return os.ReadFile(filepath.Join(in.RootDir, filepath.FromSlash(name)))
				},
				Write: func(name string, b []byte) error {
					p := filepath.Join(in.RootDir, filepath.FromSlash(name))
					if err := os.WriteFile(p, b, 0o644); err != nil {
						return err
					}
					return chownToFTPUser(p)
				},
			}, []faultrun.Op{faultrun.Download, faultrun.Upload, faultrun.Segmented}, 30, 20<<20, uint64(10+i))
			_ = local
			if tally.Complete == 0 {
				t.Error("no run completed")
			}
		})
	}
}

// TestTransferSync mirrors a tree both ways with each daemon, then again
// to find it unchanged (the daemons' listing times and the local ones
// compared at the coarser precision), over TLS where the daemon has it.
func TestTransferSync(t *testing.T) {
	for _, kind := range []Kind{Vsftpd, ProFTPD, PureFTPd} {
		t.Run(kind.String(), func(t *testing.T) {
			in := Start(t, kind, Explicit)
			dir, _ := in.Scratch(t)
			c := &ftp.Client{Addr: in.Addr, User: in.User, Password: in.Password, Dialer: dialer(in, 0), MaxConns: 4}
			defer c.Close()
			cp := &transfer.Copier{Client: c, Parallel: 4}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			src := t.TempDir()
			files := map[string][]byte{"a.txt": []byte("alpha\n"), "sub/b.bin": bytes.Repeat([]byte{7}, 70_000), "sub/deep/c.txt": []byte("charlie\n")}
			for rel, b := range files {
				p := filepath.Join(src, filepath.FromSlash(rel))
				os.MkdirAll(filepath.Dir(p), 0o755)
				os.WriteFile(p, b, 0o644)
				os.Chtimes(p, time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC), time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC))
			}
			up := transfer.SyncOptions{Direction: transfer.Upload, Local: src, Remote: dir + "/tree"}
			if _, sum, err := cp.Sync(ctx, up); err != nil || sum.Files != 3 {
				t.Fatalf("upload: %v %+v", err, sum)
			}
			if p, err := cp.Plan(ctx, up); err != nil || len(p.Actions) != 0 {
				t.Fatalf("upload again: %v %+v", err, p)
			}
			dst := t.TempDir()
			down := transfer.SyncOptions{Local: dst, Remote: dir + "/tree", Delete: true}
			if _, sum, err := cp.Sync(ctx, down); err != nil || sum.Files != 3 {
				t.Fatalf("download: %v %+v", err, sum)
			}
			for rel, b := range files {
				got, _ := os.ReadFile(filepath.Join(dst, filepath.FromSlash(rel)))
				if !bytes.Equal(got, b) {
					t.Errorf("%s differs", rel)
				}
			}
			if p, err := cp.Plan(ctx, down); err != nil || len(p.Actions) != 0 {
				t.Fatalf("download again: %v %+v", err, p)
			}
			// A missing source directory is refused before --delete acts.
			if _, _, err := cp.Sync(ctx, transfer.SyncOptions{Local: dst, Remote: dir + "/nosuch", Delete: true}); err == nil {
				t.Fatal("a missing source directory was synced")
			}
			if _, err := os.Stat(filepath.Join(dst, "a.txt")); err != nil {
				t.Fatal("files deleted after a missing source")
			}
		})
	}
}
