package transfer

import (
	"sync"
	"sync/atomic"
	"time"
)

// Progress is told about transfers as they go. Its methods are called from
// the goroutines doing the transfers, concurrently for different files, and
// must not block for long. Names are the remote paths.
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

// progress wraps a Copier's optional Progress so that the transfer code
// need not check for nil.
type progress struct{ p Progress }

func (p progress) planned(files int, bytes int64) {
	if p.p != nil {
		p.p.Planned(files, bytes)
	}
}

func (p progress) started(name string, size, resumed int64) {
	if p.p != nil {
		p.p.Started(name, size, resumed)
	}
}

func (p progress) finished(r Result) {
	if p.p != nil {
		p.p.Finished(r)
	}
}

// counter is an io.Writer that reports what passes on to Progress.
type counter struct {
	p    Progress
	name string
	n    int64
}

func (c *counter) Write(b []byte) (int, error) {
	c.n += int64(len(b))
	if c.p != nil {
		c.p.Moved(c.name, int64(len(b)))
	}
	return len(b), nil
}

// add reports n bytes moved, from any goroutine.
func (c *counter) add(n int64) {
	atomic.AddInt64(&c.n, n)
	if c.p != nil {
		c.p.Moved(c.name, n)
	}
}
