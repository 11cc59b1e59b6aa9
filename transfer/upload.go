package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ferryftp/ftp"
)

// Upload copies the local file to the remote path. A retry, or a call
// with Copier.Resume, asks the server how much it has and sends the rest
// with REST+STOR, or APPE where REST is refused; only a server that
// refuses both gets the whole file again, and Result.Restarted says so.
// The stored size, and checksum where the server offers one, are then
// compared with the local file's (computed while sending); a mismatch is
// retried. With Copier.AtomicUpload the file is written under a
// temporary name and renamed into place once verified.
func (cp *Copier) Upload(ctx context.Context, local, remote string) (Result, error) {
	root, name, err := openDirOf(local)
	if err != nil {
		r := Result{Op: OpPut, Remote: remote, Local: local, Size: -1, Err: err}
		return r, err
	}
	defer root.Close()
	r := cp.upload(ctx, root, name, local, remote, nil)
	return r, r.Err
}

// atomicName is the temporary remote name of an atomic upload: beside the
// target, so that the rename stays within one directory.
func atomicName(remote string) string {
	i := strings.LastIndexByte(remote, '/')
	return remote[:i+1] + "." + remote[i+1:] + partSuffix
}

// resumeRefused reports a reply refusing REST or APPE for good.
func resumeRefused(err error) bool {
	var fe *ftp.Error
	if !errors.As(err, &fe) || errors.Is(err, ftp.ErrBroken) {
		return false
	}
	return fe.Code == 500 || fe.Code == 502 || fe.Code == 504 || neverSucceeds(fe)
}

// upload sends name (in root) to remote; display is the local path for
// results and errors, pr the file's report (nil: a new one).
func (cp *Copier) upload(ctx context.Context, root *os.Root, name, display, remote string, pr *report) (res Result) {
	began := time.Now()
	res = Result{Op: OpPut, Remote: remote, Local: display, Size: -1}
	if pr == nil {
		pr = cp.report(ctx, OpPut, remote, display)
	}
	defer func() {
		res.Transferred = pr.moved()
		res.Duration = time.Since(began)
		pr.finish(res)
	}()
	f, err := root.Open(name)
	if err != nil {
		res.Err = &LocalError{Op: "open", Path: display, Err: err}
		return res
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		res.Err = &LocalError{Op: "stat", Path: display, Err: err}
		return res
	}
	if !st.Mode().IsRegular() {
		res.Err = &LocalError{Op: "read", Path: display, Err: errors.New("not a regular file")}
		return res
	}
	size := st.Size()
	res.Size, res.ModTime = size, st.ModTime()
	target := remote
	if cp.AtomicUpload {
		target = atomicName(remote)
	}
	var (
		algo     string
		ready    bool
		noResume bool // the server refuses REST+STOR and APPE
		fresh    bool // the next attempt must start from zero
	)
	res.Err = cp.Retry.do(ctx, func(attempt int) (err error) {
		c, release, err := cp.conn(ctx)
		if err != nil {
			return err
		}
		defer func() { release(err) }()
		if !ready {
			if algo, err = cp.checksumAlgo(ctx, c); err != nil {
				return err
			}
			ready = true
		}
		var offset int64
		if (cp.Resume || attempt > 0) && !noResume && !fresh && !cp.ASCII {
			n, err := c.Size(ctx, target)
			switch {
			case err == nil:
				offset = n
			case !isNotExist(err) && !isRefusal(err):
				return err
			}
			if offset > size {
				offset = 0 // not a prefix of this file
			}
		}
		fresh = false
		if pr.start(size, offset) {
			// What an earlier run left; an earlier attempt of this
			// call that got this far started the report itself.
			res.Resumed = offset
		}
		s := newSum(algo)
		var lines lineCounter // in ASCII mode, for the size check
		// put sends the file from offset from through store, and returns
		// how many bytes left it.
		put := func(from int64, store func(io.Reader) error) (int64, error) {
			s, lines = newSum(algo), 0
			if err := s.prefix(f, from); err != nil {
				return 0, &LocalError{Op: "read", Path: display, Err: err}
			}
			if _, err := f.Seek(from, io.SeekStart); err != nil {
				return 0, &LocalError{Op: "seek", Path: display, Err: err}
			}
			if s == nil && !cp.ASCII {
				// Nothing needs to see the bytes: Store gets the file
				// itself and sends it with sendfile(2) on a plain
				// connection, and progress is read off its offset.
				return storeFile(f, from, pr, store)
			}
			var n int64
			w := io.MultiWriter(s, pr, &lines, writerFunc(func(p []byte) { n += int64(len(p)) }))
			err := store(io.TeeReader(&localReader{f, display}, w))
			return n, err
		}
		if offset < size || size == 0 {
			storeAt := func(r io.Reader) error { return c.StoreFrom(ctx, target, r, offset) }
			if offset == 0 {
				storeAt = func(r io.Reader) error { return c.Store(ctx, target, r) }
			}
			n, err := put(offset, storeAt)
			if offset > 0 && resumeRefused(err) && n == 0 {
				n, err = put(offset, func(r io.Reader) error { return c.Append(ctx, target, r) })
			}
			if offset > 0 && resumeRefused(err) && n == 0 {
				noResume, res.Restarted, res.Resumed = true, true, 0
				n, err = put(0, func(r io.Reader) error { return c.Store(ctx, target, r) })
			}
			if err != nil {
				return midTransfer(err, n)
			}
		} else if err := s.prefix(f, size); err != nil {
			return &LocalError{Op: "read", Path: display, Err: err}
		}
		n, err := c.Size(ctx, target)
		switch {
		case err == nil && cp.ASCII:
			if err := checkASCIISize(remote, size, n, int64(lines)); err != nil {
				return err
			}
		case err == nil:
			if err := checkSize(remote, size, n); err != nil {
				fresh = n > size
				return err
			}
		case !isRefusal(err):
			return err
		}
		label, err := s.check(ctx, c, target)
		var ve *VerifyError
		switch {
		case errors.As(err, &ve):
			ve.Path, fresh = remote, true
			return err
		case err != nil && isRefusal(err) && cp.Checksum != ChecksumRequire:
		case err != nil:
			return err
		}
		res.Checksum = label
		if target != remote {
			if err := c.Rename(ctx, target, remote); err != nil {
				return err
			}
			target = remote
		}
		if !cp.IgnoreTimes {
			// Refused where the server has no MFMT: the upload stands.
			if err := c.SetModTime(ctx, remote, res.ModTime); err != nil && !isRefusal(err) {
				return err
			}
		}
		return nil
	})
	return res
}

