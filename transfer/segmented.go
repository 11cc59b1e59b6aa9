package transfer

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"github.com/ferryftp/ftp"
)

// minSegment is the smallest range worth a connection of its own.
const minSegment = 1 << 20

// saveEvery is how much a segment writes between two saves of the state
// file; an interrupted download loses at most this much per segment.
const saveEvery = 4 << 20

// DownloadSegmented is Download over up to n connections of the Client at
// once, each fetching its own range of the file (REST to the range's
// start, the data connection ended and the transfer aborted at its end)
// into a temporary file preallocated at the full size. A state file beside
// it (local+".part.state") records the ranges written, so that with
// Copier.Resume an interrupted segmented download continues each range
// where it stopped. The whole file is verified (size, and checksum where
// the server offers one) before it is renamed into place.
//
// The Client's connection limit bounds the segments: when the server
// refuses connections, fewer segments go on and the others' ranges are
// taken over. A file of unknown size, one too small to split, or one
// moved in ASCII mode (Copier.ASCII) is downloaded over one connection.
func (cp *Copier) DownloadSegmented(ctx context.Context, remote, local string, n int) (Result, error) {
	root, name, err := openDirOf(local)
	if err != nil {
		r := Result{Op: OpGet, Remote: remote, Local: local, Size: -1, Err: err}
		return r, err
	}
	defer root.Close()
	m, err := cp.remoteMeta(ctx, remote, true)
	if err != nil {
		r := Result{Op: OpGet, Remote: remote, Local: local, Size: -1, Err: err}
		cp.report(ctx, OpGet, remote, local).finish(r)
		return r, err
	}
	if n <= 1 || m.size < 2*minSegment || cp.ASCII {
		r := cp.download(ctx, root, name, remote, local, &m, false, nil)
		return r, r.Err
	}
	r := cp.segmented(ctx, root, name, remote, local, m, n)
	return r, r.Err
}

// segments is one segmented download in progress.
type segments struct {
	cp     *Copier
	remote string
	f      *os.File
	root   *os.Root
	state  string  // state file name in root
	moved  *report // counts the bytes fetched

	mu      sync.Mutex
	ckpt    *checkpoint
	queue   []span // ranges nobody works on
	active  int    // workers holding a range
	errs    []error
	fatal   error
	tries   map[int64]int // failures by range start, reset by progress
	changed chan struct{} // closed and replaced when queue or active change
}

func (cp *Copier) segmented(ctx context.Context, root *os.Root, name, remote, display string, m meta, n int) (res Result) {
	began := time.Now()
	res = Result{Op: OpGet, Remote: remote, Local: display, Size: m.size, ModTime: m.mtime}
	pr := cp.report(ctx, OpGet, remote, display)
	defer func() {
		res.Transferred = pr.moved()
		res.Duration = time.Since(began)
		pr.finish(res)
	}()
	part, state := name+partSuffix, name+stateSuffix
	partPath := display + partSuffix
	ckpt := (*checkpoint)(nil)
	if cp.Resume {
		ckpt = loadCheckpoint(root, state)
		if ckpt != nil && (ckpt.Size != m.size || !ckpt.ModTime.Equal(m.mtime)) {
			ckpt = nil // another version of the file
		}
	}
	flags := os.O_RDWR | os.O_CREATE
	if ckpt == nil {
		flags |= os.O_TRUNC
		ckpt = &checkpoint{Size: m.size, ModTime: m.mtime}
	}
	f, err := root.OpenFile(part, flags, 0o644)
	if err != nil {
		res.Err = &LocalError{Op: "create", Path: partPath, Err: err}
		return res
	}
	defer f.Close()
	// Preallocate: every segment writes at its own offset.
	if err := f.Truncate(m.size); err != nil {
		res.Err = &LocalError{Op: "allocate", Path: partPath, Err: err}
		return res
	}
	if err := ckpt.save(root, state); err != nil {
		res.Err = &LocalError{Op: "write", Path: display + stateSuffix, Err: err}
		return res
	}
	res.Resumed = ckpt.written()
	pr.start(m.size, res.Resumed)
	sg := &segments{
		cp: cp, remote: remote, f: f, root: root, state: state, ckpt: ckpt,
		moved:   pr,
		tries:   map[int64]int{},
		changed: make(chan struct{}),
	}
	sg.queue = split(ckpt.missing(), n)
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range min(n, len(sg.queue)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sg.work(wctx, cancel)
		}()
	}
	wg.Wait()
	cancel()
	res.Err = sg.result(ctx)
	if res.Err == nil && len(ckpt.missing()) > 0 {
		res.Err = &VerifyError{Path: remote, What: "size", Want: "all ranges", Got: "some missing"}
	}
	if res.Err == nil {
		res.Checksum, res.Err = cp.verifyWhole(ctx, f, remote, partPath)
		if res.Err != nil {
			f.Close()
			_ = root.Remove(part)
			_ = root.Remove(state)
		}
	}
	if res.Err == nil {
		res.Err = finishDownload(root, f, part, name, partPath, m.mtime, cp.IgnoreTimes)
		if res.Err == nil {
			_ = removeIfExists(root, state)
		}
	}
	return res
}

