package transfer

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// fileLog records the file hooks of a Trace, and checks as they come that
// each file's hooks come in order: one start, progress, one end.
type fileLog struct {
	t        *testing.T
	mu       sync.Mutex
	starts   []ftp.FileStartInfo
	progress []ftp.FileProgressInfo
	dones    []ftp.FileDoneInfo
	state    map[string]string // by op and remote path: "started", "done"
}

func (l *fileLog) ctx() context.Context {
	l.state = map[string]string{}
	return ftp.WithTrace(context.Background(), &ftp.Trace{
		FileStarted: func(_ context.Context, info ftp.FileStartInfo) {
			l.mu.Lock()
			defer l.mu.Unlock()
			key := info.Op + " " + info.Remote
			if s := l.state[key]; s != "" {
				l.t.Errorf("FileStarted for %s when %s", key, s)
			}
			l.state[key] = "started"
			l.starts = append(l.starts, info)
		},
		FileProgress: func(_ context.Context, info ftp.FileProgressInfo) {
			l.mu.Lock()
			defer l.mu.Unlock()
			if s := l.state[info.Op+" "+info.Remote]; s != "started" {
				l.t.Errorf("FileProgress for %s when %q", info.Remote, s)
			}
			l.progress = append(l.progress, info)
		},
		FileDone: func(_ context.Context, info ftp.FileDoneInfo) {
			l.mu.Lock()
			defer l.mu.Unlock()
			key := info.Op + " " + info.Remote
			if s := l.state[key]; s != "started" {
				l.t.Errorf("FileDone for %s when %q", key, s)
			}
			l.state[key] = "done"
			l.dones = append(l.dones, info)
		},
	})
}

// done returns the FileDone of remote, failing the test unless there is
// exactly one.
func (l *fileLog) done(remote string) ftp.FileDoneInfo {
	l.t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []ftp.FileDoneInfo
	for _, d := range l.dones {
		if d.Remote == remote {
			out = append(out, d)
		}
	}
	if len(out) != 1 {
		l.t.Fatalf("%d FileDone for %s, want 1", len(out), remote)
	}
	return out[0]
}

// checkProgress checks that the progress of remote only grows and stays
// within its size, and returns how many there were.
func (l *fileLog) checkProgress(remote string, size int64) int {
	l.t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	n, last := 0, int64(-1)
	for _, p := range l.progress {
		if p.Remote != remote {
			continue
		}
		n++
		if p.Bytes < last || p.Bytes > size || p.Size != size || p.Bytes != p.Transferred {
			l.t.Errorf("progress %+v after %d bytes, size %d", p, last, size)
		}
		last = p.Bytes
	}
	return n
}

// everyWrite makes FileProgress come for every write, for the length of
// the test.
func everyWrite(t *testing.T) {
	old := traceEvery
	traceEvery = 0
	t.Cleanup(func() { traceEvery = old })
}

// A download reports its start, its progress as the bytes arrive, and its
// end with the figures of its Result.
func TestTraceFilesDownload(t *testing.T) {
	everyWrite(t)
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	want := data(40, 300_000)
	afero.WriteFile(fx.fs, "/f.bin", want, 0o644)
	local := filepath.Join(t.TempDir(), "f.bin")
	l := &fileLog{t: t}
	r, err := fx.cp.Download(l.ctx(), "f.bin", local)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.starts) != 1 || l.starts[0] != (ftp.FileStartInfo{Op: "get", Remote: "f.bin", Local: local, Size: 300_000}) {
		t.Errorf("starts %+v", l.starts)
	}
	if n := l.checkProgress("f.bin", 300_000); n < 2 {
		t.Errorf("%d progress calls for 300 kB at every write", n)
	}
	d := l.done("f.bin")
	if d.Op != "get" || d.Local != local || d.Size != 300_000 || d.Transferred != 300_000 || d.Resumed != 0 ||
		d.Checksum != r.Checksum || d.Checksum == "" || d.Duration != r.Duration || d.Err != nil {
		t.Errorf("done %+v, result %+v", d, r)
	}
}

