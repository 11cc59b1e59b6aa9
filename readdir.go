package ftp

import (
	"context"
	"fmt"
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
// Dialer.DisableMLSD is set, and LIST otherwise or when the server refuses
// MLSD (500, 502, 504); that refusal is remembered. LIST output is parsed by
// package listing, which detects the format (Unix, DOS/IIS, VMS, MVS, ...)
// with the SYST reply as a hint and reads times in Dialer.ServerLocation.
//
// Lines that should be entries but cannot be read are returned as a
// *ListingError along with all the entries that could be.
func (c *Conn) ReadDir(ctx context.Context, dir string) ([]listing.Entry, error) {
	if c.useMLSD(ctx) {
		entries, err := c.MachineList(ctx, dir)
		if err == nil || !isSyntaxRefusal(err) {
			return dropSelf(entries), err
		}
		c.noMLSD = true
	}
	var lines []string
	var err error
	if c.d.ListHidden && !c.noListA {
		// "-a" is read as ls options by vsftpd, ProFTPD and Pure-FTPd;
		// pyftpdlib takes it for part of the path and answers 550. A
		// refusal is retried without it, and if that works, "-a" is not
		// sent again on this connection.
		lines, err = c.listLines(ctx, "LIST", strings.TrimSpace("-a "+safeListPath(dir)))
		var fe *Error
		if asError(err, &fe) && fe.Permanent() {
			if lines, err = c.listLines(ctx, "LIST", safeListPath(dir)); err == nil {
				c.noListA = true
			}
		}
	} else {
		lines, err = c.listLines(ctx, "LIST", safeListPath(dir))
	}
	if err != nil {
		return nil, err
	}
	syst := c.systHint(ctx)
	entries, lerrs := listing.Parse(lines, listing.Options{SystHint: syst, Location: c.d.ServerLocation})
	entries = dropSelf(entries)
	if len(lerrs) > 0 {
		return entries, &ListingError{Dir: dir, Lines: lerrs}
	}
	return entries, nil
}

// safeListPath keeps a path starting with "-" from being read as options
// of ls by servers that pass LIST arguments to it.
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
	f, err := c.Features(ctx)
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
