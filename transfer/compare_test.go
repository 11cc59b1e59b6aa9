package transfer

import (
	"context"
	"testing"
	"time"

	"github.com/ferryftp/ftp/listing"
	"github.com/google/go-cmp/cmp"
)

// Size and time at the coarser side's precision decide; a file where the
// source has a directory is replaced; extraneous paths are deleted last,
// and only with Delete.
func TestCompareSizeTime(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	src := []entry{
		{rel: "d", dir: true},
		{rel: "d/same", size: 3, mtime: t0, prec: listing.PrecisionSecond},
		{rel: "d/bigger", size: 4, mtime: t0, prec: listing.PrecisionSecond},
		{rel: "d/newer", size: 3, mtime: t0.Add(time.Hour), prec: listing.PrecisionSecond},
		{rel: "d/minute", size: 3, mtime: t0.Truncate(time.Minute), prec: listing.PrecisionMinute},
		{rel: "d/notime", size: 3},
		{rel: "e", dir: true},
		{rel: "new", size: 1, mtime: t0, prec: listing.PrecisionSecond},
	}
	dst := []entry{
		{rel: "d", dir: true},
		{rel: "d/same", size: 3, mtime: t0.Add(300 * time.Millisecond), prec: listing.PrecisionSubsecond},
		{rel: "d/bigger", size: 3, mtime: t0, prec: listing.PrecisionSubsecond},
		{rel: "d/newer", size: 3, mtime: t0, prec: listing.PrecisionSubsecond},
		{rel: "d/minute", size: 3, mtime: t0, prec: listing.PrecisionSubsecond},
		{rel: "d/notime", size: 3, mtime: t0, prec: listing.PrecisionSubsecond},
		{rel: "e", size: 1},
		{rel: "gone", dir: true},
		{rel: "gone/x", size: 1, mtime: t0, prec: listing.PrecisionSubsecond},
	}
	steps := func(o SyncOptions) ([]string, int) {
		p := &Plan{}
		if err := (&Copier{}).compare(context.Background(), &o, src, dst, p); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range p.Actions {
			out = append(out, string(a.Op)+" "+a.Path+" "+a.Reason)
		}
		return out, p.Unchanged
	}
	got, unchanged := steps(SyncOptions{Delete: true})
	want := []string{
		"delete e not a directory",
		"mkdir e new",
		"get d/bigger size",
		"get d/newer time",
		"get new new",
		"delete gone extraneous", // the whole tree, not gone/x as well
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("plan (-want +got):\n%s", d)
	}
	if unchanged != 3 {
		t.Errorf("unchanged = %d, want 3 (same, minute, notime)", unchanged)
	}
	got, _ = steps(SyncOptions{OnlyNewer: true})
	for _, s := range got {
		if s == "get d/bigger size" {
			t.Errorf("--only-newer copied a file of the same time: %v", got)
		}
	}
}
