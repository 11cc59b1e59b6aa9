package integration

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
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

// TestMLSDAgreesWithLIST lists the same directory of awkward names, sizes
// and times through MLSD (where the daemon offers it) and through LIST
// parsed by package listing, and checks both against the files themselves:
// names byte for byte, types, sizes, and times to the precision each
// listing gives.
func TestMLSDAgreesWithLIST(t *testing.T) {
	recent := time.Now().Add(-36 * time.Hour).Truncate(time.Second).UTC()
	old := time.Date(2019, 3, 4, 5, 6, 7, 0, time.UTC)
	files := []struct {
		name string
		size int64
		mod  time.Time
	}{
		{"plain.txt", 10, recent},
		{" leading blank", 3, recent},
		{"two  blanks inside", 7, old},
		{"ünïcödé.dat", 1234, old},
		{"looks -> like a link", 5, recent},
		{"2019", 1, old},
		{"big.iso", 5_000_000_000, old}, // sparse: past 4 GiB
	}
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			in := Start(t, kind, Plain)
			dir, local := in.Scratch(t)
			for _, f := range files {
				p := filepath.Join(local, f.name)
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Truncate(p, f.size); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(p, f.mod, f.mod); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Mkdir(filepath.Join(local, "sub dir"), 0o755); err != nil {
				t.Fatal(err)
			}
			c := login(t, in, ftp.Dialer{})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			check := func(how string, entries []listing.Entry) {
				t.Helper()
				byName := map[string]listing.Entry{}
				for _, e := range entries {
					if e.Name == "." || e.Name == ".." || e.IsCurrentDir() || e.IsParentDir() {
						continue
					}
					if _, dup := byName[e.Name]; dup {
						t.Errorf("%s: %q listed twice", how, e.Name)
					}
					byName[e.Name] = e
				}
				if len(byName) != len(files)+1 {
					names := make([]string, 0, len(byName))
					for n := range byName {
						names = append(names, fmt.Sprintf("%q", n))
					}
					t.Errorf("%s: %d entries %v, want %d", how, len(byName), names, len(files)+1)
				}
				if e, ok := byName["sub dir"]; !ok || e.Type != listing.Dir {
					t.Errorf("%s: sub dir: %+v", how, e)
				}
				for _, f := range files {
					e, ok := byName[f.name]
					if !ok {
						t.Errorf("%s: %q missing", how, f.name)
						continue
					}
					if e.Type != listing.File || e.Size != f.size {
						t.Errorf("%s: %q is %v of %d bytes, want a file of %d (%q)", how, f.name, e.Type, e.Size, f.size, e.Raw)
					}
					if got, want := e.ModTime, e.Precision.Truncate(f.mod.In(e.ModTime.Location())); e.Precision == listing.PrecisionNone || !got.Equal(want) {
						t.Errorf("%s: %q time %v (%v), want %v (%q)", how, f.name, got, e.Precision, want, e.Raw)
					}
				}
			}

			feat, err := c.Features(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if feat.Has("MLST") {
				entries, err := c.MachineList(ctx, dir)
				if err != nil {
					t.Fatalf("MLSD: %v", err)
				}
				check("MLSD", entries)
			}
			lines, err := c.List(ctx, dir)
			if err != nil {
				t.Fatalf("LIST: %v", err)
			}
			syst, _ := c.System(ctx)
			detected, errs := listing.Parse(lines, listing.Options{SystHint: syst})
			for _, le := range errs {
				t.Errorf("LIST: %v", le)
			}
			check("LIST", detected)
			// Forced to the detected format, the listing reads the same.
			forced, _ := listing.Parse(lines, listing.Options{Format: listing.Detect(lines, syst)})
			if len(forced) != len(detected) {
				t.Errorf("LIST forced: %d entries, detected: %d", len(forced), len(detected))
			}
		})
	}
}
