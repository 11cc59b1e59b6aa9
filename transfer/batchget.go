package transfer

import (
	"context"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/ferryftp/ftp"
)

// smallFile is the size up to which a sync downloads files in pipelined
// batches on one connection (ftp.Conn.RetrieveEach): for a small file the
// round trips cost more than the bytes, and pipelining saves about half.
const smallFile = 1 << 20

// smallGet is one download of a pipelined batch: a small file whose size
// and time are known beforehand (from a listing), so that a batch sends no
// other command for it.
type smallGet struct {
	remote  string // the remote path
	name    string // the local name, slash-separated, under the batch's root
	display string // the local path, for results
	size    int64
	mtime   time.Time
}

// batchable reports whether a file of that size and time can go in a
// pipelined batch: small, with size and time known (or times ignored),
// and not one whose checksum the Copier must verify. Such files are
// verified by size: a checksum would be one more round trip per file, as
// much as the transfer itself; Checksum: ChecksumRequire verifies each.
// ASCII mode takes the one-file path, whose size check allows for line
// ends.
func (cp *Copier) batchable(size int64, mtime time.Time) bool {
	return size >= 0 && size <= smallFile && (!mtime.IsZero() || cp.IgnoreTimes) && cp.Checksum != ChecksumRequire && !cp.ASCII
}

// noPart reports whether name has no partial file to resume in root.
func noPart(root *os.Root, name string) bool {
	_, err := root.Lstat(filepath.FromSlash(name) + partSuffix)
	return isNotExist(err)
}

// getSmall downloads files (all under root) Copier.Parallel connections
// at a time, in pipelined batches. It returns their results, and the
// indexes of those a batch could not finish, for the one-file path with
// its retries; the report of a file a batch had begun is left in handed.
//
// The connections share one queue: each batch takes the next file as it
// reaches it, so a batch lasts as long as there is work, and none waits
// at a batch's end (about half a round trip: the next batch's first
// commands would wait for the last reply) or for the others to finish.
func (cp *Copier) getSmall(ctx context.Context, root *os.Root, files []smallGet) (results []Result, handed []*report, rest []int) {
	results = make([]Result, len(files))
	handed = make([]*report, len(files))
	q := &workQueue{ctx: ctx, todo: indexes(0, len(files))}
	var wg sync.WaitGroup
	for range min(cp.parallel(), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q.more() {
				failed, untried, tried := cp.getBatch(ctx, root, files, q, results, handed)
				q.settle(failed, untried)
				if tried == 0 {
					// No connection, or one that could do nothing: the
					// other batches, or else the one-file path with its
					// retries, take the files.
					return
				}
			}
		}()
	}
	wg.Wait()
	return results, handed, append(q.failed, q.todo...) // what is queued still: cancelled, or no connection
}

// workQueue is the files the batches of getSmall share.
type workQueue struct {
	ctx    context.Context
	mu     sync.Mutex
	todo   []int // in order; files put back go first
	failed []int // for the one-file path
}

func (q *workQueue) more() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.todo) > 0 && q.ctx.Err() == nil
}

// take returns the next file, and records it in taken.
func (q *workQueue) take(taken *[]int) (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.todo) == 0 || q.ctx.Err() != nil {
		return 0, false
	}
	i := q.todo[0]
	q.todo = q.todo[1:]
	*taken = append(*taken, i)
	return i, true
}

// settle takes back what a batch ended without: files it failed go to the
// one-file path, files it took and did not try go back in line.
func (q *workQueue) settle(failed, untried []int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.failed = append(q.failed, failed...)
	q.todo = append(untried, q.todo...)
}

// getBatch fetches files from the queue on one connection, until the
// queue is empty or a file fails. It returns those it tried and could not
// finish, those it took and did not get to, and how many it tried.
func (cp *Copier) getBatch(ctx context.Context, root *os.Root, files []smallGet, q *workQueue, results []Result, handed []*report) (failed, untried []int, tried int) {
	c, release, err := cp.conn(ctx)
	if err != nil {
		return nil, nil, 0
	}
	var taken []int
	paths := func(yield func(string) bool) {
		for {
			i, ok := q.take(&taken)
			if !ok || !yield(files[i].remote) {
				return
			}
		}
	}
	// RetrieveEach calls back in the order of paths and stops at the
	// first error fn returns: only the last file tried can have failed.
	lastDone := false
	err = c.RetrieveEach(ctx, paths, func(_ string, d *ftp.Download, err error) error {
		i := taken[tried]
		tried++
		lastDone = false
		if err != nil {
			if isRefusal(err) && !transient(err) {
				// Refused for good (gone since the listing): that is
				// this file's result; the batch goes on.
				results[i] = cp.failedGet(ctx, files[i], err)
				lastDone = true
				return nil
			}
			return err
		}
		pr := cp.report(ctx, OpGet, files[i].remote, files[i].display)
		res, err := cp.getOne(root, files[i], d, pr)
		if err != nil {
			handed[i] = pr
			return err // the one-file path retries it
		}
		results[i] = res
		lastDone = true
		return nil
	})
	release(err)
	if tried > 0 && !lastDone {
		failed = taken[tried-1 : tried]
	}
	return failed, taken[tried:], tried
}

func indexes(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// getOne writes an open download of a batch to its .part file, checks the
// size and renames it into place. A failure returns an error and leaves
// no file behind, for the one-file path to start afresh, and pr
// unfinished, for it to go on with; a local failure is the file's result.
func (cp *Copier) getOne(root *os.Root, g smallGet, d *ftp.Download, pr *report) (Result, error) {
	began := time.Now()
	name := filepath.FromSlash(g.name)
	res := Result{Op: OpGet, Remote: g.remote, Local: g.display, Size: g.size, ModTime: g.mtime}
	if parent := path.Dir(g.name); parent != "." {
		if err := root.MkdirAll(filepath.FromSlash(parent), 0o755); err != nil {
			res.Err = &LocalError{Op: "mkdir", Path: filepath.Dir(g.display), Err: err}
			pr.finish(res)
			return res, nil
		}
	}
	part := name + partSuffix
	f, err := root.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		res.Err = &LocalError{Op: "create", Path: g.display + partSuffix, Err: err}
		pr.finish(res)
		return res, nil
	}
	pr.start(res.Size, 0)
	n, err := io.Copy(io.MultiWriter(&localWriter{f, g.display + partSuffix}, pr), d)
	if err == nil {
		err = checkSize(g.remote, res.Size, n)
	}
	if err == nil {
		err = finishDownload(root, f, part, name, g.display+partSuffix, res.ModTime, cp.IgnoreTimes)
	} else {
		f.Close()
	}
	res.Transferred, res.Duration = pr.moved(), time.Since(began)
	if err != nil {
		_ = root.Remove(part)
		var le *LocalError
		if errors.As(err, &le) {
			res.Err = err
			pr.finish(res)
			return res, nil
		}
		// Taken over, and reported, by the one-file path.
		return res, err
	}
	pr.finish(res)
	return res, nil
}

// failedGet reports a batch's file that was refused before its data began.
func (cp *Copier) failedGet(ctx context.Context, g smallGet, err error) Result {
	r := Result{Op: OpGet, Remote: g.remote, Local: g.display, Size: g.size, Err: err}
	cp.report(ctx, OpGet, r.Remote, r.Local).finish(r)
	return r
}
