package transfer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ferryftp/ftp/listing"
)

// Action is one step of a sync plan. It is complete in itself (both roots
// are in it), so that a plan can be split among machines that share
// nothing but the plan file.
type Action struct {
	// Server names the server, for programs that keep plans for several;
	// Plan leaves it empty and Apply does not read it (ferry puts the URL
	// there, without its password).
	Server string `json:"server,omitempty"`

	Op     Op     `json:"op"`     // get, put, mkdir, delete, or skip (an unsafe name)
	Path   string `json:"path"`   // slash-separated, relative to both roots
	Remote string `json:"remote"` // the remote root
	Local  string `json:"local"`  // the local root
	To     string `json:"to"`     // the side acted on: "local" or "remote"
	Dir    bool   `json:"dir,omitempty"`
	Name   string `json:"name,omitempty"` // skip: the name refused, in the directory Path

	// The source's size and time, and the destination's when it has the
	// path; absent when unknown.
	Size       *int64     `json:"size,omitempty"`
	ModTime    *time.Time `json:"mtime,omitempty"`
	DstSize    *int64     `json:"dst_size,omitempty"`
	DstModTime *time.Time `json:"dst_mtime,omitempty"`

	// Reason says why: "new", "size", "time", "checksum", "always",
	// "extraneous", or why a name was skipped.
	Reason string `json:"reason,omitempty"`
}

// Plan is what a sync will do: its actions, in the order they are applied
// (directories before what they contain, deletions last).
type Plan struct {
	Actions   []Action
	Unchanged int // files found already in place
}

// Plan compares the two trees and returns what a sync would do, changing
// nothing. The source directory must exist: a missing one is an error
// here, before anything can be deleted (some servers list a missing
// directory as an empty one).
func (cp *Copier) Plan(ctx context.Context, o SyncOptions) (*Plan, error) {
	var (
		src, dst []entry
		unsafe   []Action
		err      error
	)
	switch o.Direction {
	case Download:
		if err := cp.checkRemoteDir(ctx, o.Remote); err != nil {
			return nil, err
		}
		if src, unsafe, err = cp.walkRemote(ctx, o.Remote, &o); err != nil {
			return nil, err
		}
		if st, err := os.Stat(orDot(o.Local)); err == nil && st.IsDir() {
			if dst, err = walkLocal(o.Local, &o); err != nil {
				return nil, err
			}
		} else if err == nil {
			return nil, &LocalError{Op: "sync", Path: o.Local, Err: errors.New("not a directory")}
		}
	case Upload:
		st, err := os.Stat(orDot(o.Local))
		if err != nil {
			return nil, &LocalError{Op: "sync", Path: o.Local, Err: err}
		}
		if !st.IsDir() {
			return nil, &LocalError{Op: "sync", Path: o.Local, Err: errors.New("not a directory")}
		}
		if src, err = walkLocal(o.Local, &o); err != nil {
			return nil, err
		}
		switch err := cp.checkRemoteDir(ctx, o.Remote); {
		case err == nil:
			if dst, unsafe, err = cp.walkRemote(ctx, o.Remote, &o); err != nil {
				return nil, err
			}
			// Unsafe names on the destination are not ours to touch.
			unsafe = nil
		case !isNotExist(err):
			return nil, err
		}
	default:
		return nil, fmt.Errorf("transfer: unknown direction %d", o.Direction)
	}
	p := &Plan{}
	if err := cp.compare(ctx, &o, src, dst, p); err != nil {
		return nil, err
	}
	p.Actions = append(p.Actions, unsafe...)
	return p, nil
}

func orDot(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// checkRemoteDir makes sure dir exists and is a directory.
func (cp *Copier) checkRemoteDir(ctx context.Context, dir string) error {
	if dir == "" || dir == "/" {
		return nil
	}
	var info fs.FileInfo
	err := cp.Retry.do(ctx, func(int) error {
		var err error
		info, err = cp.Client.Stat(ctx, dir)
		return err
	})
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return &fs.PathError{Op: "sync", Path: dir, Err: errors.New("not a directory")}
	}
	return nil
}

