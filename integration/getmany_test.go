package integration

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp/internal/cli"
)

// TestFerryGetMany: on every daemon, ferry get of many URLs of one
// directory logs in once (-P 1) or at most once per connection (-P 4), lists the
// directory once instead of asking SIZE and MDTM per file, sends each EPSV
// with its RETR, and fetches every file whole with the listed time; a
// missing file among them is reported, leaves nothing behind and does not
// touch the local file of its name; the status is its.
func TestFerryGetMany(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			Require(t, kind)
			in := Start(t, kind, Plain)
			dir, local := in.Scratch(t)
			base := "ftp://" + ftpUser + ":" + ftpPassword + "@" + in.Addr + "/" + strings.TrimPrefix(dir, "/") + "/"
			mtime := time.Now().Add(-3 * time.Hour).Truncate(time.Minute)
			want := map[string][]byte{}
			var urls []string
			for i := range 20 {
				name := fmt.Sprintf("f%02d", i)
				b := bytes.Repeat([]byte{byte('a' + i)}, 500*i)
				p := filepath.Join(local, name)
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
				os.Chtimes(p, mtime, mtime)
				want[name] = b
				urls = append(urls, base+name)
				if i == 7 {
					urls = append(urls, base+"missing")
				}
			}
			if err := chownToFTPUser(local); err != nil {
				t.Fatal(err)
			}
			for _, parallel := range []int{1, 4} {
				out := t.TempDir()
				os.WriteFile(filepath.Join(out, "missing"), []byte("mine"), 0o644)
				args := append([]string{"--tls", "none", "--retries", "0", "-d", "get", "-P", fmt.Sprint(parallel)}, urls...)
				code, _, stderr := runFerry(t, append(args, out)...)
				if code != cli.ExitPermanent || !strings.Contains(stderr, "get "+strings.TrimPrefix(dir, "/")+"/missing: no such file") {
					t.Fatalf("-P %d: exit %d, want %d and the missing file reported; stderr:\n%s", parallel, code, cli.ExitPermanent, stderr)
				}
				// With -P 4 the other connections log in while the
				// directory is listed; a fast transfer may end first,
				// abandoning them.
				if n := strings.Count(stderr, "> USER "); n < 1 || n > parallel {
					t.Errorf("-P %d: %d logins", parallel, n)
				}
				if n := strings.Count(stderr, "> LIST ") + strings.Count(stderr, "> MLSD "); n != 1 {
					t.Errorf("-P %d: %d listings, want 1", parallel, n)
				}
				// Only the missing file is asked about.
				if n := strings.Count(stderr, "> SIZE "); n != 1 {
					t.Errorf("-P %d: %d SIZE, want 1 (the missing file's)", parallel, n)
				}
				// (On one connection, where the trace's lines do not
				// interleave.)
				if n := strings.Count(stderr, "> EPSV\n> RETR "); parallel == 1 && n < 20 {
					t.Errorf("-P %d: %d of 20 RETR sent with their EPSV", parallel, n)
				}
				for name, b := range want {
					p := filepath.Join(out, name)
					got, err := os.ReadFile(p)
					if err != nil || !bytes.Equal(got, b) {
						t.Errorf("-P %d: %s: %v, %d bytes, want %d", parallel, name, err, len(got), len(b))
						continue
					}
					if st, _ := os.Stat(p); !st.ModTime().Equal(mtime) {
						t.Errorf("-P %d: %s: time %v, want %v", parallel, name, st.ModTime(), mtime)
					}
				}
				if got, _ := os.ReadFile(filepath.Join(out, "missing")); string(got) != "mine" {
					t.Errorf("-P %d: the local file named like the missing one was clobbered: %q", parallel, got)
				}
				if _, err := os.Stat(filepath.Join(out, "missing.part")); err == nil {
					t.Errorf("-P %d: missing.part left behind", parallel)
				}
			}
		})
	}
}
