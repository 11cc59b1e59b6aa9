package transfer

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// LocalError is a failure of the local file system: a full disk, a
// missing directory, a refused permission. It is never retried.
type LocalError struct {
	Op   string // "create", "write", "rename", ...
	Path string // the local path
	Err  error
}

func (e *LocalError) Error() string {
	err := e.Err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is said already
	}
	return e.Op + " " + e.Path + ": " + err.Error()
}

// Unwrap returns the underlying error.
func (e *LocalError) Unwrap() error { return e.Err }

// UnsafeNameError is a name from a server listing that cannot be used as
// one path element: it contains "/", NUL, CR or LF, or is "." or "..".
type UnsafeNameError struct {
	Dir  string // the remote directory that listed it
	Name string
}

func (e *UnsafeNameError) Error() string {
	return fmt.Sprintf("unsafe name %q listed in %s: refused", e.Name, e.Dir)
}

// VerifyError is a transfer whose result did not match the source: the
// size, or the checksum the server computed. The file was not renamed into
// place.
type VerifyError struct {
	Path      string // the remote path
	What      string // "size" or the checksum algorithm, as "SHA-256"
	Want, Got string // the source's value and the copy's

	transient bool // another attempt, resuming or restarting, may fix it
}

func (e *VerifyError) Error() string {
	if e.What == "size" {
		return fmt.Sprintf("%s: size mismatch: the source has %s bytes, the copy %s", e.Path, e.Want, e.Got)
	}
	return fmt.Sprintf("%s: %s mismatch: the source's is %s, the copy's %s", e.Path, e.What, e.Want, e.Got)
}

// BatchError lists the files that failed among many; the others were
// transferred. Their results carry each error.
type BatchError struct {
	Failed []Result
}

func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d failed:", len(e.Failed))
	for i, r := range e.Failed {
		if i == 10 {
			fmt.Fprintf(&b, " and %d more", len(e.Failed)-i)
			break
		}
		fmt.Fprintf(&b, " %s (%v);", r.path(), r.Err)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Unwrap returns every failure, so that errors.Is finds, say, a
// cancellation among them.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, r := range e.Failed {
		errs[i] = r.Err
	}
	return errs
}

func (r Result) path() string {
	if r.Op == OpPut || r.Remote == "" {
		if r.Local != "" {
			return r.Local
		}
	}
	return r.Remote
}

// ErrIsDir is the cause (errors.Is) of a download refused because its
// remote path is a directory; the error is an *fs.PathError naming it.
var ErrIsDir = errors.New("is a directory")

var (
	// errNotResumable: the local partial file is longer than the remote
	// file, so it is not a prefix of it.
	errNotResumable = errors.New("partial file longer than the source; not resuming")
	// errStreamSent: a stream upload failed after some of it was read; it
	// cannot be read again.
	errStreamSent = errors.New("the stream was partly sent and cannot be sent again")
	// errOutputWritten: an ASCII download to a stream failed after some
	// of it was written; it cannot continue (REST counts the server's
	// bytes) nor be taken back.
	errOutputWritten = errors.New("the output was partly written, and an ASCII transfer cannot continue it")
	// errASCIIChecksum is returned under ChecksumRequire in ASCII mode.
	errASCIIChecksum = errors.New("an ASCII transfer cannot be verified by checksum: line ends change the bytes the server hashes")
)
