package transfer

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

// Download copies the remote file to the local path. The data goes to
// local+".part", which is renamed over local only when every byte has
// arrived and the size (and checksum, see Copier.Checksum) matched; a
// failed download never touches an existing local file. Transient failures
// are retried, continuing where the data stopped (REST); with
// Copier.Resume, so is a .part file left by an earlier run.
func (cp *Copier) Download(ctx context.Context, remote, local string) (Result, error) {
	root, name, err := openDirOf(local)
	if err != nil {
		r := Result{Op: OpGet, Remote: remote, Local: local, Size: -1, Err: err}
		return r, err
	}
	defer root.Close()
	r := cp.download(ctx, root, name, remote, local, nil, true, nil)
	return r, r.Err
}

// meta is what a listing or SIZE and MDTM say about a remote file.
type meta struct {
	size  int64     // -1 unknown
	mtime time.Time // zero unknown
}

// remoteMeta asks the server for a file's size and time. A missing file is
// an error; a server without SIZE or MDTM is not. With dirCheck, a
// missing file is looked up (Client.Stat), and a directory is said to be
// one (ErrIsDir).
func (cp *Copier) remoteMeta(ctx context.Context, remote string, dirCheck bool) (meta, error) {
	m := meta{size: -1}
	err := cp.Retry.do(ctx, func(int) (err error) {
		c, release, err := cp.conn(ctx)
		if err != nil {
			return err
		}
		defer func() { release(err) }()
		n, err := c.Size(ctx, remote)
		switch {
		case err == nil:
			m.size = n
		case isNotExist(err) || !isRefusal(err):
			return err
		}
		t, err := c.ModTime(ctx, remote)
		switch {
		case err == nil:
			m.mtime = t
		case isNotExist(err) && m.size >= 0:
			// Some servers answer SIZE but not MDTM for some names.
		case isNotExist(err) || !isRefusal(err):
			return err
		}
		return nil
	})
	if dirCheck && isNotExist(err) && isRefusal(err) {
		if info, serr := cp.Client.Stat(ctx, remote); serr == nil && info.IsDir() {
			err = &fs.PathError{Op: "get", Path: remote, Err: ErrIsDir}
		}
	}
	return m, err
}

// isRefusal reports a reply refusing a command on a connection still in
// step, such as a server without SIZE.
func isRefusal(err error) bool {
	var fe *ftp.Error
	return errors.As(err, &fe) && !errors.Is(err, ftp.ErrBroken) && fe.Code != 421
}

// download fetches remote into name (in root) through name.part; display
// is the local path for results and errors. m, when known from a listing,
// saves asking the server; dirCheck, when it is not known, makes a missing
// file looked up, to tell a directory (see remoteMeta). pr, when not nil,
// is the report of a pipelined batch that began the file and handed it
// over.
func (cp *Copier) download(ctx context.Context, root *os.Root, name, remote, display string, m *meta, dirCheck bool, pr *report) (res Result) {
	began := time.Now()
	res = Result{Op: OpGet, Remote: remote, Local: display, Size: -1}
	if pr == nil {
		pr = cp.report(ctx, OpGet, remote, display)
	}
	defer func() {
		res.Transferred = pr.moved()
		res.Duration = time.Since(began)
		pr.finish(res)
	}()
	if m == nil {
		got, err := cp.remoteMeta(ctx, remote, dirCheck)
		if err != nil {
			res.Err = err
			return res
		}
		m = &got
	}
	res.Size, res.ModTime = m.size, m.mtime
	part := name + partSuffix
	partPath := display + partSuffix
	flags := os.O_RDWR | os.O_CREATE
	if !cp.Resume || cp.ASCII {
		flags |= os.O_TRUNC // nothing to continue
	} else if _, err := root.Lstat(part); isNotExist(err) {
		// A partial file under the final name, left by another tool
		// (curl -o, wget): shorter than the remote file, it is taken to
		// be its beginning, as wget -c and curl -C - do; the checksum,
		// where offered, checks that guess.
		if st, err := root.Lstat(name); err == nil && st.Mode().IsRegular() && m.size >= 0 && st.Size() < m.size {
			if err := root.Rename(name, part); err != nil {
				res.Err = &LocalError{Op: "rename", Path: display, Err: err}
				return res
			}
		}
	}
	f, err := root.OpenFile(part, flags, 0o644)
	if err != nil {
		res.Err = &LocalError{Op: "create", Path: partPath, Err: err}
		return res
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		res.Err = &LocalError{Op: "stat", Path: partPath, Err: err}
		return res
	}
	offset := st.Size()
	lines := new(lineCounter) // in ASCII mode, for the size check
	restart := func() error {
		offset, res.Resumed, *lines = 0, 0, 0
		if err := f.Truncate(0); err != nil {
			return &LocalError{Op: "truncate", Path: partPath, Err: err}
		}
		return nil
	}
	if m.size >= 0 && offset > m.size {
		// Not a prefix of this file: start over.
		if res.Err = restart(); res.Err != nil {
			return res
		}
	}
	res.Resumed = offset
	pr.start(m.size, offset)
	var s *sum
	ready := false
	res.Err = cp.Retry.do(ctx, func(int) (err error) {
		c, release, err := cp.conn(ctx)
		if err != nil {
			return err
		}
		defer func() { release(err) }()
		if !ready {
			algo, err := cp.checksumAlgo(ctx, c)
			if err != nil {
				return err
			}
			s = newSum(algo)
			if err := s.prefix(f, offset); err != nil {
				return &LocalError{Op: "read", Path: partPath, Err: err}
			}
			if m.mtime.IsZero() && !cp.IgnoreTimes {
				// The listing had no time to trust (or only a day).
				if t, err := c.ModTime(ctx, remote); err == nil {
					m.mtime, res.ModTime = t, t
				} else if !isRefusal(err) {
					return err
				}
			}
			ready = true
		}
		if cp.ASCII && offset > 0 {
			// A REST offset counts the server's bytes, not these.
			if err := restart(); err != nil {
				return err
			}
		}
		if m.size < 0 || offset < m.size || cp.ASCII && m.size > 0 {
			if _, err := f.Seek(offset, io.SeekStart); err != nil {
				return &LocalError{Op: "seek", Path: partPath, Err: err}
			}
			d, err := c.RetrieveFrom(ctx, remote, offset)
			if err != nil {
				return err
			}
			n, err := io.Copy(io.MultiWriter(&localWriter{f, partPath}, s, pr, lines), d)
			offset += n
			if cerr := d.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return midTransfer(err, n)
			}
		}
		if cp.ASCII {
			return checkASCIISize(remote, m.size, offset, int64(*lines))
		}
		if err := checkSize(remote, m.size, offset); err != nil {
			if offset > m.size {
				if rerr := restart(); rerr != nil {
					return rerr
				}
				s = newSum(s.algoName())
			}
			return err
		}
		label, err := s.check(ctx, c, remote)
		var ve *VerifyError
		switch {
		case errors.As(err, &ve):
			// Corrupt somewhere: only a fresh copy can be trusted.
			if rerr := restart(); rerr != nil {
				return rerr
			}
			s = newSum(s.algoName())
			return err
		case err != nil && isRefusal(err) && cp.Checksum != ChecksumRequire:
			// Offered but refused for this file: the size must do.
		case err != nil:
			return err
		}
		res.Checksum = label
		return nil
	})
	if res.Err != nil {
		if offset == 0 || cp.ASCII {
			f.Close()
			_ = root.Remove(part) // nothing to resume from
		}
		return res
	}
	if m.size < 0 {
		res.Size = offset
	}
	if err := f.Close(); err != nil {
		res.Err = &LocalError{Op: "close", Path: partPath, Err: err}
		return res
	}
	if !cp.IgnoreTimes && !m.mtime.IsZero() {
		// The server's time lets a later sync see the file is unchanged.
		_ = root.Chtimes(part, m.mtime, m.mtime)
	}
	if err := root.Rename(part, name); err != nil {
		res.Err = &LocalError{Op: "rename", Path: partPath, Err: err}
	}
	return res
}

