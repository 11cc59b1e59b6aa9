package ftp

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"sync"
	"time"
)

// File is a remote file opened for reading by Client.Open. Read reads it
// from start to end with one download (RETR); ReadAt and Seek move
// elsewhere by ending that download (ABOR) and starting another at the
// new offset (REST, then RETR), so random access costs a round trip or
// two per jump, and reading on from where the last read stopped costs
// nothing. The methods of a File may be called from several goroutines;
// they run one at a time.
//
// An open File holds one of the Client's connections. When it has sat
// unused between calls for a moment (100 ms), another caller that finds
// every connection taken may take that connection: the File's download is
// then ended and resumed at the same offset by its next read.
// So a goroutine that holds a File may use the same Client meanwhile, even
// with MaxConns 1.
type File struct {
	c    *Client
	ctx  context.Context
	name string

	mu       sync.Mutex
	pc       *pconn    // the connection held, or nil
	dl       *Download // the download in progress on pc, or nil
	dlPos    int64     // the offset of the next byte dl yields
	offset   int64     // the offset for Read and Seek
	size     int64     // the file's size, or -1 until known
	info     fs.FileInfo
	closed   bool
	parked   bool      // in c.parked; guarded by c.mu
	parkedAt time.Time // when parked; guarded by c.mu
}

// Open opens name for reading and starts downloading it. ctx governs the
// File until it is closed: cancelling it ends the download and makes
// every later call fail. Open fails as the server refuses RETR: for a name
// that does not exist (an error matching fs.ErrNotExist) and for
// directories.
func (c *Client) Open(ctx context.Context, name string) (*File, error) {
	f := &File{c: c, ctx: ctx, name: name, size: -1}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.start(0); err != nil {
		f.release()
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	c.park(f)
	return f, nil
}

// Name returns the name given to Open.
func (f *File) Name() string { return f.name }

// enter locks f for a call and takes it off the list of Files whose
// connection may be taken; leave undoes that.
func (f *File) enter() error {
	f.mu.Lock()
	f.c.unpark(f)
	if f.closed {
		f.mu.Unlock()
		return fs.ErrClosed
	}
	return nil
}

func (f *File) leave() {
	hold := f.pc != nil && !f.closed
	f.mu.Unlock()
	if hold {
		f.c.park(f)
	}
}

// start begins a download at off, on the File's connection or a new one.
// A connection the server closed is replaced, a few times.
func (f *File) start(off int64) error {
	for attempt := 1; ; attempt++ {
		if f.pc == nil {
			pc, err := f.c.get(f.ctx)
			if err != nil {
				return err
			}
			f.pc = pc
		}
		dl, err := f.pc.c.RetrieveFrom(f.ctx, f.name, off)
		if err == nil {
			f.dl, f.dlPos = dl, off
			// After REST, servers differ on the size they announce (the
			// whole file's, or what remains): only a full download says.
			if n := dl.Size(); n >= 0 && off == 0 {
				f.size = n
			}
			return nil
		}
		broken := f.pc.c.usable() != nil || is421(err)
		if broken {
			f.release()
		}
		if !f.c.retry(f.ctx, err, attempt, broken, true) {
			return err
		}
	}
}

// end ends the download in progress, aborting it if unfinished.
func (f *File) end() {
	if f.dl == nil {
		return
	}
	f.dl.Close()
	f.dl = nil
	if f.pc != nil && f.pc.c.usable() != nil {
		f.release()
	}
}

// release gives the File's connection back to the pool.
func (f *File) release() {
	if f.pc != nil {
		f.c.put(f.ctx, f.pc)
		f.pc = nil
	}
}

// read reads into p at off from the download, starting one there if
// needed. A connection lost mid-download is replaced and the download
// resumed at the same offset.
func (f *File) read(p []byte, off int64) (int, error) {
	if f.size >= 0 && off >= f.size {
		return 0, io.EOF
	}
	if f.dl != nil && f.dlPos != off {
		f.end()
	}
	for attempt := 1; ; attempt++ {
		if f.dl == nil {
			if err := f.start(off); err != nil {
				return 0, err
			}
		}
		n, err := f.dl.Read(p)
		f.dlPos += int64(n)
		if err == nil {
			return n, nil
		}
		f.dl = nil // Read ended the download: the reply is read or the Conn broken
		if err == io.EOF {
			f.size = f.dlPos
			return n, io.EOF
		}
		broken := f.pc.c.usable() != nil
		if broken {
			f.release()
		}
		if n > 0 || !broken || attempt == maxAttempts || f.ctx.Err() != nil {
			return n, err
		}
	}
}

// Read reads up to len(p) bytes from the current offset.
func (f *File) Read(p []byte) (int, error) {
	if err := f.enter(); err != nil {
		return 0, f.pathErr("read", err)
	}
	defer f.leave()
	if len(p) == 0 {
		return 0, nil
	}
	n, err := f.read(p, f.offset)
	f.offset += int64(n)
	if err != nil && err != io.EOF {
		err = f.pathErr("read", err)
	}
	return n, err
}

// ReadAt reads len(p) bytes at off, continuing the download in progress
// when it is at off and starting one there otherwise. It does not move the
// offset of Read and Seek.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if err := f.enter(); err != nil {
		return 0, f.pathErr("read", err)
	}
	defer f.leave()
	if off < 0 {
		return 0, f.pathErr("readat", errors.New("negative offset"))
	}
	total := 0
	for total < len(p) {
		n, err := f.read(p[total:], off+int64(total))
		total += n
		if err == io.EOF {
			return total, io.EOF
		}
		if err != nil {
			return total, f.pathErr("read", err)
		}
	}
	return total, nil
}

