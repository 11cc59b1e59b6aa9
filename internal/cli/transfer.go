package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/ferryftp/ftp"
)

// partSuffix names the temporary file a download is written to until it
// is complete; "get -c" resumes from it.
const partSuffix = ".part"

// fetch describes one download.
type fetch struct {
	remote string
	local  string  // path in lfs; "-" writes to out
	lfs    localFS // where local lives
	out    io.Writer
	resume bool
	// size and mtime are the remote file's, when a listing gave them;
	// size -1 and a zero mtime make download ask the server (SIZE, MDTM).
	size  int64
	mtime time.Time
}

// localWriter tags write failures as local I/O errors, so that a full
// disk is not taken for a network failure.
type localWriter struct {
	w    io.Writer
	path string
	n    int64
}

func (lw *localWriter) Write(p []byte) (int, error) {
	n, err := lw.w.Write(p)
	lw.n += int64(n)
	if err != nil {
		return n, &localError{Op: "write", Path: lw.path, Err: err}
	}
	return n, nil
}

// download fetches f.remote into f.local through a temporary ".part" file
// that is renamed when the whole file has arrived, so an interrupted or
// failed download never leaves a file under the final name. Transient
// failures are retried, resuming where the data stopped.
func (s *session) download(ctx context.Context, f fetch, pr *progress) error {
	if f.local == "-" {
		return s.downloadStream(ctx, f, pr)
	}
	part := f.local + partSuffix
	var offset int64
	if f.resume {
		if st, err := f.lfs.Stat(part); err == nil && st.Mode().IsRegular() {
			offset = st.Size()
		} else if st, err := f.lfs.Stat(f.local); err == nil && st.Mode().IsRegular() {
			// A partial file under the final name, from another tool:
			// continue it under the temporary name.
			if err := f.lfs.Rename(f.local, part); err != nil {
				return &localError{Op: "rename", Path: f.local, Err: err}
			}
			offset = st.Size()
		}
	}
	// Ask for the size and time first, so that a missing remote file
	// leaves no temporary file behind.
	if err := s.getMeta(ctx, &f); err != nil {
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE
	if offset == 0 {
		flags |= os.O_TRUNC
	}
	file, err := f.lfs.OpenFile(part, flags, 0o644)
	if err != nil {
		return &localError{Op: "create", Path: part, Err: err}
	}
	defer file.Close()
	if _, err := file.Seek(offset, io.SeekStart); err != nil {
		return &localError{Op: "seek", Path: part, Err: err}
	}
	if f.size >= 0 && offset > f.size {
		return &verifyError{Path: f.remote, Msg: fmt.Sprintf("local %s has %d bytes, more than the remote file's %d; not resuming (remove it, or drop -c)", part, offset, f.size)}
	}
	bar := pr.file(f.remote, f.size, offset)
	lw := &localWriter{w: bar.writer(file), path: part}
	err = s.do(ctx, func(c *ftp.Conn, _ int) error {
		if f.size > 0 && offset+lw.n == f.size {
			return nil // nothing left to fetch
		}
		return s.retrieve(ctx, c, f.remote, offset+lw.n, lw)
	})
	bar.done(err)
	if err != nil {
		if offset+lw.n == 0 {
			// Nothing arrived: there is nothing to resume from.
			file.Close()
			_ = f.lfs.Remove(part)
			return err
		}
		return &partKeptError{Part: part, Err: err}
	}
	got := offset + lw.n
	if f.size >= 0 && !s.ascii && got != f.size {
		return &verifyError{Path: f.remote, Msg: fmt.Sprintf("received %d bytes, the server announced %d", got, f.size)}
	}
	if err := file.Close(); err != nil {
		return &localError{Op: "close", Path: part, Err: err}
	}
	if !f.mtime.IsZero() {
		// Keeping the server's time lets a later mirror see the file is
		// unchanged; failing to set it is harmless.
		_ = f.lfs.Chtimes(part, f.mtime, f.mtime)
	}
	if err := f.lfs.Rename(part, f.local); err != nil {
		return &localError{Op: "rename", Path: part, Err: err}
	}
	return nil
}

// retrieve copies path from offset on into w.
func (s *session) retrieve(ctx context.Context, c *ftp.Conn, path string, offset int64, w io.Writer) error {
	var d *ftp.Download
	var err error
	if offset > 0 {
		d, err = c.RetrieveFrom(ctx, path, offset)
	} else {
		d, err = c.Retrieve(ctx, path)
	}
	if err != nil {
		return err
	}
	_, err = io.Copy(w, d)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// getMeta fills in the remote size and time when no listing gave them.
// A missing file is an error; a server without SIZE or MDTM is not.
func (s *session) getMeta(ctx context.Context, f *fetch) error {
	if f.size >= 0 && !f.mtime.IsZero() {
		return nil
	}
	return s.do(ctx, func(c *ftp.Conn, _ int) error {
		if f.size < 0 && !s.ascii {
			n, err := c.Size(ctx, f.remote)
			switch {
			case err == nil:
				f.size = n
			case errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || !isServerReply(err):
				return err
			}
		}
		if f.mtime.IsZero() {
			if t, err := c.ModTime(ctx, f.remote); err == nil {
				f.mtime = t
			} else if !isServerReply(err) {
				return err
			}
		}
		return nil
	})
}

// downloadStream writes the file to f.out (stdout). A retry resumes after
// the bytes already written.
func (s *session) downloadStream(ctx context.Context, f fetch, pr *progress) error {
	bar := pr.file(f.remote, -1, 0)
	lw := &localWriter{w: bar.writer(f.out), path: "standard output"}
	err := s.do(ctx, func(c *ftp.Conn, _ int) error {
		return s.retrieve(ctx, c, f.remote, lw.n, lw)
	})
	bar.done(err)
	return err
}

// send describes one upload.
type send struct {
	local  string // path in lfs; "-" reads from in
	lfs    localFS
	in     io.Reader
	remote string
	resume bool
	// setTime sets the remote modification time to the local one (MFMT),
	// when the server allows it, so that mirror can compare them later.
	setTime bool
}

// upload sends a local file. With resume (or after a transient failure)
// it asks the server how much it has and sends the rest, with REST+STOR,
// or APPE when the server refuses REST for uploads.
func (s *session) upload(ctx context.Context, u send, pr *progress) error {
	if u.local == "-" {
		return s.uploadStream(ctx, u, pr)
	}
	file, err := u.lfs.Open(u.local)
	if err != nil {
		return &localError{Op: "open", Path: u.local, Err: err}
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return &localError{Op: "stat", Path: u.local, Err: err}
	}
	if !st.Mode().IsRegular() {
		return &localError{Op: "read", Path: u.local, Err: errors.New("not a regular file (use -r for a directory)")}
	}
	size := st.Size()
	bar := pr.file(u.remote, size, 0)
	err = s.do(ctx, func(c *ftp.Conn, attempt int) error {
		var offset int64
		if u.resume || attempt > 0 {
			n, err := c.Size(ctx, u.remote)
			switch {
			case err == nil:
				offset = n
			case !isServerReply(err):
				return err
			}
		}
		if offset > size {
			return &verifyError{Path: u.remote, Msg: fmt.Sprintf("the remote file has %d bytes, more than local %s's %d; not resuming", offset, u.local, size)}
		}
		if offset == size && offset > 0 {
			return nil
		}
		if _, err := file.Seek(offset, io.SeekStart); err != nil {
			return &localError{Op: "seek", Path: u.local, Err: err}
		}
		r := bar.reader(&localReader{r: file, path: u.local})
		if offset == 0 {
			return c.Store(ctx, u.remote, r)
		}
		err := c.StoreFrom(ctx, u.remote, r, offset)
		var fe *ftp.Error
		if errors.As(err, &fe) && (fe.Code == 500 || fe.Code == 502 || fe.Code == 504) {
			// No REST for uploads: APPE continues at the server's end.
			if _, err := file.Seek(offset, io.SeekStart); err != nil {
				return &localError{Op: "seek", Path: u.local, Err: err}
			}
			return c.Append(ctx, u.remote, bar.reader(&localReader{r: file, path: u.local}))
		}
		return err
	})
	bar.done(err)
	if err != nil {
		return err
	}
	return s.afterUpload(ctx, u, size, st.ModTime())
}

// afterUpload checks the size the server stored and sets its time.
func (s *session) afterUpload(ctx context.Context, u send, size int64, mtime time.Time) error {
	return s.do(ctx, func(c *ftp.Conn, _ int) error {
		if !s.ascii {
			n, err := c.Size(ctx, u.remote)
			if err == nil && n != size {
				return &verifyError{Path: u.remote, Msg: fmt.Sprintf("the server stored %d bytes, %d were sent", n, size)}
			}
			if err != nil && !isServerReply(err) {
				return err
			}
		}
		if u.setTime {
			if err := c.SetModTime(ctx, u.remote, mtime); err != nil && !isServerReply(err) {
				return err
			}
		}
		return nil
	})
}

// uploadStream sends standard input. It cannot be rewound, so it is
// retried only while nothing has been read from it.
func (s *session) uploadStream(ctx context.Context, u send, pr *progress) error {
	bar := pr.file(u.remote, -1, 0)
	lr := &localReader{r: u.in, path: "standard input"}
	r := bar.reader(lr)
	err := s.do(ctx, func(c *ftp.Conn, _ int) error {
		err := c.Store(ctx, u.remote, r)
		if err != nil && lr.n > 0 {
			return &noRetryError{err}
		}
		return err
	})
	bar.done(err)
	return err
}

// noRetryError is a failure that must not be retried although it is
// transient, such as a standard-input upload that was partly sent and
// cannot be sent again.
type noRetryError struct{ err error }

func (e *noRetryError) Error() string { return e.err.Error() }
func (e *noRetryError) Unwrap() error { return e.err }

// localReader tags read failures as local I/O errors.
type localReader struct {
	r    io.Reader
	path string
	n    int64
}

func (lr *localReader) Read(p []byte) (int, error) {
	n, err := lr.r.Read(p)
	lr.n += int64(n)
	if err != nil && err != io.EOF {
		return n, &localError{Op: "read", Path: lr.path, Err: err}
	}
	return n, err
}
