package ftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/ferryftp/ftp/listing"
)

// ListingError reports the lines of a listing that should have been entries
// but could not be read. ReadDir returns it together with every entry it
// could read: a line is never dropped silently.
type ListingError struct {
	Dir   string
	Lines []*listing.LineError
}

func (e *ListingError) Error() string {
	if len(e.Lines) == 1 {
		return fmt.Sprintf("ftp: listing %q: %v", e.Dir, e.Lines[0])
	}
	return fmt.Sprintf("ftp: listing %q: %d unreadable lines, the first: %v", e.Dir, len(e.Lines), e.Lines[0])
}

// Unwrap returns the line errors, for errors.Is and errors.As.
func (e *ListingError) Unwrap() []error {
	errs := make([]error, len(e.Lines))
	for i, l := range e.Lines {
		errs[i] = l
	}
	return errs
}

// ReadDir lists dir (the working directory if empty) and returns its
// entries, without "." and "..". It uses MLSD (RFC 3659: exact, machine
// readable facts) when the server lists MLST in FEAT, unless
// Dialer.DisableMLSD is set, and LIST otherwise. LIST output is parsed by
// package listing, which detects the format (Unix, DOS/IIS, VMS, MVS, ...)
// with the SYST reply as a hint and reads times in Dialer.ServerLocation.
//
// A refusal of MLSD that means the server lacks the command (500, 502, 504) makes the
// Conn use LIST from then on. Any other refusal is about this directory
// (pyftpdlib answers "501 No such directory."; some servers "550 MLSD not
// permitted" and list fine with LIST): LIST is tried for this call only,
// and if it fails too the error carries both replies, and matches
// fs.ErrNotExist when they say so.
//
// Some servers (vsftpd, Pure-FTPd) answer LIST or MLSD of a missing
// directory, or of a file's path, with an empty listing and 226. When the
// listing comes back empty, one more command (MLST where offered, else
// STAT) tells an empty directory from no directory, which is an error
// matching fs.ErrNotExist.
//
// Lines that should be entries but cannot be read are returned as a
// *ListingError along with all the entries that could be.
func (c *Conn) ReadDir(ctx context.Context, dir string) ([]listing.Entry, error) {
	var mlsdErr error
	if c.useMLSD(ctx) {
		entries, err := c.MachineList(ctx, dir)
		switch {
		case err == nil && len(entries) == 0:
			// Not even a cdir entry: Pure-FTPd lists a missing
			// directory so.
			if err := c.confirmDir(ctx, dir); err != nil {
				return nil, err
			}
			return entries, nil
		case err == nil, c.usable() != nil:
			return dropSelf(entries), err
		case unsupported(err):
			c.noMLSD = true
			c.traceFallback(ctx, "MLSD", "LIST", true, err)
		case isPermanent(err):
			mlsdErr = err
			c.traceFallback(ctx, "MLSD", "LIST", false, err)
		default:
			return dropSelf(entries), err
		}
	}
	lines, err := c.listDir(ctx, dir)
	if err != nil {
		return nil, joinErrors(mlsdErr, err)
	}
	if len(lines) == 0 {
		if err := c.confirmDir(ctx, dir); err != nil {
			return nil, joinErrors(mlsdErr, err)
		}
	}
	nameEchoedPath(lines, safeListPath(dir))
	syst := c.systHint(ctx)
	entries, lerrs := listing.Parse(lines, listing.Options{SystHint: syst, Location: c.d.ServerLocation})
	entries = dropSelf(entries)
	if len(lerrs) > 0 {
		return entries, &ListingError{Dir: dir, Lines: lerrs}
	}
	return entries, nil
}

// listDir runs LIST for ReadDir, with "-a" under Dialer.ListHidden. "-a"
// is read as ls options by vsftpd, ProFTPD and Pure-FTPd; pyftpdlib takes
// it for part of the path and answers 550. A refusal of "LIST -a" is
// retried without it; a refusal that means the option is not understood
// (500-504) is remembered, one about the path (550) is not.
func (c *Conn) listDir(ctx context.Context, dir string) ([]string, error) {
	if !c.d.ListHidden || c.noListA {
		return c.listLines(ctx, "LIST", safeListPath(dir))
	}
	lines, err := c.listLines(ctx, "LIST", strings.TrimSpace("-a "+safeListPath(dir)))
	if err == nil || c.usable() != nil || !isPermanent(err) {
		return lines, err
	}
	remember := isSyntaxRefusal(err)
	c.traceFallback(ctx, "LIST -a", "LIST", remember, err)
	lines, err = c.listLines(ctx, "LIST", safeListPath(dir))
	if err == nil && remember {
		c.noListA = true
	}
	return lines, err
}

// isPermanent reports a 5xx refusal, vsftpd's "500 OOPS" aside.
func isPermanent(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Permanent() && !fe.serverFailure()
}

// notDirError is ReadDir's error for a path that the server listed as
// empty and that a second look found not to be a directory.
type notDirError struct {
	dir, why string
}

