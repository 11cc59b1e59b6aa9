package integration

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

// TestListHidden: LIST hides dot files on the Unix daemons, and
// Dialer.ListHidden ("LIST -a") shows them. MLSD lists them anyway.
func TestListHidden(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			in := Start(t, kind, Plain)
			dir, local := in.Scratch(t)
			if err := os.WriteFile(filepath.Join(local, ".hidden"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(local, "shown"), []byte("y"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := chownToFTPUser(local); err != nil {
				t.Fatal(err)
			}
			has := func(d ftp.Dialer) (hidden, shown bool) {
				c := login(t, in, d)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				entries, err := c.ReadDir(ctx, dir)
				if err != nil {
					t.Fatalf("ReadDir: %v", err)
				}
				named := func(n string) func(listing.Entry) bool {
					return func(e listing.Entry) bool { return e.Name == n }
				}
				return slices.ContainsFunc(entries, named(".hidden")), slices.ContainsFunc(entries, named("shown"))
			}
			if hidden, shown := has(ftp.Dialer{DisableMLSD: true, ListHidden: true}); !hidden || !shown {
				t.Errorf("LIST -a: .hidden listed %v, shown listed %v; want both", hidden, shown)
			}
			hidden, shown := has(ftp.Dialer{DisableMLSD: true})
			if !shown {
				t.Errorf("LIST: a plain file is missing")
			}
			if kind != Pyftpdlib && hidden {
				t.Errorf("LIST without -a shows dot files on %v; the option would prove nothing", kind)
			}
		})
	}
}
