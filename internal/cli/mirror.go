package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

type mirrorCmd struct {
	Parallel int    `default:"1" placeholder:"N" help:"Transfer N files at a time, over N connections."`
	Delete   bool   `help:"Remove from DST what SRC no longer has."`
	Src      string `arg:"" name:"SRC" help:"Source tree: a URL (download) or a local directory (upload)."`
	Dst      string `arg:"" name:"DST" help:"Destination tree: a local directory or a URL."`
}

func (cmd *mirrorCmd) run(ctx context.Context, a *app) error {
	if cmd.Parallel < 1 || cmd.Parallel > 64 {
		return usageErrorf("--parallel must be between 1 and 64")
	}
	srcRemote, dstRemote := IsURL(cmd.Src), IsURL(cmd.Dst)
	if srcRemote == dstRemote {
		return usageErrorf("mirror needs exactly one URL: SRC to download, DST to upload")
	}
	m := &mirror{a: a, parallel: cmd.Parallel, delete: cmd.Delete}
	if srcRemote {
		loc, err := ParseURL(cmd.Src)
		if err != nil {
			return err
		}
		return m.down(ctx, loc, cmd.Dst)
	}
	loc, err := ParseURL(cmd.Dst)
	if err != nil {
		return err
	}
	if !isDir(cmd.Src) {
		return &localError{Op: "mirror", Path: cmd.Src, Err: errors.New("not a directory")}
	}
	return m.up(ctx, cmd.Src, loc)
}

// mirror is one synchronisation run.
type mirror struct {
	a        *app
	parallel int
	delete   bool

	// pr, while bars are drawn, takes the per-file lines on a terminal so
	// that they print above the bars instead of through them.
	pr *progress

	mu          sync.Mutex
	transferred int
	bytes       int64
	unchanged   int
	deleted     int
	failed      error // the first failure; the others are reported as they happen
}

// unchanged reports whether dst already holds src: same size, and the
// same modification time at the precision the coarser side knows.
func unchanged(src, dst treeEntry) bool {
	if src.dir != dst.dir || src.size != dst.size {
		return false
	}
	prec := min(src.prec, dst.prec)
	if prec == listing.PrecisionNone || src.mtime.IsZero() || dst.mtime.IsZero() {
		return true
	}
	return truncate(src.mtime, prec).Equal(truncate(dst.mtime, prec))
}

func truncate(t time.Time, p listing.Precision) time.Time {
	t = t.UTC()
	switch p {
	case listing.PrecisionDay:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case listing.PrecisionMinute:
		return t.Truncate(time.Minute)
	case listing.PrecisionSecond:
		return t.Truncate(time.Second)
	}
	return t
}

// plan compares the trees: the files to transfer, and what to delete.
func plan(src, dst []treeEntry) (files []treeEntry, dirs []treeEntry, extra []treeEntry, skipped int) {
	have := make(map[string]treeEntry, len(dst))
	for _, e := range dst {
		have[e.rel] = e
	}
	want := make(map[string]bool, len(src))
	for _, e := range src {
		want[e.rel] = true
		d, ok := have[e.rel]
		switch {
		case e.dir && (!ok || !d.dir):
			dirs = append(dirs, e)
		case e.dir:
		case ok && unchanged(e, d):
			skipped++
		default:
			files = append(files, e)
		}
	}
	for _, e := range dst {
		if !want[e.rel] {
			extra = append(extra, e)
		}
	}
	return files, dirs, extra, skipped
}

// record notes a file's outcome.
func (m *mirror) record(op, rel string, size int64, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		if m.failed == nil {
			m.failed = err
		}
		if !errors.Is(err, context.Canceled) {
			fmt.Fprintf(m.a.stderr, "ferry: %s\n", m.a.creds.scrub(Message(err)))
		}
		return
	}
	if op == "delete" {
		m.deleted++
	} else {
		m.transferred++
		m.bytes += size
	}
	if !m.a.g.Quiet {
		line := fmt.Sprintf("%s %s\n", op, printable(rel))
		if m.pr == nil || !m.a.stdoutTTY || m.pr.print(line) != nil {
			fmt.Fprint(m.a.stdout, line)
		}
	}
}

// run transfers files on m.parallel sessions; first is already connected.
func (m *mirror) run(ctx context.Context, op string, first *session, newSession func(id int) *session, files []treeEntry, pr *progress, xfer func(context.Context, *session, treeEntry) error) {
	// While the bars run, per-file lines are printed above them (record).
	m.mu.Lock()
	m.pr = pr
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.pr = nil
		m.mu.Unlock()
		pr.wait()
	}()
	jobs := make(chan treeEntry)
	var wg sync.WaitGroup
	for i := range min(m.parallel, max(len(files), 1)) {
		s := first
		if i > 0 {
			s = newSession(i + 1)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i > 0 {
				defer s.close()
			}
			for e := range jobs {
				m.record(op, e.rel, e.size, xfer(ctx, s, e))
			}
		}()
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		jobs <- f
	}
	close(jobs)
	wg.Wait()
}

