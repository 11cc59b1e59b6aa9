package ftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/ferryftp/ftp/listing"
)

// ErrUnsafeName is the reason a *RemoveAllError gives for an entry whose
// listed name is not one path element ("", ".", "..", or holding "/", NUL,
// CR or LF): joined to its directory's path it would name something else,
// so it is left alone.
var ErrUnsafeName = errors.New("ftp: listed name is not a single path element")

// maxRemoveDepth is how deep RemoveAll goes below its root; a deeper tree
// is taken for a server that keeps listing the same directory under new
// names. (A variable for tests.)
var maxRemoveDepth = 512

// RemoveAll removes name and everything under it, as os.RemoveAll does: a
// name that does not exist is not an error, and a symbolic link is removed,
// not followed. An empty name, the root and names ending in "." or ".."
// are refused.
//
// It removes what it can and goes on past what it cannot: the error is
// then a *RemoveAllError that lists each path left and why (the
// directories holding them stay too, and are not listed). Entries with
// unsafe names (ErrUnsafeName) are left, as are directories that would
// make the walk go round: one whose MLSD "unique" fact is that of a
// directory above it, one listed exactly as the directory above it was
// (a server that ignores the path it is asked to list), and anything
// deeper than 512 levels (ErrLoop). A failure of the connection or the
// context ends it at once.
//
// A directory is first removed with DELE, which removes a symbolic link
// that the server lists as the directory it points to (pyftpdlib's MLSD,
// ProFTPD's by default) without touching what it points to; servers refuse
// DELE for a real directory, which is then emptied and removed with RMD.
// Everything happens on one connection, one command at a time.
func (c *Client) RemoveAll(ctx context.Context, name string) error {
	if name == "" || path.Clean(name) == "/" || endsWithDot(name) {
		return &fs.PathError{Op: "removeall", Path: name, Err: fs.ErrInvalid}
	}
	var left []*fs.PathError
	err := c.do(ctx, true, func(conn *Conn) error {
		fi, err := stat(ctx, conn, name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		r := &remover{ctx: ctx, conn: conn}
		if fi.IsDir() {
			e, _ := fi.Sys().(*listing.Entry)
			err = r.dir(name, e, nil, nil, 0)
		} else {
			err = r.file(name)
		}
		left = r.left
		return err
	})
	switch {
	case err != nil:
		return &fs.PathError{Op: "removeall", Path: name, Err: err}
	case len(left) > 0:
		return &RemoveAllError{Path: name, Left: left}
	}
	return nil
}

// endsWithDot reports a path whose last element is "." or "..": the
// directory it names depends on how the server resolves it (os.RemoveAll
// refuses "." too).
func endsWithDot(name string) bool {
	name = strings.TrimRight(name, "/")
	base := name[strings.LastIndexByte(name, '/')+1:]
	return base == "." || base == ".."
}

// RemoveAllError lists what Client.RemoveAll left behind: each path and
// why, in the order met. errors.Is and errors.As look into each.
type RemoveAllError struct {
	Path string          // the tree's root, as given
	Left []*fs.PathError // what could not be removed
}

func (e *RemoveAllError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ftp: removeall %s: %d left", e.Path, len(e.Left))
	for i, pe := range e.Left {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Left)-i)
			break
		}
		msg := strings.TrimPrefix(pe.Err.Error(), "ftp: ")
		if !strings.Contains(msg, pe.Path) {
			msg = pe.Path + ": " + msg
		}
		b.WriteString("; " + msg)
	}
	return b.String()
}

// Unwrap returns the failures, so that errors.Is(err, fs.ErrPermission)
// holds when a path was left for want of permission.
func (e *RemoveAllError) Unwrap() []error {
	out := make([]error, len(e.Left))
	for i, pe := range e.Left {
		out[i] = pe
	}
	return out
}

// remover is one RemoveAll walk.
type remover struct {
	ctx  context.Context
	conn *Conn
	left []*fs.PathError
}