// A resumed download says how much was in place; a failed one ends with
// its error, having started with what was known.
func TestTraceFilesDownloadResumedAndFailed(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	want := data(41, 100_000)
	afero.WriteFile(fx.fs, "/f.bin", want, 0o644)
	local := filepath.Join(t.TempDir(), "f.bin")
	os.WriteFile(local+partSuffix, want[:30_000], 0o644)
	fx.cp.Resume = true
	l := &fileLog{t: t}
	ctx := l.ctx()
	if _, err := fx.cp.Download(ctx, "f.bin", local); err != nil {
		t.Fatal(err)
	}
	if len(l.starts) != 1 || l.starts[0].Resumed != 30_000 {
		t.Errorf("starts %+v", l.starts)
	}
	if d := l.done("f.bin"); d.Resumed != 30_000 || d.Transferred != 70_000 {
		t.Errorf("done %+v", d)
	}

	_, err := fx.cp.Download(ctx, "none.bin", local+"2")
	if err == nil {
		t.Fatal("no error for a missing file")
	}
	if d := l.done("none.bin"); d.Err == nil || d.Size != -1 || d.Transferred != 0 {
		t.Errorf("done %+v", d)
	}
	if l.checkProgress("none.bin", -1) != 0 {
		t.Error("progress for a file that never began")
	}
}

// An upload that the server makes start over says so, and that nothing
// was resumed after all.
func TestTraceFilesUploadRestarted(t *testing.T) {
	mem := afero.NewMemMapFs()
	fx := newFixture(t, ftptest.Options{FS: noResumeFs{mem}})
	afero.WriteFile(mem, "/up.bin", []byte("0123"), 0o644)
	local := filepath.Join(t.TempDir(), "up.bin")
	os.WriteFile(local, data(42, 50_000), 0o644)
	fx.cp.Resume = true
	l := &fileLog{t: t}
	r, err := fx.cp.Upload(l.ctx(), local, "up.bin")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.starts) != 1 || l.starts[0].Op != "put" || l.starts[0].Resumed != 4 || l.starts[0].Size != 50_000 {
		t.Errorf("starts %+v", l.starts)
	}
	d := l.done("up.bin")
	if !d.Restarted || d.Resumed != 0 || d.Transferred != 50_000 || r.Resumed != 0 {
		t.Errorf("done %+v, result %+v", d, r)
	}
}

