package ftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults used where a Client field is zero.
const (
	// DefaultMaxConns is the number of control connections a Client opens
	// at most. Servers often limit connections per address (vsftpd
	// max_per_ip, ProFTPD MaxClientsPerHost, Pure-FTPd -C); a Client that
	// is refused for having too many adapts by itself, but starting low is
	// polite.
	DefaultMaxConns = 4

	// DefaultIdleTimeout is how long an unused connection stays open.
	// Servers close idle sessions themselves after a few minutes (vsftpd
	// idle_session_timeout is 300 seconds).
	DefaultIdleTimeout = 90 * time.Second

	// DefaultCheckAfter is how long a connection may sit unused before it
	// is checked with NOOP when taken again.
	DefaultCheckAfter = 15 * time.Second
)

// Client is a pool of logged-in control connections to one server, with
// os-like methods: ReadDir, Stat, Open, Create, Remove, Rename, Mkdir,
// WalkDir and more. It is safe for use by any number of goroutines at once;
// each call borrows a connection for its duration (an open File or upload
// holds one until closed) and gives it back.
//
// Paths are absolute, or relative to the login directory: a Client never
// changes the working directory of its connections.
//
// The zero value needs only Addr. Set the fields before the first call and
// do not change them afterwards. Close the Client when done with it.
//
// The pool is built for FTP servers' habits. When the server refuses a
// connection for having too many (421, or 530 saying so, or a reset before
// the greeting), the Client lowers its limit to the number it has open,
// the work waits for one of them, and the limit grows back by one
// connection every 30 seconds. Refused with none open (the server's slots
// taken by others), it tries again a few times over about six seconds. Connections the server closed (421,
// ErrBroken) are discarded, and operations that only read (ReadDir, Stat,
// Open, Hash) are retried on a new connection without the caller seeing
// it. Connections unused for CheckAfter are checked with NOOP before use,
// and closed after IdleTimeout.
type Client struct {
	// Addr is the server's address, "host" or "host:port"; the port
	// defaults to 21, or 990 with implicit TLS.
	Addr string

	// User, Password and Account log in each connection; an empty User
	// logs in anonymously. The Account is sent only if the server asks
	// for one (332).
	User, Password, Account string

	// Dialer opens each control connection (TLS, timeouts, passive or
	// active mode, logging).
	Dialer Dialer

	// MaxConns is the most control connections open at once; zero means
	// DefaultMaxConns.
	MaxConns int

	// IdleTimeout is how long an unused connection is kept open; zero
	// means DefaultIdleTimeout.
	IdleTimeout time.Duration

	// CheckAfter is how long a connection may sit unused before it is
	// checked with NOOP when taken again; zero means DefaultCheckAfter,
	// negative checks every time.
	CheckAfter time.Duration

	mu      sync.Mutex
	all     map[*pconn]struct{} // every connection open, idle or not
	idle    []*pconn
	parked  []*File // open Files holding a connection between calls
	waiters []chan *pconn
	open    int       // connections open or being dialled
	limit   int       // the most to open now: MaxConns, lowered on refusal
	lowered time.Time // when limit last changed
	closed  bool
	janitor bool          // closeIdle has been started
	kick    chan struct{} // wakes closeIdle when a connection goes idle
	done    chan struct{} // closed by Close
	trace   *Trace        // from Dialer.Trace and Dialer.Logger

	// Logins (pool_login.go): loginTurn is held by the one login under way
	// while none has succeeded; refusals counts the logins refused, the
	// last one's error in refused (both under mu).
	loginTurn chan struct{}
	loggedIn  atomic.Bool
	sawTLS    atomic.Bool // under TLSAuto, a connection has had TLS
	refusals  int
	refused   error
	wg        sync.WaitGroup
}

func (c *Client) maxConns() int {
	if c.MaxConns > 0 {
		return c.MaxConns
	}
	return DefaultMaxConns
}

func (c *Client) idleTimeout() time.Duration {
	if c.IdleTimeout > 0 {
		return c.IdleTimeout
	}
	return DefaultIdleTimeout
}

func (c *Client) checkAfter() time.Duration {
	if c.CheckAfter != 0 {
		return c.CheckAfter
	}
	return DefaultCheckAfter
}

// Conn borrows a logged-in connection for commands the Client has no
// method for. Call release, once, to give it back; a Conn that is broken,
// busy with a transfer, or whose state was changed (working directory,
// PROT, TYPE or login sent with Cmd or ChangeDir) is closed rather than
// reused. Do not use the Conn after release.
func (c *Client) Conn(ctx context.Context) (conn *Conn, release func(), err error) {
	pc, err := c.get(ctx)
	if err != nil {
		return nil, nil, err
	}
	var once sync.Once
	return pc.c, func() { once.Do(func() { c.put(ctx, pc) }) }, nil
}

// maxAttempts bounds how often one operation is tried after the server
// closed its connection or could not open a data connection.
const maxAttempts = 5

// retryDelay is the first pause before an operation is tried again after
// the server could not open a data connection (425); it doubles with each
// attempt.
const retryDelay = 10 * time.Millisecond

// do runs fn on a pooled connection. If the connection turns out to be
// closed by the server (a 421 reply, or any failure that breaks it while
// the caller's context is live), fn runs again on another connection:
// always after a 421, which servers send instead of doing anything, and
// after other breaks only when idempotent. A 425 (the server could not
// open the data connection, often because its passive ports are all
// taken) is tried again after a pause, and so is a 426 (the server broke
// the transfer off) when idempotent.
func (c *Client) do(ctx context.Context, idempotent bool, fn func(*Conn) error) error {
	for attempt := 1; ; attempt++ {
		pc, err := c.get(ctx)
		if err != nil {
			return err
		}
		err = fn(pc.c)
		broken := pc.c.usable() != nil
		if is421(err) {
			pc.c.Close() // the server is closing it
			broken = true
		}
		c.put(ctx, pc)
		if !c.retry(ctx, err, attempt, broken, idempotent) {
			return err
		}
	}
}