// failed records a path left, or returns err when it is not about the
// path but about the connection or the context, which ends the walk. A
// path found gone meanwhile is not left.
func (r *remover) failed(op, p string, err error) error {
	if r.fatal(err) {
		return err
	}
	if r.gone(p) {
		return nil
	}
	if r.ctx.Err() != nil || r.conn.usable() != nil {
		return err // the check broke the connection
	}
	r.left = append(r.left, &fs.PathError{Op: op, Path: p, Err: err})
	return nil
}

// fatal reports an error that is not a refusal of one command on a
// connection still in step.
func (r *remover) fatal(err error) bool {
	var fe *Error
	return !errors.As(err, &fe) || r.conn.usable() != nil || r.ctx.Err() != nil
}

// gone reports whether p no longer exists. A refusal is not enough to
// tell: servers answer 550 for any failure ("550 Delete operation
// failed.", vsftpd), which reads as "no such file".
func (r *remover) gone(p string) bool {
	_, err := stat(r.ctx, r.conn, p)
	return errors.Is(err, fs.ErrNotExist)
}

// leave records a path left for a reason of RemoveAll's own.
func (r *remover) leave(op, p string, err error) {
	r.left = append(r.left, &fs.PathError{Op: op, Path: p, Err: err})
}

func (r *remover) file(p string) error {
	if err := r.conn.Delete(r.ctx, p); err != nil {
		return r.failed("remove", p, err)
	}
	return nil
}

// dir removes the directory p, described by e (nil if unknown), whose
// ancestors have the unique facts ids and whose parent's listing was
// parent.
func (r *remover) dir(p string, e *listing.Entry, ids []string, parent []string, depth int) error {
	n := len(r.left)
	if err := r.conn.Delete(r.ctx, p); err == nil {
		return nil // a link listed as the directory it points to
	} else if r.fatal(err) {
		return err
	}
	if id := uniqueFact(e); id != "" {
		if slices.Contains(ids, id) {
			r.leave("removeall", p, fmt.Errorf("%w through a symbolic link (unique=%s)", ErrLoop, id))
			return nil
		}
		ids = append(ids, id)
	}
	if depth >= maxRemoveDepth {
		r.leave("removeall", p, fmt.Errorf("%w: more than %d levels deep", ErrLoop, maxRemoveDepth))
		return nil
	}
	entries, err := r.conn.ReadDir(r.ctx, p)
	var le *ListingError
	switch {
	case errors.As(err, &le) && r.conn.usable() == nil:
		// The lines that could not be read name entries that stay.
		r.leave("readdir", p, err)
	case err != nil:
		return r.failed("readdir", p, err)
	}
	raw := rawLines(entries)
	if len(raw) > 0 && slices.Equal(raw, parent) {
		r.leave("removeall", p, fmt.Errorf("%w: the server lists it as it listed its parent", ErrLoop))
		return nil
	}
	for i := range entries {
		child := &entries[i]
		if !safeName(child.Name) {
			r.leave("removeall", p, fmt.Errorf("%w: %q", ErrUnsafeName, child.Name))
			continue
		}
		cp := path.Join(p, child.Name)
		if child.Type == listing.Dir {
			err = r.dir(cp, child, ids, raw, depth+1)
		} else {
			err = r.file(cp)
		}
		if err != nil {
			return err
		}
	}
	if len(r.left) > n {
		return nil // something inside stays, and so must p
	}
	if err := r.conn.RemoveDir(r.ctx, p); err != nil {
		return r.failed("rmdir", p, err)
	}
	return nil
}

// safeName reports a listed name that is one path element, and one that
// can be sent in a command.
func safeName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00\r\n")
}

// uniqueFact is the MLSx "unique" fact of e, or "".
func uniqueFact(e *listing.Entry) string {
	if e == nil {
		return ""
	}
	id, _ := e.Fact("unique")
	return id
}

// rawLines is a listing's lines, sorted, to compare two listings.
func rawLines(entries []listing.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Raw
	}
	slices.Sort(out)
	return out
}
