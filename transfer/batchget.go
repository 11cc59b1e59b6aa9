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
// A batch costs about half a round trip at its end (the next one's first
// commands wait for the last reply), so batches are as long as balance
// allows: on one connection, every file; on several, a share of what is
// left (guided scheduling), large first and small at the end, so that a
// connection that logged in early takes more, and none is left working
// alone long after the others.
func (cp *Copier) getSmall(ctx context.Context, root *os.Root, files []smallGet) (results []Result, handed []*report, rest []int) {
	results = make([]Result, len(files))
	handed = make([]*report, len(files))
	var (
		mu    sync.Mutex
		queue = indexes(0, len(files))
		wg    sync.WaitGroup
	)
	conns := cp.parallel()
	take := func() []int {
		mu.Lock()
		defer mu.Unlock()
		if len(queue) == 0 || ctx.Err() != nil {
			return nil
		}
		per := len(queue)
		if conns > 1 {
			per = max(1, (len(queue)+2*conns-1)/(2*conns))
		}
		b := queue[:per:per]
		queue = queue[per:]
		return b
	}
	for range min(conns, len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := take(); b != nil; b = take() {
				failed, untried := cp.getBatch(ctx, root, files, b, results, handed)
				mu.Lock()
				rest = append(rest, failed...)
				// Files after a failure go back in line, unless the
				// batch did nothing at all (no connection): then the
				// one-file path, with its retries, is their way.
				if len(untried) < len(b) {
					queue = append(untried, queue...)
				} else {
					rest = append(rest, untried...)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return results, handed, append(rest, queue...) // what is queued still: cancelled
}

// getBatch fetches the files at b on one connection. It returns those it
// tried and could not finish, and those it did not get to.
func (cp *Copier) getBatch(ctx context.Context, root *os.Root, files []smallGet, b []int, results []Result, handed []*report) (failed, untried []int) {
	c, release, err := cp.conn(ctx)
	if err != nil {
		return nil, b
	}
	paths := make([]string, len(b))
	for k, i := range b {
		paths[k] = files[i].remote
	}
	tried := 0 // RetrieveEach calls back in the order of paths
	done := make([]bool, len(b))
	err = c.RetrieveEach(ctx, paths, func(_ string, d *ftp.Download, err error) error {
		k := tried
		tried++
		i := b[k]
		if err != nil {
			if isRefusal(err) && !transient(err) {
				// Refused for good (gone since the listing): that is
				// this file's result; the batch goes on.
				results[i] = cp.failedGet(ctx, files[i], err)
				done[k] = true
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
		done[k] = true
		return nil
	})
	release(err)
	for k := range tried {
		if !done[k] {
			failed = append(failed, b[k])
		}
	}
	return failed, b[tried:]
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
