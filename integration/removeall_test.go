package integration

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
)

// TestClientRemoveAll removes a tree with each daemon: a symbolic link to
// a directory outside it is removed, not followed (what it points to
// stays, whether the daemon lists the link as a link or as the directory,
// as pyftpdlib and ProFTPD's MLSD do), a link to a parent does not send
// the walk round, and what the daemon refuses to remove is reported path
// by path while the rest goes.
func TestClientRemoveAll(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			in := Start(t, kind, Plain)
			ftpDir, localDir := in.Scratch(t)
			for _, f := range []string{"outside/keep.txt", "tree/a.txt", "tree/sub/b.txt", "tree/sub/deep/c.txt", "tree/ro/stays.txt"} {
				p := filepath.Join(localDir, filepath.FromSlash(f))
				os.MkdirAll(filepath.Dir(p), 0o755)
				os.WriteFile(p, []byte(f), 0o644)
			}
			for link, target := range map[string]string{"tree/link": "../outside", "tree/sub/up": ".."} {
				if err := os.Symlink(target, filepath.Join(localDir, filepath.FromSlash(link))); err != nil {
					t.Fatal(err)
				}
			}
			if err := chownToFTPUser(localDir); err != nil {
				t.Fatal(err)
			}
			// The daemons that switch to the FTP user cannot remove what
			// is in a directory it may not write; pyftpdlib runs as root.
			refuses := os.Geteuid() == 0 && kind != Pyftpdlib
			if refuses {
				os.Chmod(filepath.Join(localDir, "tree", "ro"), 0o555)
				defer os.Chmod(filepath.Join(localDir, "tree", "ro"), 0o755)
			} else {
				os.RemoveAll(filepath.Join(localDir, "tree", "ro"))
			}
			c := &ftp.Client{Addr: in.Addr, User: in.User, Password: in.Password, Dialer: dialer(in, 0), MaxConns: 1}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := c.RemoveAll(ctx, ftpDir+"/tree")
			if _, serr := os.Stat(filepath.Join(localDir, "outside", "keep.txt")); serr != nil {
				t.Fatalf("the link's target lost its file: %v", serr)
			}
			var left []string
			if re := (*ftp.RemoveAllError)(nil); errors.As(err, &re) {
				for _, pe := range re.Left {
					left = append(left, pe.Path)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			entries, _ := os.ReadDir(filepath.Join(localDir, "tree"))
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if refuses {
				if len(left) != 1 || left[0] != ftpDir+"/tree/ro/stays.txt" || len(names) != 1 || names[0] != "ro" {
					t.Errorf("left %q (reported %q), want only ro/stays.txt", names, left)
				}
			} else if err != nil || len(names) > 0 {
				t.Errorf("left %q: %v", names, err)
			}
		})
	}
}
