package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// commandCount counts, through the context's trace, the logins and the
// commands a Copier sends.
type commandCount struct {
	mu      sync.Mutex
	dialed  int
	verbs   map[string]int
	retrOut []time.Time // when each RETR went out
}

func (cc *commandCount) ctx(parent context.Context) context.Context {
	cc.verbs = map[string]int{}
	return ftp.WithTrace(parent, &ftp.Trace{
		PoolDialed: func(context.Context, ftp.PoolDialInfo) {
			cc.mu.Lock()
			cc.dialed++
			cc.mu.Unlock()
		},
		CommandSent: func(_ context.Context, info ftp.CommandInfo) {
			cc.mu.Lock()
			cc.verbs[info.Verb]++
			cc.mu.Unlock()
		},
	})
}

func (cc *commandCount) n(verb string) int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.verbs[verb]
}

// Many files of one directory: one login, one listing, no SIZE or MDTM
// for the files it shows; each file complete, with the listed time. What
// the listing does not show as a file (a missing name, a directory, a file
// alone in its directory) is asked about on its own; the missing one
// fails alone, leaving no partial file and the local file of that name
// untouched.
func TestRunListsOnceAndBatches(t *testing.T) {
	for _, mlsd := range []bool{true, false} {
		t.Run(fmt.Sprintf("MLSD=%v", mlsd), func(t *testing.T) {
			fx := newFixture(t, ftptest.Options{DisableMLSD: !mlsd, DisableMLST: !mlsd})
			fx.cp.Client = newClient(t, fx.srv.Addr(), 1)
			fx.cp.Parallel = 1
			// Within the last months, so that LIST gives the minute.
			base := time.Now().Add(-48 * time.Hour).Truncate(time.Second).UTC()
			want := map[string][]byte{}
			var jobs []Job
			fx.fs.MkdirAll("/d/sub", 0o755)
			fx.fs.MkdirAll("/other", 0o755)
			for i := range 20 {
				name := fmt.Sprintf("f%02d", i)
				b := data(uint64(i), 100*i)
				want[name] = b
				afero.WriteFile(fx.fs, "/d/"+name, b, 0o644)
				mt := base.Add(time.Duration(i) * 61 * time.Second)
				fx.fs.Chtimes("/d/"+name, mt, mt)
				jobs = append(jobs, Job{Op: OpGet, Remote: "d/" + name, Local: name, Size: -1})
			}
			afero.WriteFile(fx.fs, "/other/alone", []byte("alone"), 0o644)
			want["alone"] = []byte("alone")
			jobs = append(jobs,
				Job{Op: OpGet, Remote: "d/missing", Local: "missing", Size: -1},
				Job{Op: OpGet, Remote: "d/sub", Local: "sub", Size: -1},
				Job{Op: OpGet, Remote: "other/alone", Local: "alone", Size: -1})
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "missing"), []byte("mine"), 0o644)

			var cc commandCount
			sum, err := fx.cp.Run(cc.ctx(context.Background()), dir, jobs)
			var be *BatchError
			if !errors.As(err, &be) || len(be.Failed) != 2 {
				t.Fatalf("err = %v", err)
			}
			if sum.Files != 21 || sum.Failed != 2 {
				t.Fatalf("summary %+v", sum)
			}
			if r := sum.Results[20]; !errors.Is(r.Err, fs.ErrNotExist) || r.Remote != "d/missing" {
				t.Errorf("missing file: %+v", r)
			}
			if r := sum.Results[21]; !errors.Is(r.Err, ErrIsDir) {
				t.Errorf("a directory: %+v, want ErrIsDir", r)
			}
			for name, b := range want {
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil || !bytes.Equal(got, b) {
					t.Errorf("%s: %v, %d bytes, want %d", name, err, len(got), len(b))
				}
			}
			for i := range 20 {
				st, err := os.Stat(filepath.Join(dir, fmt.Sprintf("f%02d", i)))
				mt := base.Add(time.Duration(i) * 61 * time.Second)
				if !mlsd {
					mt = mt.Truncate(time.Minute)
				}
				if err != nil || !st.ModTime().Equal(mt) {
					t.Errorf("f%02d: time %v, want %v (%v)", i, st.ModTime().UTC(), mt, err)
				}
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "missing")); string(got) != "mine" {
				t.Errorf("the local file named like the missing one was clobbered: %q", got)
			}
			for _, p := range []string{"missing.part", "sub", "sub.part"} {
				if _, err := os.Lstat(filepath.Join(dir, p)); err == nil {
					t.Errorf("%s left behind", p)
				}
			}
			if cc.dialed != 1 || cc.n("USER") != 1 {
				t.Errorf("%d logins (%d USER), want 1", cc.dialed, cc.n("USER"))
			}
			if lists := cc.n("MLSD") + cc.n("LIST"); lists != 1 {
				t.Errorf("%d listings, want 1 (of d): %v", lists, cc.verbs)
			}
			// Only the two the listing did not show are asked about:
			// the missing file (which is not looked up again, the
			// listing having shown no directory of its name) and the
			// file alone in its directory.
			if n := cc.n("SIZE"); n != 2 {
				t.Errorf("%d SIZE, want 2: %v", n, cc.verbs)
			}
			if n := cc.n("MLST"); n != 0 {
				t.Errorf("%d MLST, want 0: %v", n, cc.verbs)
			}
			if n := cc.n("RETR"); n != 21 {
				t.Errorf("%d RETR, want 21", n)
			}
		})
	}
}