// Streams have no local name and, going in, no known size.
func TestTraceFilesStreams(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	l := &fileLog{t: t}
	ctx := l.ctx()
	want := data(43, 40_000)
	if _, err := fx.cp.UploadFrom(ctx, bytes.NewReader(want), "s.bin"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := fx.cp.DownloadTo(ctx, "s.bin", &buf); err != nil {
		t.Fatal(err)
	}
	if len(l.starts) != 2 || l.starts[0] != (ftp.FileStartInfo{Op: "put", Remote: "s.bin", Size: -1}) ||
		l.starts[1] != (ftp.FileStartInfo{Op: "get", Remote: "s.bin", Size: -1}) {
		t.Errorf("starts %+v", l.starts)
	}
	for _, d := range l.dones {
		if d.Local != "" || d.Size != 40_000 || d.Transferred != 40_000 || d.Err != nil {
			t.Errorf("done %+v", d)
		}
	}
}

// Segments report as one file, from several goroutines, one hook at a
// time, the bytes only growing.
func TestTraceFilesSegmented(t *testing.T) {
	everyWrite(t)
	fx := newFixture(t, ftptest.Options{})
	size := 3<<20 + 5
	afero.WriteFile(fx.fs, "/big.bin", data(44, size), 0o644)
	local := filepath.Join(t.TempDir(), "big.bin")
	l := &fileLog{t: t}
	if _, err := fx.cp.DownloadSegmented(l.ctx(), "big.bin", local, 3); err != nil {
		t.Fatal(err)
	}
	if len(l.starts) != 1 || l.starts[0].Size != int64(size) {
		t.Errorf("starts %+v", l.starts)
	}
	if n := l.checkProgress("big.bin", int64(size)); n < 3 {
		t.Errorf("%d progress calls", n)
	}
	if d := l.done("big.bin"); d.Transferred != int64(size) || d.Err != nil {
		t.Errorf("done %+v", d)
	}
}

// A sync reports each file once, including the small ones fetched in
// pipelined batches; a file whose batch broke off is taken over by the
// one-file path and still reported as one file, with every byte moved.
func TestTraceFilesSyncBatches(t *testing.T) {
	for _, drop := range []bool{false, true} {
		t.Run(fmt.Sprint("drop=", drop), func(t *testing.T) {
			fx := newFixture(t, ftptest.Options{})
			want := remoteTree(t, fx.fs, 12)
			if drop {
				fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 600})
				fx.cp.Retry.Attempts = 5
			}
			dst := filepath.Join(t.TempDir(), "copy")
			l := &fileLog{t: t}
			_, sum, err := fx.cp.Sync(l.ctx(), SyncOptions{Remote: "tree", Local: dst})
			if err != nil {
				t.Fatal(err)
			}
			checkLocalTree(t, dst, want)
			if len(l.starts) != 12 || len(l.dones) != 12 {
				t.Fatalf("%d starts, %d dones for 12 files", len(l.starts), len(l.dones))
			}
			var moved int64
			handed := 0
			for rel, b := range want {
				d := l.done("tree/" + rel)
				if d.Size != int64(len(b)) || d.Local != filepath.Join(dst, filepath.FromSlash(rel)) || d.Err != nil {
					t.Errorf("done %+v", d)
				}
				if d.Transferred < d.Size || !drop && d.Transferred != d.Size {
					t.Errorf("%s: %d transferred of %d", rel, d.Transferred, d.Size)
				}
				if d.Transferred > d.Size {
					handed++ // a batch began it, the one-file path started over
				}
				moved += d.Transferred
			}
			if drop && handed == 0 {
				t.Error("no file was taken over from a batch")
			}
			if moved != sum.Bytes {
				t.Errorf("files report %d bytes moved, the summary %d", moved, sum.Bytes)
			}
		})
	}
}

// Run reports each of its files once, the small ones its pipelined batches
// fetch included, also when a batch broke off and the one-file path took
// a file over; and a job that fails.
func TestTraceFilesRun(t *testing.T) {
	for _, drop := range []bool{false, true} {
		t.Run(fmt.Sprint("drop=", drop), func(t *testing.T) {
			fx := newFixture(t, ftptest.Options{})
			want := remoteTree(t, fx.fs, 9)
			var jobs []Job
			for rel := range want {
				jobs = append(jobs, Job{Op: OpGet, Remote: "tree/" + rel, Local: rel, Size: -1})
			}
			jobs = append(jobs, Job{Op: OpGet, Remote: "tree/none", Local: "none", Size: -1})
			if drop {
				fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 600})
				fx.cp.Retry.Attempts = 5
			}
			dst := t.TempDir()
			l := &fileLog{t: t}
			sum, err := fx.cp.Run(l.ctx(), dst, jobs)
			if err == nil || sum.Failed != 1 {
				t.Fatalf("err = %v, summary %+v; want tree/none failed", err, sum)
			}
			checkLocalTree(t, dst, want)
			if len(l.starts) != 10 || len(l.dones) != 10 {
				t.Fatalf("%d starts, %d dones for 10 files", len(l.starts), len(l.dones))
			}
			var moved int64
			for rel, b := range want {
				d := l.done("tree/" + rel)
				if d.Size != int64(len(b)) || d.Transferred < d.Size || d.Err != nil {
					t.Errorf("done %+v", d)
				}
				moved += d.Transferred
			}
			if d := l.done("tree/none"); d.Err == nil {
				t.Errorf("done %+v", d)
			}
			if moved != sum.Bytes {
				t.Errorf("files report %d bytes moved, the summary %d", moved, sum.Bytes)
			}
		})
	}
}

