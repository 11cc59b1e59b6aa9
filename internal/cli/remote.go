package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

// parseRemote parses a command's URL argument. In the shell, an argument
// that is not a URL is a path on the shell's server, relative to its
// working directory.
func (a *app) parseRemote(arg string) (*Location, error) {
	if a.sh != nil && !IsURL(arg) {
		if strings.ContainsAny(arg, "\r\n\x00") {
			return nil, usageErrorf("%q contains CR, LF or NUL", arg)
		}
		loc := *a.sh.base
		loc.Type = 0
		loc.DirSlash = strings.HasSuffix(arg, "/")
		loc.Path = arg
		if arg != "/" {
			loc.Path = strings.TrimSuffix(arg, "/")
		}
		return &loc, nil
	}
	if arg == "" {
		return nil, usageErrorf("give a URL (ftp://host/path or ftps://host/path)")
	}
	if !strings.Contains(arg, "://") {
		return nil, usageErrorf("%q is not an ftp:// or ftps:// URL", MaskURL(arg))
	}
	return ParseURL(arg)
}

// remoteJoin joins a remote directory and a relative path; an empty
// directory is the login directory.
func remoteJoin(dir, rel string) string {
	if dir == "" || dir == "." {
		return rel
	}
	if rel == "" {
		return dir
	}
	return strings.TrimSuffix(dir, "/") + "/" + rel
}

// remoteBase is the last element of a remote path.
func remoteBase(p string) string {
	p = strings.TrimRight(p, "/")
	if p == "" {
		return ""
	}
	return path.Base(p)
}

// checkName refuses a name from a server listing that could lead outside
// the directory it was listed in when used as a local path component.
func checkName(dir, name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") ||
		strings.ContainsAny(name, "\r\n") {
		return &unsafeNameError{Dir: dir, Name: name}
	}
	return nil
}

// statRemote returns the type, size and time of one remote path: MLST
// when the server offers it, else SIZE and MDTM for files and CWD to
// recognise directories.
func statRemote(ctx context.Context, c *ftp.Conn, p string) (listing.Entry, error) {
	name := remoteBase(p)
	if name == "" {
		name = "."
	}
	if feats, err := c.Features(ctx); err == nil && feats.Has("MLST") {
		e, err := c.MachineStat(ctx, p)
		if err == nil {
			e.Name = name
			return e, nil
		}
		if !isRefusedCommand(err) {
			return e, err
		}
	}
	e := listing.Entry{Name: name, Size: -1}
	size, sizeErr := c.Size(ctx, p)
	if sizeErr == nil {
		e.Type = listing.File
		e.Size = size
		if t, err := c.ModTime(ctx, p); err == nil {
			e.ModTime = t
			e.Precision = listing.PrecisionSecond
		} else if !isServerReply(err) {
			return e, err
		}
		return e, nil
	}
	if !isServerReply(sizeErr) {
		return e, sizeErr
	}
	cwd, err := c.CurrentDir(ctx)
	if err != nil {
		return e, err
	}
	if err := c.ChangeDir(ctx, p); err != nil {
		if isServerReply(err) {
			return e, sizeErr
		}
		return e, err
	}
	if err := c.ChangeDir(ctx, cwd); err != nil {
		return e, err
	}
	e.Type = listing.Dir
	return e, nil
}

// statIsDir reports whether p is known to be a directory, asking the
// server; for advice after a refusal.
func (s *session) statIsDir(ctx context.Context, p string) bool {
	var e listing.Entry
	err := s.do(ctx, func(c *ftp.Conn, _ int) error {
		var err error
		e, err = statRemote(ctx, c, p)
		return err
	})
	return err == nil && e.Type == listing.Dir
}

// isRefusedCommand reports a server that does not know a command.
func isRefusedCommand(err error) bool {
	var fe *ftp.Error
	return errors.As(err, &fe) && (fe.Code == 500 || fe.Code == 502 || fe.Code == 504)
}

// isNotExist reports a server saying a path does not exist.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// printable quotes a name that holds control characters, so a server
// cannot send escape sequences to the terminal through it.
func printable(s string) string {
	for _, r := range s {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return strconv.Quote(s)
		}
	}
	return s
}

// formatTime renders a listing time at the precision the server gave.
func formatTime(t time.Time, p listing.Precision) string {
	if t.IsZero() || p == listing.PrecisionNone {
		return fmt.Sprintf("%-16s", "-")
	}
	t = t.Local()
	if p == listing.PrecisionDay {
		return t.Format("2006-01-02      ")
	}
	return t.Format("2006-01-02 15:04")
}

// displayPath shows the login directory as ".".
func displayPath(p string) string {
	if p == "" {
		return "."
	}
	return p
}
