package server

import (
	"context"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/ferryftp/ftp"
)

// TestRemoveRefusesFullDirectory: DELE and RMD of a directory that holds
// something are refused, as by every FTP server, rather than dropping it
// from the in-memory file system with its contents left unreachable.
func TestRemoveRefusesFullDirectory(t *testing.T) {
	fsys := afero.NewMemMapFs()
	fsys.MkdirAll("/d/empty", 0o755)
	afero.WriteFile(fsys, "/d/f", []byte("x"), 0o644)
	s, err := Start(Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := (&ftp.Dialer{}).Dial(ctx, s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "u", "p"); err != nil {
		t.Fatal(err)
	}
	for _, remove := range []func(context.Context, string) error{c.Delete, c.RemoveDir} {
		if err := remove(ctx, "/d"); err == nil {
			t.Fatal("a directory that holds files was removed")
		}
		if ok, _ := afero.Exists(fsys, "/d/f"); !ok {
			t.Fatal("/d/f is gone")
		}
	}
	if err := c.RemoveDir(ctx, "/d/empty"); err != nil {
		t.Fatalf("RMD of an empty directory: %v", err)
	}
}