// UploadFrom copies r, such as standard input, to the remote path. A
// stream cannot be read twice, so it is retried only while nothing has
// been read from it. The stored size is checked against what was read.
func (cp *Copier) UploadFrom(ctx context.Context, r io.Reader, remote string) (Result, error) {
	began := time.Now()
	res := Result{Op: OpPut, Remote: remote, Size: -1}
	pr := cp.report(ctx, OpPut, remote, "")
	pr.start(-1, 0)
	var lines lineCounter // in ASCII mode, for the size check
	tee := io.TeeReader(&localReader{r, "input"}, io.MultiWriter(pr, &lines))
	res.Err = cp.Retry.do(ctx, func(int) (err error) {
		c, release, err := cp.conn(ctx)
		if err != nil {
			return err
		}
		defer func() { release(err) }()
		err = c.Store(ctx, remote, tee)
		if err != nil && pr.moved() > 0 {
			return fmt.Errorf("%w: %w", err, errStreamSent)
		}
		if err != nil {
			return err
		}
		n, err := c.Size(ctx, remote)
		if err == nil {
			check := checkSize(remote, pr.moved(), n)
			if cp.ASCII {
				check = checkASCIISize(remote, pr.moved(), n, int64(lines))
			}
			if check != nil {
				return fmt.Errorf("%w: %w", check, errStreamSent)
			}
		}
		return nil
	})
	res.Transferred = pr.moved()
	res.Size = res.Transferred
	res.Duration = time.Since(began)
	pr.finish(res)
	return res, res.Err
}

// writerFunc adapts a function that cannot fail to io.Writer.
type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }
