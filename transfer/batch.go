package transfer

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

// Job is one file of a batch.
type Job struct {
	Op     Op     // OpGet or OpPut
	Remote string // the remote path
	// Local is the local path, slash-separated and relative to the batch's
	// local directory, which confines it.
	Local string
	// Size and ModTime of the source, from a listing; Size -1 and a zero
	// ModTime make a download look them up (see Run).
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
// cancelled). Jobs with the same destination run one after the other, in
// their order.
//
// Downloads are fetched like a sync's. Those of unknown size whose remote
// directory holds several of them are looked up in one listing of that
// directory, instead of asking the server about each file (SIZE, MDTM); a
// file the listing does not show as a plain file, or a directory that
// cannot be listed, is asked about as before. Small files (up to 1 MiB) of
// known size and time then come in pipelined batches, several per
// connection (ftp.Conn.RetrieveEach), verified by size (see
// ChecksumAuto); a file that a batch cannot finish is fetched again on its
// own, the server asked for its size, with retries. A time from a LIST
// listing is as precise as the listing (often the minute) and read in
// Dialer.ServerLocation, as a sync's are; MLSD gives the second.
func (cp *Copier) Run(ctx context.Context, localDir string, jobs []Job) (*Summary, error) {
	began := time.Now()
	root, err := openTree(localDir, true)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	known, seen, stop := cp.listed(ctx, jobs, cp.warmable(len(jobs)))
	defer stop()
	var total int64
	for _, j := range known {
		total += max(j.Size, 0)
	}
	cp.planned(len(jobs), total)
	sum := &Summary{Results: make([]Result, len(jobs))}
	for _, round := range rounds(jobs) {
		var small []smallGet
		var smallJob, rest []int
		for _, i := range round {
			j := known[i]
			if j.Op == OpGet && cp.batchable(j.Size, j.ModTime) && fileName(j.Local) && noPart(root, j.Local) &&
				!(cp.Resume && exists(root, j.Local)) {
				small = append(small, smallGet{remote: j.Remote, name: path.Clean(j.Local), display: localPath(localDir, j.Local), size: j.Size, mtime: j.ModTime})
				smallJob = append(smallJob, i)
				continue
			}
			rest = append(rest, i)
		}
		handed := map[int]*report{} // files a batch began
		if len(small) > 0 {
			res, began, left := cp.getSmall(ctx, root, small)
			for k, i := range smallJob {
				sum.Results[i] = res[k]
			}
			for _, k := range left {
				rest = append(rest, smallJob[k])
				handed[smallJob[k]] = began[k]
			}
		}
		// The one-file path asks the server, whatever a listing said.
		cp.each(ctx, len(rest), func(k int) {
			i := rest[k]
			sum.Results[i] = cp.runJob(ctx, root, localDir, jobs[i], seen[i], handed[i])
		})
	}
	for _, r := range sum.Results {
		sum.add(r)
	}
	sum.Duration = time.Since(began)
	if ctx.Err() != nil {
		return sum, ctx.Err()
	}
	return sum, sum.Err()
}

// listedAs is what the listing of a download's remote directory showed
// under its name.
type listedAs uint8

const (
	notListed  listedAs = iota // the directory was not listed
	listedFile                 // a file, whose size (and time) the job now has
	listedDir                  // a directory
	listedNot                  // nothing, or a link or other entry
)

// listed returns the jobs with the size and time of downloads of unknown
// size filled in from a listing of their remote directory, when it holds
// at least two of them: one listing costs about as much as asking about
// one file. It also says what each listing showed. Directories are listed
// Copier.Parallel at a time; one that cannot be listed is left alone.
//
// Meanwhile warm more connections log in for the transfers (see onConns);
// stop ends those logins still under way.
func (cp *Copier) listed(ctx context.Context, jobs []Job, warm int) (known []Job, seen []listedAs, stop func()) {
	seen = make([]listedAs, len(jobs))
	byDir := map[string][]int{}
	var dirs []string
	for i, j := range jobs {
		dir, base := path.Split(j.Remote)
		if j.Op != OpGet || j.Size >= 0 || base == "" || base == "." || base == ".." {
			continue
		}
		if len(byDir[dir]) == 1 {
			dirs = append(dirs, dir)
		}
		byDir[dir] = append(byDir[dir], i)
	}
	known = jobs
	if len(dirs) > 0 {
		known = slices.Clone(jobs)
	}
	borrowers := min(len(dirs), cp.parallel())
	if warm > 0 {
		borrowers = warm + 1
	}
	stop = cp.onConns(ctx, borrowers, len(dirs), func(c *ftp.Conn, k int) error {
		ents, err := listDir(ctx, c, dirs[k])
		if err != nil {
			return err // each file is asked about on its own
		}
		byName := make(map[string]listing.Entry, len(ents))
		for _, e := range ents {
			byName[e.Name] = e
		}
		for _, i := range byDir[dirs[k]] {
			e, ok := byName[path.Base(jobs[i].Remote)]
			switch {
			case ok && e.Type == listing.Dir:
				seen[i] = listedDir
			case ok && e.Type == listing.File && e.Size >= 0:
				seen[i] = listedFile
				known[i].Size = e.Size
				if t := timeOf(entry{mtime: e.ModTime, prec: e.Precision}); t != nil {
					known[i].ModTime = *t
				}
			default:
				seen[i] = listedNot
			}
		}
		return nil
	})
	return known, seen, stop
}

// listDir lists the remote directory dir ("" is the login directory, a
// trailing slash is dropped) once, keeping the entries of a listing with
// unreadable lines.
func listDir(ctx context.Context, c *ftp.Conn, dir string) ([]listing.Entry, error) {
	if len(dir) > 1 {
		dir = strings.TrimSuffix(dir, "/")
	}
	ents, err := c.ReadDir(ctx, dir)
	var unreadable *ftp.ListingError
	if errors.As(err, &unreadable) {
		err = nil
	}
	return ents, err
}

// warmable is how many connections to log in ahead of n transfers: all
// but the one the first transfer (or listing) takes, when the transfers
// will use as many as the Client may open. Else none: a transfer would
// dial beside a login still under way, one connection more than needed.
func (cp *Copier) warmable(n int) int {
	limit := cp.Client.MaxConns
	if limit <= 0 {
		limit = ftp.DefaultMaxConns
	}
	if n < cp.parallel() || limit > cp.parallel() {
		return 0
	}
	return min(cp.parallel(), limit) - 1
}

// onConns runs tasks 0 to tasks-1, each on a connection of the Client,
// with n goroutines borrowing connections at once: each, once it has its
// connection, runs the next task left, and the next, until none is left,
// and gives the connection back. So the first connection to come (an idle
// one, or the first to log in) starts the work, and a borrower whose
// connection comes when no task is left gives it back at once, logged in
// for the work that follows. The Client lets one login through before the
// others, so wrong credentials are met once.
//
// onConns returns once every task has run, or cannot (no borrower could
// get a connection); borrowers still logging in go on until stop, which
// ends them and waits. run's error decides whether the connection is
// kept.
func (cp *Copier) onConns(ctx context.Context, n, tasks int, run func(c *ftp.Conn, k int) error) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var (
		mu      sync.Mutex
		next    int
		pending = tasks // neither run nor given up
		alive   = n
		done    = make(chan struct{})
		closed  bool
	)
	settle := func(ran bool, left bool) {
		mu.Lock()
		defer mu.Unlock()
		if ran {
			pending--
		}
		if left {
			alive--
		}
		if !closed && (pending == 0 || alive == 0) {
			closed = true
			close(done)
		}
	}
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next == tasks {
			return 0, false
		}
		next++
		return next - 1, true
	}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer settle(false, true)
			for {
				c, release, err := cp.conn(ctx)
				if err != nil {
					return
				}
				for err == nil {
					k, ok := take()
					if !ok {
						release(nil)
						return
					}
					err = run(c, k)
					settle(true, false)
				}
				release(err) // and a fresh connection for the next task
			}
		}()
	}
	settle(false, false) // no tasks, or no borrowers
	<-done
	return func() {
		cancel()
		wg.Wait()
	}
}