// The connections of a Run share one queue of small files: each borrows
// its connection once and fetches until no file is left, rather than in
// batches that each end by waiting for their last reply. Borrowed: one
// connection for the listing, three logged in meanwhile (the warmers,
// given back at once), and one per batch: four.
func TestRunConnectionsShareOneQueue(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	fx.cp.Parallel = 4
	fx.fs.MkdirAll("/d", 0o755)
	var jobs []Job
	for i := range 60 {
		name := fmt.Sprintf("f%02d", i)
		afero.WriteFile(fx.fs, "/d/"+name, data(uint64(i), 500), 0o644)
		jobs = append(jobs, Job{Op: OpGet, Remote: "d/" + name, Local: name, Size: -1})
	}
	var mu sync.Mutex
	got := 0
	ctx := ftp.WithTrace(context.Background(), &ftp.Trace{
		PoolGot: func(context.Context, ftp.PoolGotInfo) {
			mu.Lock()
			got++
			mu.Unlock()
		},
	})
	dir := t.TempDir()
	sum, err := fx.cp.Run(ctx, dir, jobs)
	if err != nil || sum.Files != 60 {
		t.Fatalf("Run: %v, %+v", err, sum)
	}
	for i := range 60 {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("f%02d", i)))
		if err != nil || !bytes.Equal(b, data(uint64(i), 500)) {
			t.Errorf("f%02d: %v, %d bytes", i, err, len(b))
		}
	}
	if got > 1+3+4 {
		t.Errorf("connections borrowed %d times, want at most 8 (one batch per connection)", got)
	}
}

// A server that cuts files short: the batch notices by size, the file is
// fetched again on its own and fails; its partial data is kept under
// .part for a resume, and the complete local copy of an earlier run is
// not touched. The files short enough to escape the fault arrive.
func TestRunTruncatedInBatch(t *testing.T) {
	fx := newFixture(t, ftptest.Options{Faults: ftptest.Faults{Transfer: ftptest.Truncate, After: 3000}})
	fx.cp.Retry = Retry{Attempts: 2, Min: time.Millisecond, Max: time.Millisecond}
	var jobs []Job
	for i, n := range []int{1000, 20000, 2000} {
		name := fmt.Sprintf("f%d", i)
		afero.WriteFile(fx.fs, "/"+name, data(uint64(i), n), 0o644)
		jobs = append(jobs, Job{Op: OpGet, Remote: name, Local: name, Size: -1})
	}
	dir := t.TempDir()
	old := []byte("an earlier, complete copy")
	os.WriteFile(filepath.Join(dir, "f1"), old, 0o644)
	sum, err := fx.cp.Run(context.Background(), dir, jobs)
	var be *BatchError
	if !errors.As(err, &be) || len(be.Failed) != 1 || be.Failed[0].Remote != "f1" {
		t.Fatalf("err = %v", err)
	}
	if sum.Files != 2 {
		t.Fatalf("summary %+v", sum)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "f1")); !bytes.Equal(got, old) {
		t.Errorf("f1 clobbered by a failed download: %d bytes", len(got))
	}
	// Two attempts of 3,000 bytes each, the second resuming the first.
	if st, err := os.Stat(filepath.Join(dir, "f1.part")); err != nil || st.Size() != 6000 {
		t.Errorf("f1.part: %v, want 6000 bytes to resume from", err)
	}
	for _, n := range []string{"f0", "f2"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Error(err)
		}
	}
}

