package transfer

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferryftp/ftp"
)

// Progress is told about transfers as they go. Its methods are called from
// the goroutines doing the transfers, concurrently for different files, and
// must not block for long. Names are the remote paths. The same events
// reach the file hooks of an ftp.Trace on the call's context
// (ftp.Trace.FileStarted, FileProgress, FileDone), with no Progress set.
type Progress interface {
	// Planned adds files and bytes to the total still to move, when a
	// batch or a plan becomes known (it may be called more than once).
	Planned(files int, bytes int64)
	// Started: a file of size bytes (-1 unknown) begins, with resumed
	// bytes already in place.
	Started(name string, size, resumed int64)
	// Moved: n more bytes of the file arrived (or left).
	Moved(name string, n int64)
	// Finished: the file's outcome (Result.Err is nil on success).
	Finished(r Result)
}

// Meter is a Progress that keeps totals; Snapshot reports them with a rate
// averaged over the transfer so far (not over the last instant, so that a
// burst at the end does not make a slow transfer look fast) and an ETA.
// Next, when set, is told everything as well. The zero value is ready.
type Meter struct {
	Next Progress

	mu      sync.Mutex
	start   time.Time // first byte moved
	files   int       // planned
	done    int       // finished, successfully or not
	failed  int
	total   int64 // planned bytes
	moved   int64 // bytes moved over the network
	resumed int64 // bytes found in place
}

// Status is a Meter's snapshot.
type Status struct {
	Files, Done, Failed int           // files planned, files finished, failures
	Bytes, Total        int64         // bytes in place (moved+resumed) and planned
	Rate                float64       // bytes per second moved, averaged since the first byte
	Elapsed             time.Duration // since the first byte
	ETA                 time.Duration // -1 when unknown
}

// Planned implements Progress.
func (m *Meter) Planned(files int, bytes int64) {
	m.mu.Lock()
	m.files += files
	m.total += bytes
	m.mu.Unlock()
	if m.Next != nil {
		m.Next.Planned(files, bytes)
	}
}

// Started implements Progress.
func (m *Meter) Started(name string, size, resumed int64) {
	m.mu.Lock()
	m.resumed += resumed
	m.mu.Unlock()
	if m.Next != nil {
		m.Next.Started(name, size, resumed)
	}
}

// Moved implements Progress.
func (m *Meter) Moved(name string, n int64) {
	m.mu.Lock()
	if m.start.IsZero() {
		m.start = time.Now()
	}
	m.moved += n
	m.mu.Unlock()
	if m.Next != nil {
		m.Next.Moved(name, n)
	}
}

// Finished implements Progress.
func (m *Meter) Finished(r Result) {
	m.mu.Lock()
	if r.Op == OpGet || r.Op == OpPut {
		m.done++
	}
	if r.Err != nil {
		m.failed++
	}
	m.mu.Unlock()
	if m.Next != nil {
		m.Next.Finished(r)
	}
}

// Snapshot returns the totals so far.
func (m *Meter) Snapshot() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Status{Files: m.files, Done: m.done, Failed: m.failed, Bytes: m.moved + m.resumed, Total: m.total, ETA: -1}
	if !m.start.IsZero() {
		s.Elapsed = time.Since(m.start)
		if secs := s.Elapsed.Seconds(); secs > 0 {
			s.Rate = float64(m.moved) / secs
		}
	}
	if s.Rate > 0 && s.Total >= s.Bytes {
		s.ETA = time.Duration(float64(s.Total-s.Bytes) / s.Rate * float64(time.Second))
	}
	return s
}

// traceEvery is the least time between two FileProgress hooks of one
// file (see ftp.Trace.FileProgress).
var traceEvery = time.Second

// planned tells the Copier's Progress about a batch or a plan.
func (cp *Copier) planned(files int, bytes int64) {
	if cp.Progress != nil {
		cp.Progress.Planned(files, bytes)
	}
}

