package transfer

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"
)

// Job is one file of a batch.
type Job struct {
	Op     Op     // OpGet or OpPut
	Remote string // the remote path
	// Local is the local path, slash-separated and relative to the batch's
	// local directory, which confines it.
	Local string
	// Size and ModTime of the source, from a listing; Size -1 and a zero
	// ModTime make a download ask the server (SIZE, MDTM).
	Size    int64
	ModTime time.Time
}

// Summary is the outcome of many transfers.
type Summary struct {
	Results   []Result      // one per job or action, in order
	Files     int           // transferred successfully
	Unchanged int           // already in place
	Deleted   int           // extraneous files and trees removed
	Failed    int           // failed or skipped as unsafe
	Bytes     int64         // moved over the network
	Duration  time.Duration // time taken
}

// Err returns a *BatchError listing the failures, or nil.
func (s *Summary) Err() error {
	var failed []Result
	for _, r := range s.Results {
		if r.Err != nil {
			failed = append(failed, r)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return &BatchError{Failed: failed}
}

func (s *Summary) add(r Result) {
	switch {
	case r.Err != nil:
		s.Failed++
	case r.Unchanged || r.Op == OpMkdir:
		if r.Unchanged {
			s.Unchanged++
		}
	case r.Op == OpDelete:
		s.Deleted++
	case r.Op == OpGet || r.Op == OpPut:
		s.Files++
	}
	s.Bytes += r.Transferred
}

// Run transfers the jobs, Copier.Parallel at a time, with local paths
// under localDir (created for downloads). One failure does not stop the
// others: every job has its Result in the Summary, and the error, if any,
// is a *BatchError listing the failures (or the context's error when
// cancelled).
func (cp *Copier) Run(ctx context.Context, localDir string, jobs []Job) (*Summary, error) {
	began := time.Now()
	root, err := openTree(localDir, true)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var total int64
	for _, j := range jobs {
		total += max(j.Size, 0)
	}
	cp.planned(len(jobs), total)
	sum := &Summary{Results: make([]Result, len(jobs))}
	cp.each(ctx, len(jobs), func(i int) {
		sum.Results[i] = cp.runJob(ctx, root, localDir, jobs[i])
	})
	for _, r := range sum.Results {
		sum.add(r)
	}
	sum.Duration = time.Since(began)
	if ctx.Err() != nil {
		return sum, ctx.Err()
	}
	return sum, sum.Err()
}

func (cp *Copier) runJob(ctx context.Context, root *os.Root, localDir string, j Job) Result {
	display := localPath(localDir, j.Local)
	name := filepath.FromSlash(j.Local)
	if ctx.Err() != nil {
		return Result{Op: j.Op, Remote: j.Remote, Local: display, Size: j.Size, Err: ctx.Err()}
	}
	switch j.Op {
	case OpGet:
		if dir := path.Dir(j.Local); dir != "." {
			if err := root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
				r := Result{Op: OpGet, Remote: j.Remote, Local: display, Size: j.Size, Err: &LocalError{Op: "mkdir", Path: localPath(localDir, dir), Err: err}}
				cp.report(ctx, OpGet, j.Remote, display).finish(r)
				return r
			}
		}
		var m *meta
		if j.Size >= 0 {
			m = &meta{size: j.Size, mtime: j.ModTime}
		}
		return cp.download(ctx, root, name, j.Remote, display, m, nil)
	case OpPut:
		return cp.upload(ctx, root, name, display, j.Remote, nil)
	}
	return Result{Op: j.Op, Remote: j.Remote, Local: display, Err: &LocalError{Op: string(j.Op), Path: display, Err: os.ErrInvalid}}
}

// each runs fn(0) … fn(n-1), Copier.Parallel at a time.
func (cp *Copier) each(ctx context.Context, n int, fn func(i int)) {
	sem := make(chan struct{}, cp.parallel())
	var wg sync.WaitGroup
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			// The rest still get a result (cancelled) from fn.
			sem <- struct{}{}
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}