// Seek sets the offset for the next Read. Seeking relative to the end
// needs the size, which is asked for (see Stat) if the server did not
// announce it. Nothing else is sent: the next Read ends the download in
// progress if it is elsewhere.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	if err := f.enter(); err != nil {
		return 0, f.pathErr("seek", err)
	}
	defer f.leave()
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.offset
	case io.SeekEnd:
		if f.size < 0 {
			if _, err := f.stat(); err != nil {
				return 0, f.pathErr("seek", err)
			}
		}
		offset += f.size
	default:
		return 0, f.pathErr("seek", errors.New("invalid whence"))
	}
	if offset < 0 {
		return 0, f.pathErr("seek", errors.New("negative offset"))
	}
	f.offset = offset
	return offset, nil
}

// Stat describes the file, as Client.Stat does. The answer is kept. A
// download in progress is ended to ask, and resumed by the next read.
func (f *File) Stat() (fs.FileInfo, error) {
	if err := f.enter(); err != nil {
		return nil, f.pathErr("stat", err)
	}
	defer f.leave()
	fi, err := f.stat()
	if err != nil {
		return nil, f.pathErr("stat", err)
	}
	return fi, nil
}

func (f *File) stat() (fs.FileInfo, error) {
	if f.info != nil {
		return f.info, nil
	}
	f.end()
	for attempt := 1; ; attempt++ {
		if f.pc == nil {
			pc, err := f.c.get(f.ctx)
			if err != nil {
				return nil, err
			}
			f.pc = pc
		}
		fi, err := stat(f.ctx, f.pc.c, f.name)
		if err == nil {
			f.info = fi
			if !fi.IsDir() {
				f.size = fi.Size()
			}
			return fi, nil
		}
		broken := f.pc.c.usable() != nil || is421(err)
		if broken {
			f.release()
		}
		if !f.c.retry(f.ctx, err, attempt, broken, true) {
			return nil, err
		}
	}
}

// Close ends the download if unfinished (ABOR) and gives the connection
// back. Closing before the end is not an error.
func (f *File) Close() error {
	if err := f.enter(); err != nil {
		return f.pathErr("close", err)
	}
	defer f.leave()
	f.closed = true
	f.end()
	f.release()
	return nil
}

func (f *File) pathErr(op string, err error) error {
	return &fs.PathError{Op: op, Path: f.name, Err: err}
}