func (e *notDirError) Error() string {
	return fmt.Sprintf("ftp: ReadDir %q: not a directory: the server listed nothing, and %s", e.dir, e.why)
}

// Is matches fs.ErrNotExist.
func (e *notDirError) Is(target error) bool { return target == fs.ErrNotExist }

// confirmDir checks, after an empty LIST, that dir is a directory: with
// MLST where the server offers it, else with STAT. RFC 959 answers STAT of
// a directory with 212 and of a file with 213; vsftpd answers 213 either
// way, with the directory's "." and ".." entries, and a 213 with nothing
// for a missing path. A refusal that says the path does not exist is
// returned; an answer that cannot tell is taken for an empty directory.
func (c *Conn) confirmDir(ctx context.Context, dir string) error {
	if dir == "" || dir == "." {
		return nil // the working directory exists
	}
	if c.useMLST(ctx) {
		e, err := c.MachineStat(ctx, dir)
		switch {
		case err == nil && e.Type == listing.File:
			return &notDirError{dir: dir, why: "MLST says it is a file"}
		case errors.Is(err, fs.ErrNotExist), c.usable() != nil:
			return err
		}
		return nil // a directory, or no answer that can tell
	}
	r, err := c.cmd(ctx, 2, "STAT", safeListPath(dir))
	switch {
	case errors.Is(err, fs.ErrNotExist), c.usable() != nil:
		return err
	case err == nil && r.Code == 213 && len(r.Lines) <= 2:
		return &notDirError{dir: dir, why: "STAT shows nothing there"}
	}
	return nil // a directory, or no answer that can tell
}

// safeListPath keeps a path starting with "-" from being read as options
// of ls by servers that pass LIST arguments to it.
// nameEchoedPath renames, in the LIST output of a file's path, the entry
// named by that path to the file's own name. ProFTPD and Pure-FTPd name
// the file as it was asked for ("dir/f.txt", "./-f.txt"), as ls does, and
// the listing parser refuses "/" in a name (a mirror would write outside
// its directory). No entry of a directory's listing can end in " " and a
// path with "/", so only the echoed path is touched.
func nameEchoedPath(lines []string, arg string) {
	if !strings.Contains(strings.TrimSuffix(arg, "/"), "/") {
		return
	}
	for i, l := range lines {
		if strings.HasSuffix(l, " "+arg) {
			lines[i] = l[:len(l)-len(arg)] + path.Base(arg)
		}
	}
}

func safeListPath(p string) string {
	if strings.HasPrefix(p, "-") {
		return "./" + p
	}
	return p
}

func (c *Conn) useMLSD(ctx context.Context) bool {
	if c.noMLSD || c.d.DisableMLSD {
		return false
	}
	f, err := c.features(ctx)
	return err == nil && f.Has("MLST")
}

// systHint returns the SYST reply text, asked once; "" if refused.
func (c *Conn) systHint(ctx context.Context) string {
	if c.syst == nil {
		s, err := c.System(ctx)
		if err != nil {
			s = ""
		}
		c.syst = &s
	}
	return *c.syst
}

func dropSelf(entries []listing.Entry) []listing.Entry {
	out := entries[:0]
	for _, e := range entries {
		if e.IsCurrentDir() || e.IsParentDir() || e.Name == "." || e.Name == ".." {
			continue
		}
		out = append(out, e)
	}
	return out
}

// MachineList lists dir with MLSD (RFC 3659) and returns every entry as the
// server sent it, the "cdir" and "pdir" entries included (ReadDir drops
// them). Entry.Fact reads the facts, whose names are compared without regard
// to case; Entry.Raw keeps the line.
func (c *Conn) MachineList(ctx context.Context, dir string) ([]listing.Entry, error) {
	lines, err := c.listLines(ctx, "MLSD", dir)
	if err != nil {
		return nil, err
	}
	entries, lerrs := listing.Parse(lines, listing.Options{Format: listing.MLSx})
	if len(lerrs) > 0 {
		return entries, &ListingError{Dir: dir, Lines: lerrs}
	}
	return entries, nil
}

// MachineStat returns the facts of one file or directory (MLST, RFC 3659).
// The entry's Name is the path as the server gives it.
func (c *Conn) MachineStat(ctx context.Context, path string) (listing.Entry, error) {
	r, err := c.cmd(ctx, 2, "MLST", path)
	if err != nil {
		return listing.Entry{}, err
	}
	// The facts line is the one between "250-" and "250 ".
	for _, line := range r.Lines[1:] {
		if atoi3(line) == r.Code && len(line) >= 4 && (line[3] == ' ' || line[3] == '-') {
			continue
		}
		e, err := listing.ParseMLST(line)
		if err != nil {
			return listing.Entry{}, &ProtocolError{Cmd: "MLST " + path, Msg: "unreadable facts: " + err.Error(), Line: clip(line)}
		}
		return e, nil
	}
	return listing.Entry{}, &ProtocolError{Cmd: "MLST " + path, Msg: "reply without facts", Line: clip(r.firstLine())}
}