// Applying a plan again finds the files in place: each is reported
// unchanged. Uploads of a sync report like downloads.
func TestTraceFilesApplyAndUpload(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	remoteTree(t, fx.fs, 4)
	dst := filepath.Join(t.TempDir(), "copy")
	p, err := fx.cp.Plan(context.Background(), SyncOptions{Remote: "tree", Local: dst})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.cp.Apply(context.Background(), p, Shard{}); err != nil {
		t.Fatal(err)
	}
	l := &fileLog{t: t}
	if _, err := fx.cp.Apply(l.ctx(), p, Shard{}); err != nil {
		t.Fatal(err)
	}
	if len(l.dones) != 4 {
		t.Fatalf("%d dones", len(l.dones))
	}
	for _, d := range l.dones {
		if !d.Unchanged || d.Transferred != 0 {
			t.Errorf("done %+v", d)
		}
	}

	l = &fileLog{t: t}
	if _, _, err := fx.cp.Sync(l.ctx(), SyncOptions{Direction: Upload, Local: dst, Remote: "up"}); err != nil {
		t.Fatal(err)
	}
	if len(l.starts) != 4 || len(l.dones) != 4 {
		t.Fatalf("%d starts, %d dones", len(l.starts), len(l.dones))
	}
	for _, d := range l.dones {
		if d.Op != "put" || !strings.HasPrefix(d.Remote, "up/") || d.Transferred != d.Size || d.Err != nil {
			t.Errorf("done %+v", d)
		}
	}
}

// FileProgress is rate-limited by time, not called for each write: at
// most once per interval, the first an interval after the start.
func TestTraceFilesProgressRateLimited(t *testing.T) {
	old := traceEvery
	traceEvery = 40 * time.Millisecond
	t.Cleanup(func() { traceEvery = old })
	l := &fileLog{t: t}
	cp := &Copier{}
	r := cp.report(l.ctx(), OpGet, "f", "f")
	r.start(1<<20, 0)
	began := time.Now()
	for time.Since(began) < 300*time.Millisecond {
		r.Write(make([]byte, 100))
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(began)
	r.finish(Result{Op: OpGet, Size: 1 << 20, Transferred: r.moved()})
	n := l.checkProgress("f", 1<<20)
	if max := int(elapsed/traceEvery) + 1; n < 2 || n > max {
		t.Errorf("%d progress calls in %v at most every %v, want 2 to %d", n, elapsed, traceEvery, max)
	}
	for i, p := range l.progress {
		if p.Elapsed < time.Duration(i+1)*traceEvery {
			t.Errorf("progress %d after %v", i, p.Elapsed)
		}
		if p.Rate <= 0 || p.ETA <= 0 {
			t.Errorf("progress %+v: no rate or ETA", p)
		}
	}
}

// SlogTrace logs the file hooks; nothing logged holds the password.
func TestTraceFilesSlog(t *testing.T) {
	everyWrite(t)
	fx := newFixture(t, ftptest.Options{})
	afero.WriteFile(fx.fs, "/f.bin", data(45, 200_000), 0o644)
	var buf bytes.Buffer
	var mu sync.Mutex
	h := slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: ftp.LevelTrace})
	ctx := ftp.WithTrace(context.Background(), ftp.SlogTrace(slog.New(h)))
	fx.cp.Client.Password = "s3cret-Pw"
	fx.cp.Client.Dialer.Logger = slog.New(h)
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 100_000})
	if _, err := fx.cp.Download(ctx, "f.bin", filepath.Join(t.TempDir(), "f.bin")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	for _, want := range []string{
		`msg="ftp file start" op=get remote=f.bin`,
		`msg="ftp file progress" op=get remote=f.bin bytes=`,
		`msg="ftp retry" attempt=1`,
		`msg="ftp file done" op=get remote=f.bin`,
		`transferred=200000`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if !strings.Contains(out, "PASS ****") || strings.Contains(out, "s3cret-Pw") {
		t.Error("the password was logged")
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}
