package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

type rmCmd struct {
	Recursive bool   `short:"r" help:"Remove a directory and everything in it."`
	URL       string `arg:"" name:"URL" help:"File (or, with -r, directory) to remove."`
}

func (cmd *rmCmd) run(ctx context.Context, a *app) error {
	loc, err := a.parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	if loc.Path == "" {
		return usageErrorf("rm needs a path, not the login directory")
	}
	if cmd.Recursive {
		return removeAll(ctx, a, loc)
	}
	s := a.newSession(loc, 0)
	defer s.close()
	return s.remove(ctx, loc.Path)
}

// removeAll removes a file or a whole tree (rm -r) with the Client's
// RemoveAll. Each path it could not remove is reported on a line of its
// own, and the status is the first one's.
func removeAll(ctx context.Context, a *app, loc *Location) error {
	if base := path.Base(strings.TrimRight(loc.Path, "/")); base == "." || base == ".." {
		return usageErrorf("rm -r %s: name the directory itself, not a path ending in . or ..", loc.Path)
	}
	a.inShell(loc)
	c, err := a.openClient(ctx, loc, 1)
	if err != nil {
		return err
	}
	defer a.closeClient(c)
	// A missing path is fine for RemoveAll, but rm says so.
	if _, err := c.Stat(ctx, loc.Path); err != nil {
		return &opError{Op: "rm", Path: loc.Path, Err: unwrapPathError(err)}
	}
	err = c.RemoveAll(ctx, loc.Path)
	var left *ftp.RemoveAllError
	if !errors.As(err, &left) {
		if err != nil {
			return &opError{Op: "rm", Path: loc.Path, Err: unwrapPathError(err)}
		}
		return nil
	}
	code := ExitOK
	for _, pe := range left.Left {
		if c := a.fail(&opError{Op: "rm", Path: pe.Path, Err: pe.Err}); code == ExitOK {
			code = c
		}
	}
	// One line that says the tree is not gone, after the reasons.
	what := "path"
	if len(left.Left) > 1 {
		what = "paths"
	}
	fmt.Fprintf(a.stderr, "ferry: rm -r %s: incomplete: %d %s could not be removed (above), nor the directories holding them\n", displayPath(loc.Path), len(left.Left), what)
	return &statusError{code: code}
}

// remove deletes a file.
func (s *session) remove(ctx context.Context, p string) error {
	err := s.do(ctx, func(c *ftp.Conn, _ int) error { return c.Delete(ctx, p) })
	if err != nil {
		if isServerReply(err) && s.isDir(ctx, p) {
			// DELE of a directory gets the reply of a missing file from
			// most servers (vsftpd: "550 Delete operation failed.").
			return usageErrorf("%s is a directory: use rm -r to remove it and everything in it, or rmdir if it is empty", p)
		}
		return &opError{Op: "rm", Path: p, Err: err}
	}
	return nil
}

// isDir reports whether p is known to be a directory on the server.
func (s *session) isDir(ctx context.Context, p string) bool {
	dir := false
	_ = s.do(ctx, func(c *ftp.Conn, _ int) error {
		e, err := statRemote(ctx, c, p)
		dir = err == nil && e.Type == listing.Dir
		return nil
	})
	return dir
}

type mkdirCmd struct {
	Parents bool   `short:"p" help:"Create parent directories as needed; no error if it exists."`
	URL     string `arg:"" name:"URL" help:"Directory to create."`
}

func (cmd *mkdirCmd) run(ctx context.Context, a *app) error {
	loc, err := a.parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	if loc.Path == "" {
		return usageErrorf("mkdir needs a path")
	}
	s := a.newSession(loc, 0)
	defer s.close()
	if cmd.Parents {
		return s.mkdirAll(ctx, loc.Path)
	}
	err = s.do(ctx, func(c *ftp.Conn, _ int) error {
		_, err := c.MakeDir(ctx, loc.Path)
		return err
	})
	if err != nil {
		if isServerReply(err) && !errors.Is(err, fs.ErrExist) && s.exists(ctx, loc.Path) {
			// Most servers do not say why MKD failed (vsftpd: "550
			// Create directory operation failed.").
			err = existsError{err}
		}
		return &opError{Op: "mkdir", Path: loc.Path, Err: err}
	}
	return nil
}

// existsError is a refusal to create a name found to exist.
type existsError struct{ error }

func (existsError) Is(target error) bool { return target == fs.ErrExist }
func (e existsError) Unwrap() error      { return e.error }

// exists reports whether p is known to exist on the server.
func (s *session) exists(ctx context.Context, p string) bool {
	found := false
	_ = s.do(ctx, func(c *ftp.Conn, _ int) error {
		_, err := statRemote(ctx, c, p)
		found = err == nil
		return nil
	})
	return found
}

// mkdirAll creates p and its missing parents. A refused MKD is fine when
// the directory turns out to exist.
func (s *session) mkdirAll(ctx context.Context, p string) error {
	prefix := ""
	if strings.HasPrefix(p, "/") {
		prefix = "/"
	}
	for _, part := range strings.Split(strings.Trim(p, "/"), "/") {
		if part == "" {
			continue
		}
		if prefix == "" || prefix == "/" {
			prefix += part
		} else {
			prefix += "/" + part
		}
		dir := prefix
		err := s.do(ctx, func(c *ftp.Conn, _ int) error {
			_, err := c.MakeDir(ctx, dir)
			if err == nil || !isServerReply(err) {
				return err
			}
			if e, serr := statRemote(ctx, c, dir); serr == nil && e.Type == listing.Dir {
				return nil
			}
			return err
		})
		if err != nil {
			return &opError{Op: "mkdir", Path: dir, Err: err}
		}
	}
	return nil
}

type rmdirCmd struct {
	URL string `arg:"" name:"URL" help:"Empty directory to remove."`
}

func (cmd *rmdirCmd) run(ctx context.Context, a *app) error {
	loc, err := a.parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	if loc.Path == "" {
		return usageErrorf("rmdir needs a path")
	}
	s := a.newSession(loc, 0)
	defer s.close()
	err = s.do(ctx, func(c *ftp.Conn, _ int) error { return c.RemoveDir(ctx, loc.Path) })
	if err != nil {
		return &opError{Op: "rmdir", Path: loc.Path, Err: err}
	}
	return nil
}

type mvCmd struct {
	URL     string `arg:"" name:"URL" help:"File or directory to rename."`
	NewPath string `arg:"" name:"NEWPATH" help:"New path on the same server (a path, or a URL of the same server)."`
}

func (cmd *mvCmd) run(ctx context.Context, a *app) error {
	loc, err := a.parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	to := cmd.NewPath
	if IsURL(to) {
		dst, err := ParseURL(to)
		if err != nil {
			return err
		}
		if dst.Host != loc.Host || a.addr(dst) != a.addr(loc) {
			return usageErrorf("mv renames on one server; %s is on another", dst)
		}
		to = dst.Path
	} else if strings.ContainsAny(to, "\r\n\x00") {
		return usageErrorf("NEWPATH contains CR, LF or NUL")
	}
	if loc.Path == "" || to == "" {
		return usageErrorf("mv needs two paths")
	}
	s := a.newSession(loc, 0)
	defer s.close()
	err = s.do(ctx, func(c *ftp.Conn, _ int) error { return c.Rename(ctx, loc.Path, to) })
	if err != nil {
		return &opError{Op: "mv", Path: loc.Path, Err: err}
	}
	return nil
}