// DownloadTo writes the remote file to w, such as standard output. A
// retry continues after the bytes already written; the size is checked,
// and the checksum when the server offers one (a mismatch is reported, but
// what was written cannot be taken back). In ASCII mode a retry cannot
// continue, so a failure after the first byte is final.
func (cp *Copier) DownloadTo(ctx context.Context, remote string, w io.Writer) (Result, error) {
	began := time.Now()
	res := Result{Op: OpGet, Remote: remote, Size: -1}
	pr := cp.report(ctx, OpGet, remote, "")
	pr.start(-1, 0)
	var s *sum
	ready := false
	res.Err = cp.Retry.do(ctx, func(int) (err error) {
		c, release, err := cp.conn(ctx)
		if err != nil {
			return err
		}
		defer func() { release(err) }()
		if !ready {
			algo, err := cp.checksumAlgo(ctx, c)
			if err != nil {
				return err
			}
			s = newSum(algo)
			ready = true
		}
		d, err := c.RetrieveFrom(ctx, remote, pr.moved())
		if err != nil {
			return err
		}
		n, err := io.Copy(io.MultiWriter(&localWriter{w, "output"}, s, pr), d)
		if cerr := d.Close(); err == nil {
			err = cerr
		}
		if err != nil && cp.ASCII && pr.moved() > 0 {
			return fmt.Errorf("%w: %w", err, errOutputWritten)
		}
		if err != nil {
			return midTransfer(err, n)
		}
		label, err := s.check(ctx, c, remote)
		if err != nil && isRefusal(err) && cp.Checksum != ChecksumRequire {
			err = nil
		}
		var ve *VerifyError
		if errors.As(err, &ve) {
			ve.transient = false // already written out
		}
		res.Checksum = label
		return err
	})
	res.Transferred = pr.moved()
	res.Size = res.Transferred
	res.Duration = time.Since(began)
	pr.finish(res)
	return res, res.Err
}

// localWriter tags write failures as local, so that a full disk is not
// retried as if it were the network's fault.
type localWriter struct {
	w    io.Writer
	path string
}

func (lw *localWriter) Write(p []byte) (int, error) {
	n, err := lw.w.Write(p)
	if err != nil {
		return n, &LocalError{Op: "write", Path: lw.path, Err: err}
	}
	return n, nil
}

// localReader tags read failures as local.
type localReader struct {
	r    io.Reader
	path string
}

func (lr *localReader) Read(p []byte) (int, error) {
	n, err := lr.r.Read(p)
	if err != nil && err != io.EOF {
		return n, &LocalError{Op: "read", Path: lr.path, Err: err}
	}
	return n, err
}
