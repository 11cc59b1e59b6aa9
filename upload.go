package ftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
)

// Store uploads r to path (STOR), replacing any file there. It returns nil
// when every byte of r went into the data connection, the connection ended
// cleanly and the server confirmed the upload (2xx).
//
// What Store can know is limited: FTP's stream mode marks the end of a file
// by closing the data connection, and the server announces nothing to
// compare with. A connection that breaks (a reset, a TLS stream cut short),
// a reset met after the last byte (data the server never read was thrown
// away) or a refusal is an error. But a middlebox that reads everything the
// client sends and hands the server only part of it before closing both
// sides cleanly is seen by neither end; nor is a server that stores less
// than it read and says 226. Verify with Size or Hash where that matters.
//
// An upload that fails after the server took the command (it may already
// have created or truncated the file, and keeps whatever part arrived)
// returns an error wrapping ErrIncompleteUpload.
func (c *Conn) Store(ctx context.Context, path string, r io.Reader) error {
	_, err := c.upload(ctx, "STOR", path, r, 0)
	return err
}

// StoreFrom is Store starting at offset bytes into the remote file (REST
// then STOR), to resume an upload; r must supply the data from offset on.
func (c *Conn) StoreFrom(ctx context.Context, path string, r io.Reader, offset int64) error {
	_, err := c.upload(ctx, "STOR", path, r, offset)
	return err
}

// Append uploads r to the end of path (APPE), creating it if needed.
func (c *Conn) Append(ctx context.Context, path string, r io.Reader) error {
	_, err := c.upload(ctx, "APPE", path, r, 0)
	return err
}

// StoreUnique uploads r under a name the server chooses (STOU) and returns
// that name, read from the "150 FILE: name" reply (RFC 1123) or the final
// reply. It returns "" if the server does not say.
func (c *Conn) StoreUnique(ctx context.Context, r io.Reader) (string, error) {
	res, err := c.upload(ctx, "STOU", "", r, 0)
	return res.uniqueName, err
}

type uploadResult struct{ uniqueName string }

func (c *Conn) upload(ctx context.Context, verb, path string, r io.Reader, offset int64) (uploadResult, error) {
	var res uploadResult
	if verb != "STOU" && path == "" {
		return res, &ArgumentError{Cmd: verb, Msg: "empty path"}
	}
	t, err := c.startTransfer(ctx, verb, path, offset, c.transferType())
	if err != nil {
		return res, incompleteUpload(verb, path, err)
	}
	if err := t.send(ctx, r); err != nil {
		return res, &uploadError{err: err, verb: verb, path: path}
	}
	if err := t.endUpload(ctx); err != nil {
		return res, &uploadError{err: t.dataFailed(ctx, err), verb: verb, path: path}
	}
	if err := t.finish(ctx); err != nil {
		return res, &uploadError{err: err, verb: verb, path: path}
	}
	if verb == "STOU" {
		res.uniqueName = t.uniqueName()
	}
	return res, nil
}

// incompleteUpload marks the failure to start an upload as one that may
// have left the remote file damaged: the server answered the command with a
// 1xx and then failed, or refused the data connection (425, 426, 522),
// which vsftpd and ProFTPD do after opening, and so truncating, the file.
// Any other refusal (550, 553: the file cannot be written) left it alone.
func incompleteUpload(verb, path string, err error) error {
	var fe *Error
	if errors.As(err, &fe) && (fe.Code == 425 || fe.Code == 426 || fe.Code == 522) && strings.HasPrefix(fe.Cmd, verb) {
		return &uploadError{err: err, verb: verb, path: path}
	}
	var af *acceptedFailure
	if errors.As(err, &af) {
		return &uploadError{err: err, verb: verb, path: path}
	}
	return err
}

// uploadError is an upload that failed after the server took its command.
type uploadError struct {
	err        error
	verb, path string
}

func (e *uploadError) Error() string {
	what := strings.TrimPrefix(ErrIncompleteUpload.Error(), "ftp: ")
	switch e.verb {
	case "APPE":
		return e.err.Error() + ": " + what + ": " + e.path + " on the server may hold part of the appended data"
	case "STOU":
		return e.err.Error() + ": " + what + ": the server may have kept a partial file under a name of its choosing"
	}
	return e.err.Error() + ": " + what + ": " + e.path + " on the server may now be empty (STOR truncates it) or hold part of the data"
}

func (e *uploadError) Unwrap() []error { return []error{e.err, ErrIncompleteUpload} }

// send copies r to the data connection. A failure is returned with the
// transfer ended and the control connection in step.
func (t *transfer) send(ctx context.Context, r io.Reader) error {
	if f, ok := r.(*os.File); ok && !t.ascii {
		tc, ok := t.data.(*net.TCPConn)
		if fi, err := f.Stat(); ok && err == nil && fi.Mode().IsRegular() {
			if handled, err := t.sendFile(ctx, tc, f); handled {
				return err
			}
		}
	}
	var src io.Reader = r
	if t.ascii {
		src = &lfWriterSource{r: r}
	}
	bp := t.buffer()
	defer putBuffer(bp)
	buf := *bp
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			if werr := t.writeData(buf[:n]); werr != nil {
				return t.dataFailed(ctx, werr)
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return t.localFailed(fmt.Errorf("reading local data: %w", rerr))
		}
	}
}

// sendFileFailed ends an upload whose sendfile failed: a failure of the
// connection is handled as for any write, one of the file aborts the
// transfer.
func (t *transfer) sendFileFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil || isNetFailure(err) {
		return t.dataFailed(ctx, err)
	}
	// The file, not the network: the server must not keep what it got as
	// if it were the whole file.
	return t.localFailed(err)
}

// isNetFailure reports a failure of the connection rather than of the file
// it was sending: ReadFrom wraps both the same way.
func isNetFailure(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed)
}

// localFailed aborts an upload whose source failed: the server must not keep
// a partial file as if it were complete.
func (t *transfer) localFailed(cause error) error {
	err := fmt.Errorf("ftp: %s: %w", t.cmd, cause)
	t.traceDone(0, err)
	if aerr := t.abort(); aerr != nil {
		err = joinErrors(err, aerr)
	}
	return err
}

// endUpload closes the sending side of an upload cleanly. Under TLS it sends
// close_notify and then reads the data connection to its end before
// closing: over TLS 1.3, vsftpd sends session tickets on the data connection,
// and a client that just closes leaves them unread, its kernel answers with
// a reset and vsftpd fails the upload (426).
func (t *transfer) endUpload(ctx context.Context) error {
	type closeWriter interface{ CloseWrite() error }
	cw, ok := t.data.(closeWriter)
	if t.data == nil || !ok {
		return nil
	}
	return guard(ctx, t.data, t.c.d.DataTimeout, func() error {
		if err := cw.CloseWrite(); err != nil {
			return err
		}
		// Whatever the server sends before closing is discarded, and a
		// close without close_notify is the server's business. But a reset
		// here means the peer closed with data unread: bytes of the upload
		// that the server, or a middlebox on the way, never took. The
		// server may well answer 226 for what it got.
		_, err := io.Copy(io.Discard, struct{ io.Reader }{t.data})
		if err != nil {
			return fmt.Errorf("after the last byte: %w: the server, or a middlebox on the way, did not read all the data", err)
		}
		return nil
	})
}

func (t *transfer) uniqueName() string {
	if name := fileName(t.prelim); name != "" {
		return name
	}
	return fileName(t.final)
}
