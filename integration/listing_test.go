package integration

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/ferryftp/ftp/listing"
	"github.com/spf13/afero"
)

// summary is what every server must agree on about a listed entry.
type summary struct {
	Name string
	Type listing.Type
	Size int64 // files only; -1 for directories, whose sizes servers invent
}

func summarize(entries []listing.Entry, keep func(string) bool) []summary {
	var out []summary
	for _, e := range entries {
		if !keep(e.Name) {
			continue
		}
		s := summary{Name: e.Name, Type: e.Type, Size: -1}
		if e.Type == listing.File {
			s.Size = e.Size
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b summary) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// wantListing is the fixture tree's listing of dir, as every server must
// give it.
func wantListing(dir string) []summary {
	seen := map[string]summary{}
	for name, data := range fixtures {
		rel, ok := strings.CutPrefix(name, dir)
		if dir != "" && !ok {
			continue
		}
		rel = strings.TrimPrefix(rel, "/")
		first, rest, nested := strings.Cut(rel, "/")
		if nested {
			seen[first] = summary{Name: first, Type: listing.Dir, Size: -1}
			_ = rest
			continue
		}
		seen[first] = summary{Name: first, Type: listing.File, Size: int64(len(data))}
	}
	for _, d := range fixtureDirs {
		if path.Dir(d) == path.Clean("/" + dir)[1:] || (dir == "" && !strings.Contains(d, "/")) {
			seen[path.Base(d)] = summary{Name: path.Base(d), Type: listing.Dir, Size: -1}
		}
	}
	var out []summary
	for _, s := range seen {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b summary) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// TestSameListingEverywhere lists the fixture tree on every daemon, with
// MLSD (where offered) and with LIST, and on the in-process server, and
// expects the same entries from each.
func TestSameListingEverywhere(t *testing.T) {
	isFixture := func(name string) bool { return !strings.HasPrefix(name, "scratch-") }
	check := func(t *testing.T, c *ftp.Conn) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for _, dir := range []string{"", "dir"} {
			entries, err := c.ReadDir(ctx, "/"+dir)
			if err != nil {
				t.Fatalf("ReadDir /%s: %v", dir, err)
			}
			got, want := summarize(entries, isFixture), wantListing(dir)
			if !slices.Equal(got, want) {
				t.Errorf("ReadDir /%s:\n got  %v\n want %v", dir, got, want)
			}
			for _, e := range entries {
				if isFixture(e.Name) && (e.ModTime.IsZero() || time.Since(e.ModTime) > 24*time.Hour || time.Until(e.ModTime) > 24*time.Hour) {
					t.Errorf("ReadDir /%s: %s has time %v (precision %v), want today", dir, e.Name, e.ModTime, e.Precision)
				}
			}
		}
	}
	for _, kind := range Kinds {
		for _, mlsd := range []bool{true, false} {
			name := fmt.Sprintf("%v/LIST", kind)
			if mlsd {
				name = fmt.Sprintf("%v/MLSD", kind)
			}
			t.Run(name, func(t *testing.T) {
				in := Start(t, kind, Plain)
				check(t, login(t, in, ftp.Dialer{DisableMLSD: !mlsd}))
			})
		}
	}
	for _, mlsd := range []bool{true, false} {
		t.Run(fmt.Sprintf("in-process/MLSD=%v", mlsd), func(t *testing.T) {
			fsys := afero.NewMemMapFs()
			for _, d := range fixtureDirs {
				fsys.MkdirAll("/"+d, 0o755)
			}
			for name, data := range fixtures {
				afero.WriteFile(fsys, "/"+name, data, 0o644)
			}
			srv, err := ftptest.Start(ftptest.Options{FS: fsys, DisableMLSD: !mlsd})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := (&ftp.Dialer{}).Dial(ctx, srv.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Login(ctx, "anonymous", ""); err != nil {
				t.Fatal(err)
			}
			check(t, c)
		})
	}
}