func (cp *Copier) compare(ctx context.Context, o *SyncOptions, src, dst []entry, p *Plan) error {
	have := make(map[string]entry, len(dst))
	for _, e := range dst {
		have[e.rel] = e
	}
	want := make(map[string]bool, len(src))
	op, to := OpGet, "local"
	if o.Direction == Upload {
		op, to = OpPut, "remote"
	}
	var mkdirs, files, deletes []Action
	var same []Action // same size, to be checked by checksum
	for _, e := range src {
		want[e.rel] = true
		d, ok := have[e.rel]
		a := Action{Op: op, To: to, Path: e.rel, Remote: o.Remote, Local: o.Local}
		if e.dir {
			if ok && !d.dir {
				// A file where the source has a directory: replace it.
				deletes = append(deletes, Action{Op: OpDelete, To: to, Path: e.rel, Remote: o.Remote, Local: o.Local, Reason: "not a directory"})
				ok = false
			}
			if !ok {
				a.Op, a.Dir, a.Reason = OpMkdir, true, "new"
				mkdirs = append(mkdirs, a)
			}
			continue
		}
		a.Size, a.ModTime = sizeOf(e), timeOf(e)
		if ok {
			a.DstSize, a.DstModTime = sizeOf(d), timeOf(d)
		}
		switch {
		case !ok:
			a.Reason = "new"
		case d.dir:
			deletes = append(deletes, Action{Op: OpDelete, To: to, Path: e.rel, Remote: o.Remote, Local: o.Local, Dir: true, Reason: "not a file"})
			a.Reason = "new"
		case o.Compare == CompareNone:
			a.Reason = "always"
		case o.OnlyNewer && !newer(e, d) && timesKnown(e, d):
			p.Unchanged++
			continue
		case e.size != d.size:
			a.Reason = "size"
		case o.Compare == CompareChecksum:
			same = append(same, a)
			continue
		default:
			eq, known := sameTime(e, d)
			// A server without MFMT stamps an upload with the time it
			// arrived: a remote copy newer than the source, of the same
			// size, is the same file.
			if !known || eq || (o.Direction == Upload && newer(d, e)) {
				p.Unchanged++
				continue
			}
			a.Reason = "time"
		}
		files = append(files, a)
	}
	if len(same) > 0 {
		changed, err := cp.checksumDiffer(ctx, o, same)
		if err != nil {
			return err
		}
		files = append(files, changed...)
		p.Unchanged += len(same) - len(changed)
	}
	if o.Delete {
		for _, e := range dst {
			parent := path.Dir(e.rel)
			if want[e.rel] || (parent != "." && !want[parent] && have[parent].dir) {
				continue // kept, or inside an extraneous directory removed whole
			}
			a := Action{Op: OpDelete, To: to, Path: e.rel, Remote: o.Remote, Local: o.Local, Dir: e.dir, Reason: "extraneous"}
			if !e.dir {
				a.DstSize, a.DstModTime = sizeOf(e), timeOf(e)
			}
			deletes = append(deletes, a)
		}
	}
	slices.SortFunc(files, func(a, b Action) int { return strings.Compare(a.Path, b.Path) })
	// Deletions that make room for a directory or file go first; the
	// extraneous ones last, deepest first.
	var first, last []Action
	for _, d := range deletes {
		if d.Reason == "extraneous" {
			last = append(last, d)
		} else {
			first = append(first, d)
		}
	}
	slices.SortFunc(last, func(a, b Action) int { return strings.Compare(b.Path, a.Path) })
	p.Actions = slices.Concat(first, mkdirs, files, last)
	return nil
}

func timesKnown(a, b entry) bool {
	_, ok := sameTime(a, b)
	return ok
}

func sizeOf(e entry) *int64 {
	if e.size < 0 {
		return nil
	}
	n := e.size
	return &n
}