// report follows one file's transfer, for the Copier's Progress and for
// the file hooks of the Trace of the call's context. It is the io.Writer
// that counts the bytes moved, and may be handed from a pipelined batch
// to the one-file path that takes the file over, so that the file is
// reported as one.
type report struct {
	ctx           context.Context
	p             Progress
	tr            *ftp.Trace // nil without file hooks
	op            Op
	remote, local string

	n atomic.Int64 // bytes moved

	mu            sync.Mutex // one hook at a time for the file
	started, done bool
	size, resumed int64
	began         time.Time // when started
	next          time.Time // when the next FileProgress is due
}

// report begins to follow op's file remote (local is "" for a stream).
func (cp *Copier) report(ctx context.Context, op Op, remote, local string) *report {
	r := &report{ctx: ctx, p: cp.Progress, op: op, remote: remote, local: local}
	if tr := ftp.ContextTrace(ctx); tr != nil && (tr.FileStarted != nil || tr.FileProgress != nil || tr.FileDone != nil) {
		r.tr = tr
	}
	return r
}

// start reports that the file of size bytes (-1 unknown) begins, with
// resumed bytes in place. Only the first call counts; it reports whether
// it was this one.
func (r *report) start(size, resumed int64) bool {
	r.mu.Lock()
	if r.started {
		r.mu.Unlock()
		return false
	}
	r.started, r.size, r.resumed = true, size, resumed
	r.began = time.Now()
	r.next = r.began.Add(traceEvery)
	if r.tr != nil && r.tr.FileStarted != nil {
		r.tr.FileStarted(r.ctx, ftp.FileStartInfo{Op: string(r.op), Remote: r.remote, Local: r.local, Size: size, Resumed: resumed})
	}
	r.mu.Unlock()
	if r.p != nil {
		r.p.Started(r.remote, size, resumed)
	}
	return true
}

// moved is the number of bytes moved so far.
func (r *report) moved() int64 { return r.n.Load() }

func (r *report) Write(b []byte) (int, error) {
	r.add(int64(len(b)))
	return len(b), nil
}

// add reports n bytes moved, from any goroutine.
func (r *report) add(n int64) {
	r.n.Add(n)
	if r.p != nil {
		r.p.Moved(r.remote, n)
	}
	if r.tr == nil || r.tr.FileProgress == nil {
		return
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.started || r.done || now.Before(r.next) {
		return
	}
	r.next = now.Add(traceEvery)
	moved := r.n.Load()
	info := ftp.FileProgressInfo{
		Op: string(r.op), Remote: r.remote, Local: r.local, Size: r.size,
		Bytes: r.resumed + moved, Transferred: moved, Elapsed: now.Sub(r.began), ETA: -1,
	}
	if secs := info.Elapsed.Seconds(); secs > 0 {
		info.Rate = float64(moved) / secs
	}
	if info.Rate > 0 && r.size >= info.Bytes {
		info.ETA = time.Duration(float64(r.size-info.Bytes) / info.Rate * float64(time.Second))
	}
	r.tr.FileProgress(r.ctx, info)
}

// finish reports the file's outcome, once; a file that failed before it
// began is reported as started first, so that every Finished (and
// FileDone) has its Started.
func (r *report) finish(res Result) {
	r.start(res.Size, 0)
	r.mu.Lock()
	if r.done {
		r.mu.Unlock()
		return
	}
	r.done = true
	if r.tr != nil && r.tr.FileDone != nil {
		r.tr.FileDone(r.ctx, ftp.FileDoneInfo{
			Op: string(r.op), Remote: r.remote, Local: r.local, Size: res.Size,
			Transferred: res.Transferred, Resumed: res.Resumed, Restarted: res.Restarted,
			Unchanged: res.Unchanged, Checksum: res.Checksum, Duration: res.Duration, Err: res.Err,
		})
	}
	r.mu.Unlock()
	if r.p != nil {
		r.p.Finished(res)
	}
}
