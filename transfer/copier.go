package transfer

import (
	"context"
	"errors"
	"time"

	"github.com/ferryftp/ftp"
)

// Checksum says when a transfer is verified by checksum as well as size.
type Checksum int

const (
	// ChecksumAuto verifies with the strongest checksum the server offers
	// (HASH, XSHA256, XSHA1, XMD5, XCRC), and by size alone when it offers
	// none. Small files that a sync or Run fetches in pipelined batches
	// (up to 1 MiB, several per connection) are verified by size: asking
	// for their checksum would cost a round trip each, as much as the
	// file.
	ChecksumAuto Checksum = iota
	// ChecksumOff verifies by size only.
	ChecksumOff
	// ChecksumRequire fails a transfer that cannot be verified by
	// checksum, and verifies every file of a sync or Run one by one.
	ChecksumRequire
)

// A Copier transfers files through Client with one policy. Its methods may
// be called concurrently. The zero value of every field but Client is
// useful.
type Copier struct {
	// Client lends the connections; its MaxConns bounds how many
	// transfers and segments run at once.
	Client *ftp.Client

	// Retry bounds the retries of transient failures.
	Retry Retry

	// Checksum selects checksum verification; the size is always checked.
	Checksum Checksum

	// Resume continues partial files left by an earlier run: a local
	// NAME.part (downloads) or the bytes the server already has (uploads).
	// Within one call, a retry always resumes.
	Resume bool

	// AtomicUpload writes an upload under a temporary name beside the
	// target and renames it into place once complete and verified, so that
	// readers on the server never see a partial file.
	AtomicUpload bool

	// IgnoreTimes leaves modification times alone. By default a download
	// gets the remote file's time and an upload the local file's (MFMT
	// where the server offers it).
	IgnoreTimes bool

	// Parallel is the number of files transferred at a time by Run, Sync
	// and Apply, and of directories listed at a time by a tree walk. Zero
	// means 4. The Client's connection limit bounds it as well.
	Parallel int

	// Progress, when set, is told about every file and byte.
	Progress Progress

	// ASCII moves files in ASCII mode (TYPE A): text whose line ends are
	// "\n" here and CRLF on the wire, and whatever the server uses on its
	// side. Line ends change the sizes, and the server's REST offsets and
	// checksums count the bytes of its own copy, so an ASCII transfer is
	// never resumed (a retry, or a .part file left by an earlier run,
	// starts over from the first byte), never verified by checksum (under
	// ChecksumRequire it fails), and its size is checked within what line
	// ends allow: the two sizes may differ by at most one byte per line.
	// A segmented download goes over one connection; a sync copies a file
	// whose sizes differ, as sizes rarely match across line ends.
	ASCII bool
}

func (c *Copier) parallel() int {
	if c.Parallel > 0 {
		return c.Parallel
	}
	return 4
}

// Result is the outcome of one file's transfer.
type Result struct {
	Op     Op     // what was done
	Remote string // the remote path
	Local  string // the local path, as given
	Size   int64  // the file's size, -1 if unknown

	// Transferred is what this call moved over the network; Resumed is
	// what was already in place from an earlier attempt or run.
	Transferred int64
	Resumed     int64

	// Checksum is "ALGO:hex" when the file was verified by checksum.
	Checksum string

	// Restarted is set when an upload was sent again from the start
	// because the server refuses both REST+STOR and APPE.
	Restarted bool

	// Unchanged is set when nothing was transferred because the
	// destination already matched.
	Unchanged bool

	ModTime  time.Time     // the source's modification time, when known
	Duration time.Duration // time taken
	Err      error         // nil on success
}

// Op is the kind of action on one path.
type Op string

// The operations of transfers and sync plans.
const (
	OpGet    Op = "get"    // download
	OpPut    Op = "put"    // upload
	OpMkdir  Op = "mkdir"  // create a directory on the destination side
	OpDelete Op = "delete" // remove an extraneous file or tree on the destination side
	OpSkip   Op = "skip"   // a source name that cannot be used safely
)

// conn borrows a connection; the function returned gives it back after an
// attempt that ended with err. After a failure other than a plain refusal
// the connection is closed instead of kept: servers often hang up right
// after a "426" or "421", and a dead connection handed to the next
// attempt would waste it.
func (cp *Copier) conn(ctx context.Context) (*ftp.Conn, func(err error), error) {
	c, release, err := cp.Client.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	c.SetASCII(cp.ASCII) // the Client sets it back when it is released
	return c, func(err error) {
		if err != nil && !keepAfter(err) {
			c.Close()
		}
		release()
	}, nil
}

func keepAfter(err error) bool {
	var (
		fe *ftp.Error
		le *LocalError
		ve *VerifyError
	)
	switch {
	case errors.Is(err, ftp.ErrBroken):
		return false
	case errors.As(err, &le), errors.As(err, &ve):
		return true
	case errors.As(err, &fe):
		return fe.Code >= 500 || fe.Code == 450
	}
	return false
}