// timeOf is an entry's time for a plan, when known to the minute at
// least: a time to the day (a listing's year-form date) would set a
// downloaded file to midnight, so the download asks the server (MDTM).
func timeOf(e entry) *time.Time {
	if e.mtime.IsZero() || e.prec < listing.PrecisionMinute {
		return nil
	}
	t := e.prec.Truncate(e.mtime.UTC())
	return &t
}

// checksumDiffer returns the actions whose two sides' checksums differ
// (or cannot be compared), hashing Copier.Parallel files at a time.
func (cp *Copier) checksumDiffer(ctx context.Context, o *SyncOptions, same []Action) ([]Action, error) {
	differ := make([]bool, len(same))
	errs := make([]error, len(same))
	cp.each(ctx, len(same), func(i int) {
		a := same[i]
		remote := remoteJoin(a.Remote, a.Path)
		err := cp.Retry.do(ctx, func(int) (err error) {
			c, release, err := cp.conn(ctx)
			if err != nil {
				return err
			}
			defer func() { release(err) }()
			algo, err := cp.checksumAlgo(ctx, c)
			if err != nil || algo == "" {
				differ[i] = algo == "" && err == nil && a.DstModTime != nil && a.ModTime != nil && !a.DstModTime.Equal(*a.ModTime)
				return err
			}
			f, err := os.Open(localPath(a.Local, a.Path))
			if err != nil {
				return &LocalError{Op: "open", Path: localPath(a.Local, a.Path), Err: err}
			}
			defer f.Close()
			s := newSum(algo)
			if _, err := io.Copy(s, f); err != nil {
				return &LocalError{Op: "read", Path: localPath(a.Local, a.Path), Err: err}
			}
			_, err = s.check(ctx, c, remote)
			var ve *VerifyError
			if errors.As(err, &ve) {
				differ[i] = true
				return nil
			}
			return err
		})
		errs[i] = err
	})
	var out []Action
	for i, a := range same {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if differ[i] {
			a.Reason = "checksum"
			out = append(out, a)
		}
	}
	return out, nil
}

// WriteTo writes the plan as JSON Lines: one object per action.
func (p *Plan) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	var n int64
	enc := json.NewEncoder(countWriter{bw, &n})
	for _, a := range p.Actions {
		if err := enc.Encode(a); err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
}

type countWriter struct {
	w io.Writer
	n *int64
}

func (c countWriter) Write(b []byte) (int, error) {
	k, err := c.w.Write(b)
	*c.n += int64(k)
	return k, err
}

// ReadPlan reads a plan written by Plan.WriteTo. Every action's path is
// checked as if it came from a server: a path that could leave its roots
// is refused.
func ReadPlan(r io.Reader) (*Plan, error) {
	dec := json.NewDecoder(r)
	p := &Plan{}
	for line := 1; ; line++ {
		var a Action
		if err := dec.Decode(&a); err == io.EOF {
			return p, nil
		} else if err != nil {
			return nil, fmt.Errorf("plan: action %d: %w", line, err)
		}
		if err := checkAction(a); err != nil {
			return nil, fmt.Errorf("plan: action %d: %w", line, err)
		}
		p.Actions = append(p.Actions, a)
	}
}

func checkAction(a Action) error {
	switch a.Op {
	case OpGet, OpPut, OpMkdir, OpDelete, OpSkip:
	default:
		return fmt.Errorf("unknown op %q", a.Op)
	}
	if a.Op == OpSkip {
		return nil
	}
	switch {
	case a.Op == OpGet && a.To != "local", a.Op == OpPut && a.To != "remote",
		a.To != "local" && a.To != "remote":
		return fmt.Errorf("%s %s: bad side %q", a.Op, a.Path, a.To)
	}
	if a.Path == "" || path.IsAbs(a.Path) {
		return &UnsafeNameError{Dir: a.Remote, Name: a.Path}
	}
	for _, el := range strings.Split(a.Path, "/") {
		if err := checkName(a.Remote, el); err != nil {
			return err
		}
	}
	return nil
}