// split cuts the missing ranges into about n pieces, none smaller than
// minSegment.
func split(missing []span, n int) []span {
	var total int64
	for _, s := range missing {
		total += s.End - s.Start
	}
	piece := max(total/int64(n), minSegment)
	var out []span
	for _, s := range missing {
		for at := s.Start; at < s.End; {
			end := min(at+piece, s.End)
			if s.End-end < piece/4 {
				end = s.End // no sliver at the end
			}
			out = append(out, span{at, end})
			at = end
		}
	}
	return out
}

// work takes ranges from the queue until none is left or the download
// fails for good.
func (sg *segments) work(ctx context.Context, cancel func()) {
	for {
		r, ok := sg.take(ctx)
		if !ok {
			return
		}
		c, release, err := sg.cp.conn(ctx)
		if err != nil {
			if sg.shrink(r, err) {
				return // others go on with this range
			}
			if sg.failed(ctx, r, r, err) {
				cancel()
				return
			}
			continue
		}
		at, err := sg.fetch(ctx, c, r)
		err = midTransfer(err, at-r.Start)
		release(err)
		if err == nil {
			sg.done()
			continue
		}
		if sg.failed(ctx, r, span{at, r.End}, err) {
			cancel()
			return
		}
	}
}

// take waits for a range to work on; false when there is nothing left.
func (sg *segments) take(ctx context.Context) (span, bool) {
	sg.mu.Lock()
	for {
		if sg.fatal != nil || ctx.Err() != nil {
			sg.mu.Unlock()
			return span{}, false
		}
		if len(sg.queue) > 0 {
			r := sg.queue[0]
			sg.queue = sg.queue[1:]
			sg.active++
			sg.mu.Unlock()
			return r, true
		}
		if sg.active == 0 {
			sg.mu.Unlock()
			return span{}, false
		}
		// Another worker's range may come back after a failure.
		ch := sg.changed
		sg.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		sg.mu.Lock()
	}
}

func (sg *segments) signalLocked() {
	close(sg.changed)
	sg.changed = make(chan struct{})
}

func (sg *segments) done() {
	sg.mu.Lock()
	sg.active--
	sg.signalLocked()
	sg.mu.Unlock()
}

// shrink gives r back when no connection could be had while others are
// working: the server (or the Client's limit) allows fewer connections,
// and the remaining workers take the range over.
func (sg *segments) shrink(r span, err error) bool {
	sg.mu.Lock()
	defer sg.mu.Unlock()
	if sg.active <= 1 || !transient(err) {
		return false
	}
	sg.active--
	sg.queue = append(sg.queue, r)
	sg.signalLocked()
	return true
}

// failed records a failure on range r, of which rest is still missing. It
// reports whether the whole download must stop; otherwise rest goes back
// in the queue after a backoff.
func (sg *segments) failed(ctx context.Context, r, rest span, err error) bool {
	sg.mu.Lock()
	sg.errs = append(sg.errs, err)
	if rest.Start > r.Start {
		delete(sg.tries, r.Start) // it moved: count afresh
	}
	sg.tries[rest.Start]++
	tries := sg.tries[rest.Start]
	if ctx.Err() != nil || !transient(err) || tries >= sg.cp.Retry.attempts() {
		if sg.fatal == nil {
			sg.fatal = err
		}
		sg.active--
		sg.signalLocked()
		sg.mu.Unlock()
		return true
	}
	sg.mu.Unlock()
	wait := sg.cp.Retry.wait(tries - 1)
	if tr := ftp.ContextTrace(ctx); tr != nil && tr.Retrying != nil {
		tr.Retrying(ctx, ftp.RetryInfo{Attempt: tries, Wait: wait, Err: err})
	}
	t := time.NewTimer(wait)
	select {
	case <-t.C:
	case <-ctx.Done():
		t.Stop()
	}
	sg.mu.Lock()
	if rest.End > rest.Start {
		sg.queue = append(sg.queue, rest)
	}
	sg.active--
	sg.signalLocked()
	sg.mu.Unlock()
	return false
}