func (m *mirror) finish(ctx context.Context) error {
	if !m.a.g.Quiet {
		fmt.Fprintf(m.a.stderr, "mirror: %d transferred (%d bytes), %d unchanged, %d deleted\n", m.transferred, m.bytes, m.unchanged, m.deleted)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if m.failed != nil {
		return &statusError{code: ExitCode(m.failed)}
	}
	return nil
}

func (m *mirror) sessionID(id int) int {
	if m.parallel == 1 {
		return 0
	}
	return id
}

// down mirrors the remote tree at loc into the local directory dst.
func (m *mirror) down(ctx context.Context, loc *Location, dst string) error {
	a := m.a
	first := a.newSession(loc, m.sessionID(1))
	defer first.close()
	if err := first.checkRemoteDir(ctx, loc.Path); err != nil {
		return err
	}
	src, err := first.walkRemote(ctx, loc.Path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return &localError{Op: "mkdir", Path: dst, Err: err}
	}
	root, err := os.OpenRoot(dst)
	if err != nil {
		return &localError{Op: "open", Path: dst, Err: err}
	}
	defer root.Close()
	have, err := walkLocal(dst)
	if err != nil {
		return err
	}
	files, dirs, extra, skipped := plan(src, have)
	m.unchanged = skipped
	for _, d := range dirs {
		p := filepath.FromSlash(d.rel)
		if st, err := root.Lstat(p); err == nil && !st.IsDir() {
			if err := root.Remove(p); err != nil {
				return &localError{Op: "remove", Path: filepath.Join(dst, p), Err: err}
			}
		}
		if err := root.MkdirAll(p, 0o755); err != nil {
			return &localError{Op: "mkdir", Path: filepath.Join(dst, p), Err: err}
		}
	}
	var total int64
	for _, f := range files {
		total += max(f.size, 0)
	}
	pr := a.newProgress(true, total)
	m.run(ctx, "get", first, func(id int) *session { return a.newSession(loc, m.sessionID(id)) }, files, pr,
		func(ctx context.Context, s *session, e treeEntry) error {
			f := fetch{remote: remoteJoin(loc.Path, e.rel), local: filepath.FromSlash(e.rel), lfs: root, size: e.size}
			// The next run compares this listing's times with the local
			// ones at the listing's precision, so a time to the minute is
			// all the mirror needs, and MDTM per file would cost a round
			// trip each. A LIST time to the day (a year-form date) would
			// set the local file to midnight: that one is asked for.
			if e.prec >= listing.PrecisionMinute {
				f.mtime = e.mtime
			}
			if err := s.download(ctx, f, pr); err != nil {
				return &opError{Op: "get", Path: f.remote, Err: err}
			}
			return nil
		})
	if m.delete && ctx.Err() == nil && m.failed == nil {
		m.deleteLocal(root, dst, extra)
	}
	return m.finish(ctx)
}

// deleteLocal removes what the source no longer has, children first.
func (m *mirror) deleteLocal(root *os.Root, dst string, extra []treeEntry) {
	rels := make([]string, len(extra))
	for i, e := range extra {
		rels[i] = e.rel
	}
	sortDeepestFirst(rels)
	for _, rel := range rels {
		p := filepath.FromSlash(rel)
		err := root.Remove(p)
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		if err != nil {
			err = &localError{Op: "remove", Path: filepath.Join(dst, p), Err: err}
		}
		m.record("delete", rel, 0, err)
	}
}

// up mirrors the local directory src to the remote tree at loc.
func (m *mirror) up(ctx context.Context, src string, loc *Location) error {
	a := m.a
	first := a.newSession(loc, m.sessionID(1))
	defer first.close()
	local, err := walkLocal(src)
	if err != nil {
		return err
	}
	have, err := first.walkRemote(ctx, loc.Path)
	if err != nil {
		if !isNotExist(err) {
			return err
		}
		have = nil
		if loc.Path != "" {
			if err := first.mkdirAll(ctx, loc.Path); err != nil {
				return err
			}
		}
	}
	root, err := os.OpenRoot(src)
	if err != nil {
		return &localError{Op: "open", Path: src, Err: err}
	}
	defer root.Close()
	// A server without MFMT stamps uploads with the time of upload, so a
	// remote copy newer than the local file and of the same size counts
	// as unchanged.
	for i := range have {
		for _, l := range local {
			if l.rel == have[i].rel && !l.dir && !have[i].dir && l.size == have[i].size && have[i].mtime.After(l.mtime) {
				have[i].mtime, have[i].prec = l.mtime, l.prec
			}
		}
	}
	files, dirs, extra, skipped := plan(local, have)
	m.unchanged = skipped
	for _, d := range dirs {
		if err := first.mkdirAll(ctx, remoteJoin(loc.Path, d.rel)); err != nil {
			return err
		}
	}
	var total int64
	for _, f := range files {
		total += f.size
	}
	pr := a.newProgress(true, total)
	m.run(ctx, "put", first, func(id int) *session { return a.newSession(loc, m.sessionID(id)) }, files, pr,
		func(ctx context.Context, s *session, e treeEntry) error {
			u := send{local: filepath.FromSlash(e.rel), lfs: root, remote: remoteJoin(loc.Path, e.rel), setTime: true}
			if err := s.upload(ctx, u, pr); err != nil {
				return &opError{Op: "put", Path: u.remote, Err: err}
			}
			return nil
		})
	if m.delete && ctx.Err() == nil && m.failed == nil {
		rels := make([]string, 0, len(extra))
		kinds := map[string]bool{}
		for _, e := range extra {
			rels = append(rels, e.rel)
			kinds[e.rel] = e.dir
		}
		sortDeepestFirst(rels)
		for _, rel := range rels {
			p := remoteJoin(loc.Path, rel)
			err := first.do(ctx, func(c *ftp.Conn, _ int) error {
				if kinds[rel] {
					return c.RemoveDir(ctx, p)
				}
				return c.Delete(ctx, p)
			})
			if err != nil {
				err = &opError{Op: "delete", Path: p, Err: err}
			}
			m.record("delete", rel, 0, err)
		}
	}
	return m.finish(ctx)
}