// Shard selects part of a plan: action k belongs to shard k mod N. The
// zero value is the whole plan.
type Shard struct{ I, N int }

// ParseShard reads "i/n", with 0 <= i < n.
func ParseShard(s string) (Shard, error) {
	var sh Shard
	if _, err := fmt.Sscanf(s, "%d/%d", &sh.I, &sh.N); err != nil || sh.N < 1 || sh.I < 0 || sh.I >= sh.N {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 0 <= i < n", s)
	}
	return sh, nil
}

func (s Shard) has(k int) bool { return s.N <= 1 || k%s.N == s.I }

// Apply carries out the plan's actions that belong to shard (the zero
// Shard is all of them). Applying is idempotent and resumable: a file
// already in place (size and time as planned) is left alone, partial
// files are continued, and a directory or deletion already done is not an
// error. So a shard can be run again after a failure, and the shards of a
// plan can run at once on different machines. Deletions are carried out
// only when every transfer of the shard succeeded.
func (cp *Copier) Apply(ctx context.Context, p *Plan, shard Shard) (*Summary, error) {
	return cp.apply(ctx, p, shard, true)
}

// Sync plans and applies at once: it returns the plan it carried out and
// the summary of what happened (Summary.Unchanged includes the files the
// plan found in place). The error is Plan's, or Apply's.
func (cp *Copier) Sync(ctx context.Context, o SyncOptions) (*Plan, *Summary, error) {
	p, err := cp.Plan(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	s, err := cp.apply(ctx, p, Shard{}, false)
	s.Unchanged += p.Unchanged
	return p, s, err
}

func (cp *Copier) apply(ctx context.Context, p *Plan, shard Shard, recheck bool) (*Summary, error) {
	began := time.Now()
	var mine []Action
	for k, a := range p.Actions {
		if shard.has(k) {
			mine = append(mine, a)
		}
	}
	sum := &Summary{}
	roots := &localRoots{m: map[string]*os.Root{}}
	defer roots.close()
	dirs := &remoteDirs{m: map[string]bool{}}
	var files []Action
	var total int64
	var deletes []Action
	for _, a := range mine {
		switch a.Op {
		case OpGet, OpPut:
			files = append(files, a)
			if a.Size != nil {
				total += *a.Size
			}
		case OpDelete:
			deletes = append(deletes, a)
		}
	}
	cp.planned(len(files), total)
	results := make([]Result, len(mine))
	handed := make([]*report, len(mine)) // files a batch began
	// Directories and the deletions that make room go first, in order.
	var later []int
	for i, a := range mine {
		switch {
		case a.Op == OpSkip:
			results[i] = Result{Op: OpSkip, Remote: remoteJoin(a.Remote, a.Path), Size: -1, Err: skipError(a)}
		case a.Op == OpMkdir || (a.Op == OpDelete && a.Reason != "extraneous"):
			results[i] = cp.applyOne(ctx, a, roots, dirs, recheck, nil)
		default:
			later = append(later, i)
		}
	}
	var transfers, extraneous []int
	for _, i := range later {
		if mine[i].Op == OpDelete {
			extraneous = append(extraneous, i)
		} else {
			transfers = append(transfers, i)
		}
	}
	transfers = cp.applySmall(ctx, mine, transfers, results, handed, roots, recheck)
	cp.each(ctx, len(transfers), func(k int) {
		i := transfers[k]
		results[i] = cp.applyOne(ctx, mine[i], roots, dirs, recheck, handed[i])
	})
	failed := slices.ContainsFunc(results, func(r Result) bool { return r.Err != nil && r.Op != OpSkip })
	for _, i := range extraneous {
		if failed || ctx.Err() != nil {
			a := mine[i]
			results[i] = Result{Op: OpDelete, Remote: remoteJoin(a.Remote, a.Path), Local: localPath(a.Local, a.Path), Size: -1,
				Err: errors.New("not deleted: an earlier transfer failed")}
			continue
		}
		results[i] = cp.applyOne(ctx, mine[i], roots, dirs, recheck, nil)
	}
	for i, r := range results {
		if a := mine[i]; a.Op != OpGet && a.Op != OpPut && cp.Progress != nil {
			cp.Progress.Finished(r) // transfers report themselves
		}
		sum.add(r)
	}
	sum.Results = results
	sum.Duration = time.Since(began)
	if ctx.Err() != nil {
		return sum, ctx.Err()
	}
	return sum, sum.Err()
}

// applySmall downloads the small files among the transfers at idx in
// pipelined batches, and returns the transfers left for one at a time.
func (cp *Copier) applySmall(ctx context.Context, acts []Action, idx []int, results []Result, handed []*report, roots *localRoots, recheck bool) []int {
	var rest []int
	small := map[string][]int{} // by local root
	for _, i := range idx {
		a := acts[i]
		var mtime time.Time
		if a.ModTime != nil {
			mtime = *a.ModTime
		}
		if a.Op == OpGet && a.Size != nil && cp.batchable(*a.Size, mtime) {
			if root, err := roots.get(a.Local); err == nil && noPart(root, a.Path) &&
				!(recheck && localInPlace(root, filepath.FromSlash(a.Path), a)) {
				small[a.Local] = append(small[a.Local], i)
				continue
			}
		}
		rest = append(rest, i)
	}
	for dir, b := range small {
		root, _ := roots.get(dir)
		files := make([]smallGet, len(b))
		for k, i := range b {
			a := acts[i]
			files[k] = smallGet{remote: remoteJoin(a.Remote, a.Path), name: a.Path, display: localPath(a.Local, a.Path), size: *a.Size}
			if a.ModTime != nil {
				files[k].mtime = *a.ModTime
			}
		}
		res, began, left := cp.getSmall(ctx, root, files)
		for k, i := range b {
			results[i], handed[i] = res[k], began[k]
		}
		for _, k := range left {
			rest = append(rest, b[k])
		}
	}
	return rest
}

// skipError is why a source name was skipped.
func skipError(a Action) error {
	dir := a.Remote
	if a.Path != "." {
		dir = remoteJoin(a.Remote, a.Path)
	}
	if a.Name != "" {
		return &UnsafeNameError{Dir: displayDir(dir), Name: a.Name}
	}
	return errors.New(a.Reason)
}

// localRoots keeps one os.Root per local root of a plan.
type localRoots struct {
	mu sync.Mutex
	m  map[string]*os.Root
}

func (l *localRoots) get(dir string) (*os.Root, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r, ok := l.m[dir]; ok {
		return r, nil
	}
	r, err := openTree(orDot(dir), true)
	if err != nil {
		return nil, err
	}
	l.m[dir] = r
	return r, nil
}

func (l *localRoots) close() {
	for _, r := range l.m {
		r.Close()
	}
}

// remoteDirs remembers the remote directories known to exist.
type remoteDirs struct {
	mu sync.Mutex
	m  map[string]bool
}

func (cp *Copier) ensureRemoteDir(ctx context.Context, dirs *remoteDirs, dir string) error {
	if dir == "" || dir == "." || dir == "/" {
		return nil
	}
	dirs.mu.Lock()
	ok := dirs.m[dir]
	dirs.mu.Unlock()
	if ok {
		return nil
	}
	err := cp.Retry.do(ctx, func(int) error { return cp.Client.MkdirAll(ctx, dir) })
	if err == nil {
		dirs.mu.Lock()
		dirs.m[dir] = true
		dirs.mu.Unlock()
	}
	return err
}

// applyOne carries out one action; handed is the report of a file a
// pipelined batch began, nil for the others.
func (cp *Copier) applyOne(ctx context.Context, a Action, roots *localRoots, dirs *remoteDirs, recheck bool, handed *report) Result {
	remote := remoteJoin(a.Remote, a.Path)
	local := localPath(a.Local, a.Path)
	name := filepath.FromSlash(a.Path)
	res := Result{Op: a.Op, Remote: remote, Local: local, Size: -1}
	if a.Size != nil {
		res.Size = *a.Size
	}
	if a.ModTime != nil {
		res.ModTime = *a.ModTime
	}
	var root *os.Root
	err := ctx.Err()
	if err == nil {
		root, err = roots.get(a.Local)
	}
	if err != nil {
		res.Err = err
		if handed != nil {
			handed.finish(res)
		}
		return res
	}
	if a.Op == OpMkdir || a.Op == OpDelete {
		// Only the side acted on.
		if a.To == "local" {
			res.Remote = ""
		} else {
			res.Local = ""
		}
	}
	pr := handed
	if pr == nil && (a.Op == OpGet || a.Op == OpPut) {
		pr = cp.report(ctx, a.Op, remote, local)
	}
	switch a.Op {
	case OpMkdir:
		if dirIsLocal(a) {
			if err := root.MkdirAll(name, 0o755); err != nil {
				res.Err = &LocalError{Op: "mkdir", Path: local, Err: err}
			}
		} else {
			res.Err = cp.ensureRemoteDir(ctx, dirs, remote)
		}
	case OpDelete:
		res.Err = cp.remove(ctx, a, root, name, remote, local)
	case OpGet:
		if parent := path.Dir(a.Path); parent != "." {
			if err := root.MkdirAll(filepath.FromSlash(parent), 0o755); err != nil {
				res.Err = &LocalError{Op: "mkdir", Path: localPath(a.Local, parent), Err: err}
				pr.finish(res)
				return res
			}
		}
		if recheck && localInPlace(root, name, a) {
			res.Unchanged = true
			pr.start(res.Size, res.Size)
			pr.finish(res)
			return res
		}
		var m *meta
		if a.Size != nil {
			m = &meta{size: *a.Size}
			if a.ModTime != nil {
				m.mtime = *a.ModTime
			}
		}
		r := cp.download(ctx, root, name, remote, local, m, false, pr)
		r.Op = OpGet
		return r
	case OpPut:
		if err := cp.ensureRemoteDir(ctx, dirs, path.Dir(remote)); err != nil && path.Dir(remote) != "." {
			res.Err = err
			pr.finish(res)
			return res
		}
		if recheck && cp.remoteInPlace(ctx, remote, a) {
			res.Unchanged = true
			pr.start(res.Size, res.Size)
			pr.finish(res)
			return res
		}
		return cp.upload(ctx, root, name, local, remote, pr)
	}
	return res
}

func dirIsLocal(a Action) bool { return a.To == "local" }

// localInPlace reports whether the local file already matches what a get
// action brings: the same size, and the same time where the plan has one.
func localInPlace(root *os.Root, name string, a Action) bool {
	st, err := root.Stat(name)
	if err != nil || !st.Mode().IsRegular() || a.Size == nil || st.Size() != *a.Size {
		return false
	}
	return a.ModTime == nil || st.ModTime().Truncate(time.Second).Equal(a.ModTime.Truncate(time.Second))
}

// remoteInPlace reports whether the remote file already has the size of
// the local file a put action sends, and a time not older than it.
func (cp *Copier) remoteInPlace(ctx context.Context, remote string, a Action) bool {
	info, err := cp.Client.Stat(ctx, remote)
	if err != nil || info.IsDir() || a.Size == nil || info.Size() != *a.Size {
		return false
	}
	return a.ModTime == nil || info.ModTime().IsZero() || !info.ModTime().Before(a.ModTime.Truncate(time.Minute))
}

// remove deletes what a delete action names on its side; what is already
// gone is not an error.
func (cp *Copier) remove(ctx context.Context, a Action, root *os.Root, name, remote, local string) error {
	if a.To == "local" {
		if err := root.RemoveAll(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return &LocalError{Op: "remove", Path: local, Err: err}
		}
		return nil
	}
	err := cp.Retry.do(ctx, func(int) error { return cp.Client.RemoveAll(ctx, remote) })
	if isNotExist(err) {
		return nil
	}
	return err
}