// result is the download's error: the first failure with the later ones
// attached, or the cancellation.
func (sg *segments) result(ctx context.Context) error {
	sg.mu.Lock()
	defer sg.mu.Unlock()
	if sg.fatal == nil {
		return ctx.Err()
	}
	if len(sg.errs) == 1 {
		return sg.errs[0]
	}
	e := &RetryError{Err: sg.errs[0], Later: sg.errs[1:]}
	if errors.Is(sg.fatal, context.Canceled) || errors.Is(sg.fatal, context.DeadlineExceeded) {
		e.canceled = sg.fatal
	}
	return e
}

// fetch downloads the range r and returns how far it got. A range that
// ends before the file does is cut there: the data connection is closed
// and the transfer aborted (ABOR), which leaves the connection usable.
func (sg *segments) fetch(ctx context.Context, c retriever, r span) (int64, error) {
	at := r.Start
	d, err := c.RetrieveFrom(ctx, sg.remote, r.Start)
	if err != nil {
		return at, err
	}
	defer d.Close()
	buf := make([]byte, 256<<10)
	unsaved := int64(0)
	for at < r.End {
		want := min(int64(len(buf)), r.End-at)
		n, err := io.ReadAtLeast(d, buf[:want], int(want))
		if n > 0 {
			if _, werr := sg.f.WriteAt(buf[:n], at); werr != nil {
				return at, &LocalError{Op: "write", Path: sg.remote, Err: werr}
			}
			sg.record(at, at+int64(n), unsaved+int64(n) >= saveEvery)
			unsaved = (unsaved + int64(n)) % saveEvery
			sg.moved.add(int64(n))
			at += int64(n)
		}
		if err != nil {
			if at == r.End && r.End == sg.ckpt.Size && errors.Is(err, io.EOF) {
				break
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.ErrUnexpectedEOF // the server ended the data before the range did
			}
			sg.save()
			return at, err
		}
	}
	sg.save()
	if r.End == sg.ckpt.Size {
		// The last range: the end of the data and the server's 226 confirm it.
		var one [1]byte
		if n, err := d.Read(one[:]); n > 0 || !errors.Is(err, io.EOF) {
			if err == nil {
				err = errors.New("the server sent more than the file's size")
			}
			return at, err
		}
	}
	return at, nil
}

// record notes [start, end) as written; save writes the state file now.
func (sg *segments) record(start, end int64, save bool) {
	sg.mu.Lock()
	sg.ckpt.add(start, end)
	if save {
		_ = sg.ckpt.save(sg.root, sg.state)
	}
	sg.mu.Unlock()
}

func (sg *segments) save() {
	sg.mu.Lock()
	_ = sg.ckpt.save(sg.root, sg.state)
	sg.mu.Unlock()
}

// verifyWhole checks the finished temporary file against the server's
// checksum, when it offers one. The ranges arrived out of order, so the
// local hash is computed over the file once, from the disk.
func (cp *Copier) verifyWhole(ctx context.Context, f *os.File, remote, partPath string) (string, error) {
	c, release, err := cp.Client.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	algo, err := cp.checksumAlgo(ctx, c)
	if err != nil || algo == "" {
		return "", err
	}
	s := newSum(algo)
	st, err := f.Stat()
	if err != nil {
		return "", &LocalError{Op: "stat", Path: partPath, Err: err}
	}
	if err := s.prefix(f, st.Size()); err != nil {
		return "", &LocalError{Op: "read", Path: partPath, Err: err}
	}
	label, err := s.check(ctx, c, remote)
	if err != nil && isRefusal(err) && cp.Checksum != ChecksumRequire {
		return "", nil
	}
	return label, err
}

// finishDownload closes the temporary file, gives it the remote time and
// renames it into place.
func finishDownload(root *os.Root, f *os.File, part, name, partPath string, mtime time.Time, ignoreTimes bool) error {
	if err := f.Close(); err != nil {
		return &LocalError{Op: "close", Path: partPath, Err: err}
	}
	if !ignoreTimes && !mtime.IsZero() {
		_ = root.Chtimes(part, mtime, mtime)
	}
	if err := root.Rename(part, name); err != nil {
		return &LocalError{Op: "rename", Path: partPath, Err: err}
	}
	return nil
}

// retriever is the part of *ftp.Conn a segment uses.
type retriever interface {
	RetrieveFrom(ctx context.Context, path string, offset int64) (*ftp.Download, error)
}