// yield hands the File's connection to the pool for another caller,
// ending the download first; the File gets a connection again when next
// used. It returns nil if the File has none to give (or it broke).
func (f *File) yield() *pconn {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.end()
	pc := f.pc
	f.pc = nil
	return pc
}

// park lists f as holding a connection it does not use right now.
func (c *Client) park(f *File) {
	c.mu.Lock()
	if !f.parked && !c.closed {
		f.parked, f.parkedAt = true, time.Now()
		c.parked = append(c.parked, f)
	}
	c.mu.Unlock()
}

func (c *Client) unpark(f *File) {
	c.mu.Lock()
	if f.parked {
		f.parked = false
		for i, x := range c.parked {
			if x == f {
				c.parked = append(c.parked[:i], c.parked[i+1:]...)
				break
			}
		}
	}
	c.mu.Unlock()
}

// popParkedLocked takes off the list the File parked longest, if it has
// been parked for minAge at least, or returns nil.
func (c *Client) popParkedLocked(minAge time.Duration) *File {
	if len(c.parked) == 0 || time.Since(c.parked[0].parkedAt) < minAge {
		return nil
	}
	f := c.parked[0]
	c.parked = c.parked[1:]
	f.parked = false
	return f
}

// Create creates or truncates name and returns a writer that uploads to
// it (STOR). Close the writer to finish the upload: Close returns the
// transfer's outcome, and an upload is complete only when Close returned
// nil. ctx governs the whole upload; cancelling it aborts the transfer.
//
// The writer holds a connection until closed. Unlike an open File's, it
// cannot be lent meanwhile (an upload cannot be paused), so with every
// connection held by writers, other calls wait on their context.
func (c *Client) Create(ctx context.Context, name string) (io.WriteCloser, error) {
	w := &writer{c: c, ctx: ctx, name: name}
	for attempt := 1; ; attempt++ {
		pc, err := c.get(ctx)
		if err != nil {
			return nil, &fs.PathError{Op: "create", Path: name, Err: err}
		}
		if name == "" {
			err = &ArgumentError{Cmd: "STOR", Msg: "empty path"}
		} else {
			w.t, err = pc.c.startTransfer(ctx, "STOR", name, 0, "I")
		}
		if err == nil {
			w.pc = pc
			return w, nil
		}
		// Nothing was stored yet, so a connection found closed can be
		// replaced safely.
		broken := pc.c.usable() != nil || is421(err)
		if is421(err) {
			pc.c.Close()
		}
		c.put(ctx, pc)
		if !c.retry(ctx, err, attempt, broken, true) {
			return nil, &fs.PathError{Op: "create", Path: name, Err: err}
		}
	}
}

// writer is the io.WriteCloser of Create.
type writer struct {
	c    *Client
	ctx  context.Context
	name string

	mu     sync.Mutex
	pc     *pconn
	t      *transfer
	err    error // the upload failed: every Write and Close returns it
	closed bool
}

func (w *writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.closed:
		return 0, &fs.PathError{Op: "write", Path: w.name, Err: fs.ErrClosed}
	case w.err != nil:
		return 0, w.err
	}
	err := w.ctx.Err() // checked here too: the data path notices a cancellation asynchronously
	if err == nil {
		err = w.t.writeData(p)
	}
	if err != nil {
		w.fail(w.t.dataFailed(w.ctx, err))
		return 0, w.err
	}
	return len(p), nil
}

func (w *writer) fail(err error) {
	w.err = &fs.PathError{Op: "write", Path: w.name, Err: err}
	w.c.put(w.ctx, w.pc)
	w.pc = nil
}

func (w *writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return &fs.PathError{Op: "close", Path: w.name, Err: fs.ErrClosed}
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	err := w.t.endUpload(w.ctx)
	if err != nil {
		err = w.t.dataFailed(w.ctx, err)
	} else {
		err = w.t.finish(w.ctx)
	}
	w.c.put(w.ctx, w.pc)
	w.pc = nil
	if err != nil {
		w.err = &fs.PathError{Op: "close", Path: w.name, Err: err}
		return w.err
	}
	return nil
}