// rounds groups the jobs' indexes so that two jobs with the same
// destination are never in one round: round k holds each destination's
// k-th job.
func rounds(jobs []Job) [][]int {
	var out [][]int
	seen := map[string]int{}
	for i, j := range jobs {
		dst := "local " + path.Clean(j.Local)
		if j.Op == OpPut {
			dst = "remote " + path.Clean(j.Remote)
		}
		k := seen[dst]
		seen[dst] = k + 1
		if k == len(out) {
			out = append(out, nil)
		}
		out[k] = append(out[k], i)
	}
	return out
}

// fileName reports whether a job's local path names a file under its
// root, not the root itself or a place outside it.
func fileName(local string) bool {
	p := path.Clean(local)
	return local != "" && !strings.HasSuffix(local, "/") && p != "." && p != ".." && !strings.HasPrefix(p, "../") && !path.IsAbs(p)
}

func exists(root *os.Root, name string) bool {
	_, err := root.Lstat(filepath.FromSlash(name))
	return err == nil
}

// runJob transfers one job on its own; seen is what a listing showed of
// a download's remote path, pr the report of a batch that began it.
func (cp *Copier) runJob(ctx context.Context, root *os.Root, localDir string, j Job, seen listedAs, pr *report) Result {
	display := localPath(localDir, j.Local)
	name := filepath.FromSlash(j.Local)
	if ctx.Err() != nil {
		return Result{Op: j.Op, Remote: j.Remote, Local: display, Size: j.Size, Err: ctx.Err()}
	}
	switch j.Op {
	case OpGet:
		var err error
		switch {
		case !fileName(j.Local):
			err = &LocalError{Op: "get", Path: display, Err: errors.New("not a file name")}
		case seen == listedDir:
			err = &fs.PathError{Op: "get", Path: j.Remote, Err: ErrIsDir}
		case path.Dir(j.Local) != ".":
			if merr := root.MkdirAll(filepath.FromSlash(path.Dir(j.Local)), 0o755); merr != nil {
				err = &LocalError{Op: "mkdir", Path: localPath(localDir, path.Dir(j.Local)), Err: merr}
			}
		}
		if err != nil {
			r := Result{Op: OpGet, Remote: j.Remote, Local: display, Size: j.Size, Err: err}
			cp.report(ctx, OpGet, j.Remote, display).finish(r)
			return r
		}
		var m *meta
		if j.Size >= 0 {
			m = &meta{size: j.Size, mtime: j.ModTime}
		}
		return cp.download(ctx, root, name, j.Remote, display, m, seen == notListed, pr)
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