// Jobs with the same destination run one after the other, in order, even
// in batches on several connections: the last one's file is what stays.
func TestRunSameDestinationInOrder(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	fx.cp.Parallel = 4
	var jobs []Job
	for i := range 6 {
		name := fmt.Sprintf("v%d", i)
		afero.WriteFile(fx.fs, "/"+name, data(uint64(i), 2000+i), 0o644)
		jobs = append(jobs, Job{Op: OpGet, Remote: name, Local: "same", Size: -1})
	}
	dir := t.TempDir()
	if _, err := fx.cp.Run(context.Background(), dir, jobs); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "same"))
	if !bytes.Equal(got, data(5, 2005)) {
		t.Errorf("same has %d bytes, want the last job's 2005", len(got))
	}
}

// With Resume, a local file under the final name may be the start of the
// remote one (left by another tool): it is continued (REST), not fetched
// again in a batch.
func TestRunResumeLeavesBatchForPartial(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	fx.cp.Resume = true
	b := data(9, 4000)
	var cc commandCount
	afero.WriteFile(fx.fs, "/a", b, 0o644)
	afero.WriteFile(fx.fs, "/b", b, 0o644)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), b[:1500], 0o644)
	jobs := []Job{{Op: OpGet, Remote: "a", Local: "a", Size: -1}, {Op: OpGet, Remote: "b", Local: "b", Size: -1}}
	if _, err := fx.cp.Run(cc.ctx(context.Background()), dir, jobs); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b"} {
		if got, _ := os.ReadFile(filepath.Join(dir, n)); !bytes.Equal(got, b) {
			t.Errorf("%s: %d bytes", n, len(got))
		}
	}
	if cc.n("REST") != 1 {
		t.Errorf("%d REST, want 1 (a resumed)", cc.n("REST"))
	}
}

// A directory named for a download is said to be one, whether a listing
// showed it or the server was asked after refusing the download.
func TestDownloadOfDirectory(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	fx.fs.MkdirAll("/d/sub", 0o755)
	dir := t.TempDir()
	_, err := fx.cp.Download(context.Background(), "d/sub", filepath.Join(dir, "sub"))
	if !errors.Is(err, ErrIsDir) {
		t.Errorf("Download: %v, want ErrIsDir", err)
	}
	sum, _ := fx.cp.Run(context.Background(), dir, []Job{{Op: OpGet, Remote: "d/sub", Local: "sub", Size: -1}})
	if !errors.Is(sum.Results[0].Err, ErrIsDir) {
		t.Errorf("Run: %v, want ErrIsDir", sum.Results[0].Err)
	}
	if _, err := fx.cp.Download(context.Background(), "d/nothing", filepath.Join(dir, "x")); !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrIsDir) {
		t.Errorf("missing: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}

// A connection lost in the middle of a batch costs the file it was on a
// trip through the one-file path (asking its size again); the files after
// it go back in line for another batch.
func TestRunBatchAfterHangup(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	fx.cp.Client = newClient(t, fx.srv.Addr(), 1)
	fx.cp.Parallel = 1
	var jobs []Job
	for i := range 10 {
		name := fmt.Sprintf("f%d", i)
		afero.WriteFile(fx.fs, "/"+name, data(uint64(i), 1000), 0o644)
		jobs = append(jobs, Job{Op: OpGet, Remote: name, Local: name, Size: -1})
	}
	var cc commandCount
	var once sync.Once
	ctx := ftp.WithTrace(cc.ctx(context.Background()), &ftp.Trace{
		TransferDone: func(context.Context, ftp.TransferInfo) {
			// Once three files are done, the server hangs up on the
			// next RETR, once.
			cc.mu.Lock()
			n := cc.verbs["RETR"]
			cc.mu.Unlock()
			if n >= 3 {
				once.Do(func() { fx.srv.SetFaults(ftptest.Faults{HangupOn: "RETR"}) })
			}
		},
	})
	dir := t.TempDir()
	sum, err := fx.cp.Run(ctx, dir, jobs)
	if err != nil || sum.Files != 10 {
		t.Fatalf("%v %+v", err, sum)
	}
	if n := cc.n("SIZE"); n != 1 {
		t.Errorf("%d SIZE, want 1: only the file cut off goes on its own", n)
	}
	if cc.dialed != 2 {
		t.Errorf("%d logins, want 2", cc.dialed)
	}
}