// retry reports whether an operation that failed with err on its attempt
// should be tried again, after pausing if needed.
func (c *Client) retry(ctx context.Context, err error, attempt int, broken, idempotent bool) bool {
	if err == nil || attempt >= maxAttempts || ctx.Err() != nil || errors.Is(err, ErrClientClosed) {
		return false
	}
	var fe *Error
	switch {
	case is421(err):
		return true
	case broken:
		return idempotent
	case errors.As(err, &fe) && (fe.Code == 425 || fe.Code == 426 && idempotent) && !errors.Is(err, ErrDataTLSRefused):
		t := time.NewTimer(retryDelay << (attempt - 1))
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	return false
}

func is421(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Code == 421
}

// ReadDir lists the directory name and returns its entries sorted by name,
// without "." and "..", nor the rare names that hold a slash (some VMS and
// MVS listings give paths), which no fs.DirEntry may have. The entries'
// Info methods cost nothing: the listing said it all, and Sys returns the
// *listing.Entry. Lines of the listing that cannot be read give a
// *ListingError along with the other entries.
func (c *Client) ReadDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	err := c.do(ctx, true, func(conn *Conn) error {
		var err error
		out, err = readDir(ctx, conn, name)
		return err
	})
	if err != nil {
		return out, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return out, nil
}

// Stat returns a FileInfo describing name; Sys returns the *listing.Entry
// it was made from. It uses MLST where the server offers it (RFC 3659);
// otherwise SIZE and MDTM, which work on files only, and failing those the
// listing of the parent directory, which is how a directory is recognised
// on servers such as vsftpd.
func (c *Client) Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	var fi fs.FileInfo
	err := c.do(ctx, true, func(conn *Conn) error {
		var err error
		fi, err = stat(ctx, conn, name)
		return err
	})
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return fi, nil
}

// Remove removes the file or empty directory name (DELE, then RMD if the
// server refuses DELE and name is a directory).
func (c *Client) Remove(ctx context.Context, name string) error {
	err := c.do(ctx, false, func(conn *Conn) error { return remove(ctx, conn, name) })
	if err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	return nil
}

func remove(ctx context.Context, conn *Conn, name string) error {
	err := conn.Delete(ctx, name)
	var fe *Error
	if !errors.As(err, &fe) || fe.Code != 550 {
		return err
	}
	if fi, serr := stat(ctx, conn, name); serr == nil && fi.IsDir() {
		return conn.RemoveDir(ctx, name)
	}
	return err
}

// Rename renames (moves) from to to (RNFR, RNTO). Whether an existing to
// is replaced is up to the server; most do replace files.
func (c *Client) Rename(ctx context.Context, from, to string) error {
	err := c.do(ctx, false, func(conn *Conn) error { return conn.Rename(ctx, from, to) })
	if err != nil {
		return &fs.PathError{Op: "rename", Path: from, Err: err}
	}
	return nil
}

// Mkdir creates the directory name (MKD).
func (c *Client) Mkdir(ctx context.Context, name string) error {
	err := c.do(ctx, false, func(conn *Conn) error {
		_, err := conn.MakeDir(ctx, name)
		return err
	})
	if err != nil {
		return &fs.PathError{Op: "mkdir", Path: name, Err: err}
	}
	return nil
}

// MkdirAll creates the directory name and any parents it needs. A
// directory that exists already is not an error; a file in the way is.
func (c *Client) MkdirAll(ctx context.Context, name string) error {
	err := c.do(ctx, false, func(conn *Conn) error { return mkdirAll(ctx, conn, name) })
	if err != nil {
		return &fs.PathError{Op: "mkdir", Path: name, Err: err}
	}
	return nil
}

func mkdirAll(ctx context.Context, conn *Conn, name string) error {
	fi, err := stat(ctx, conn, name)
	if err == nil {
		if fi.IsDir() {
			return nil
		}
		return fmt.Errorf("ftp: %s: %w", name, errNotDir) // MkdirAll adds the PathError
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if parent := path.Dir(name); parent != name && parent != "." && parent != "/" {
		if err := mkdirAll(ctx, conn, parent); err != nil {
			return err
		}
	}
	_, err = conn.MakeDir(ctx, name)
	if err != nil {
		// Made by someone else meanwhile?
		if fi, serr := stat(ctx, conn, name); serr == nil && fi.IsDir() {
			return nil
		}
	}
	return err
}

var errNotDir = errors.New("a file is in the way: not a directory")

// SetModTime sets the modification time of name (MFMT), to the second.
func (c *Client) SetModTime(ctx context.Context, name string, t time.Time) error {
	err := c.do(ctx, true, func(conn *Conn) error { return conn.SetModTime(ctx, name, t) })
	if err != nil {
		return &fs.PathError{Op: "setmodtime", Path: name, Err: err}
	}
	return nil
}

// Hash asks the server for a checksum of name; see Conn.Hash for how algo
// is chosen and what is returned.
func (c *Client) Hash(ctx context.Context, name, algo string) (usedAlgo, sum string, err error) {
	err = c.do(ctx, true, func(conn *Conn) error {
		var err error
		usedAlgo, sum, err = conn.Hash(ctx, name, algo)
		return err
	})
	if err != nil {
		return "", "", &fs.PathError{Op: "hash", Path: name, Err: err}
	}
	return usedAlgo, sum, nil
}
