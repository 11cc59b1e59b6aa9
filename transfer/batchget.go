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

// batchSize is how many small files one connection takes at a time.
const batchSize = 32

// batchable reports whether a get action can go in a pipelined batch: a
// small file of known size and time (a batch sends no other command, so
// nothing is asked per file), with no partial file to resume. Such files
// are verified by size: a checksum would be one more round trip per file,
// as much as the transfer itself; Checksum: ChecksumRequire verifies each.
// ASCII mode takes the one-file path, whose size check allows for line
// ends.
func (cp *Copier) batchable(a Action, root *os.Root) bool {
	if a.Op != OpGet || a.Size == nil || *a.Size > smallFile || a.ModTime == nil || cp.Checksum == ChecksumRequire || cp.ASCII {
		return false
	}
	_, err := root.Lstat(filepath.FromSlash(a.Path) + partSuffix)
	return isNotExist(err)
}

// getSmall downloads the actions at idx (all batchable, all under root)
// Copier.Parallel connections at a time, batchSize files per turn, and
// returns those a batch could not finish, for the one-file path with its
// retries; the report of a file a batch had begun is left in handed.
func (cp *Copier) getSmall(ctx context.Context, root *os.Root, acts []Action, idx []int, results []Result, handed []*report) (rest []int) {
	var (
		mu   sync.Mutex
		next int
		wg   sync.WaitGroup
	)
	// Batches small enough that every connection gets some.
	per := max(1, min(batchSize, (len(idx)+cp.parallel()-1)/cp.parallel()))
	take := func() []int {
		mu.Lock()
		defer mu.Unlock()
		if next >= len(idx) || ctx.Err() != nil {
			return nil
		}
		end := min(next+per, len(idx))
		b := idx[next:end]
		next = end
		return b
	}
	for range min(cp.parallel(), (len(idx)+per-1)/per) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := take(); b != nil; b = take() {
				left := cp.getBatch(ctx, root, acts, b, results, handed)
				mu.Lock()
				rest = append(rest, left...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	rest = append(rest, idx[next:]...) // not taken: cancelled
	mu.Unlock()
	return rest
}

// getBatch fetches one batch on one connection and returns the indexes
// it did not finish.
func (cp *Copier) getBatch(ctx context.Context, root *os.Root, acts []Action, b []int, results []Result, handed []*report) []int {
	c, release, err := cp.conn(ctx)
	if err != nil {
		return b
	}
	paths := make([]string, len(b))
	byPath := make(map[string]int, len(b))
	for k, i := range b {
		paths[k] = remoteJoin(acts[i].Remote, acts[i].Path)
		byPath[paths[k]] = i
	}
	done := map[int]bool{}
	err = c.RetrieveEach(ctx, paths, func(remote string, d *ftp.Download, err error) error {
		i := byPath[remote]
		if err != nil {
			if isRefusal(err) && !transient(err) {
				// Refused for good (gone since the listing): that is
				// this file's result; the batch goes on.
				results[i] = cp.failedGet(ctx, acts[i], err)
				done[i] = true
				return nil
			}
			return err
		}
		pr := cp.report(ctx, OpGet, remote, localPath(acts[i].Local, acts[i].Path))
		res, err := cp.getOne(root, acts[i], remote, d, pr)
		if err != nil {
			handed[i] = pr
			return err // the one-file path retries it
		}
		results[i] = res
		done[i] = true
		return nil
	})
	release(err)
	var left []int
	for _, i := range b {
		if !done[i] {
			left = append(left, i)
		}
	}
	return left
}

// getOne writes an open download of a batch to its .part file, checks the
// size and renames it into place. A failure returns an error and leaves
// no file behind, for the one-file path to start afresh, and pr
// unfinished, for it to go on with.
func (cp *Copier) getOne(root *os.Root, a Action, remote string, d *ftp.Download, pr *report) (Result, error) {
	began := time.Now()
	local := pr.local
	name := filepath.FromSlash(a.Path)
	res := Result{Op: OpGet, Remote: remote, Local: local, Size: *a.Size, ModTime: *a.ModTime}
	if parent := path.Dir(a.Path); parent != "." {
		if err := root.MkdirAll(filepath.FromSlash(parent), 0o755); err != nil {
			return res, &LocalError{Op: "mkdir", Path: localPath(a.Local, parent), Err: err}
		}
	}
	part := name + partSuffix
	f, err := root.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return res, &LocalError{Op: "create", Path: local + partSuffix, Err: err}
	}
	pr.start(res.Size, 0)
	n, err := io.Copy(io.MultiWriter(&localWriter{f, local + partSuffix}, pr), d)
	if err == nil {
		err = checkSize(remote, res.Size, n)
	}
	if err == nil {
		err = finishDownload(root, f, part, name, local+partSuffix, res.ModTime, cp.IgnoreTimes)
	} else {
		f.Close()
	}
	res.Transferred, res.Duration = pr.moved(), time.Since(began)
	if err != nil {
		_ = root.Remove(part)
		// Reported by the one-file path that takes it over.
		var le *LocalError
		if errors.As(err, &le) {
			res.Err = err
			pr.finish(res)
			return res, nil
		}
		return res, err
	}
	pr.finish(res)
	return res, nil
}

func (cp *Copier) failedGet(ctx context.Context, a Action, err error) Result {
	r := Result{Op: OpGet, Remote: remoteJoin(a.Remote, a.Path), Local: localPath(a.Local, a.Path), Size: *a.Size, Err: err}
	cp.report(ctx, OpGet, r.Remote, r.Local).finish(r)
	return r
}
