package ftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/ferryftp/ftp/listing"
)

// fileInfo is an fs.FileInfo and fs.DirEntry made from a listing entry.
type fileInfo struct {
	name string
	e    *listing.Entry
}

func newFileInfo(name string, e listing.Entry) *fileInfo {
	return &fileInfo{name: name, e: &e}
}

func (fi *fileInfo) Name() string { return fi.name }

// Size is the size in bytes; 0 for directories and when unknown.
func (fi *fileInfo) Size() int64 {
	if fi.e.Type == listing.Dir || fi.e.Size < 0 {
		return 0
	}
	return fi.e.Size
}

func (fi *fileInfo) Mode() fs.FileMode {
	m := fi.e.Mode
	switch fi.e.Type {
	case listing.Dir:
		m |= fs.ModeDir
	case listing.Link:
		m |= fs.ModeSymlink
	case listing.Other:
		if m.Type() == 0 {
			m |= fs.ModeIrregular
		}
	}
	if !fi.e.PermKnown {
		m &^= fs.ModePerm
		if fi.e.Type == listing.Dir {
			m |= 0o755
		} else {
			m |= 0o644
		}
	}
	return m
}

func (fi *fileInfo) ModTime() time.Time { return fi.e.ModTime }
func (fi *fileInfo) IsDir() bool        { return fi.e.Type == listing.Dir }

// Sys returns the *listing.Entry the information came from.
func (fi *fileInfo) Sys() any { return fi.e }

func (fi *fileInfo) Type() fs.FileMode          { return fi.Mode().Type() }
func (fi *fileInfo) Info() (fs.FileInfo, error) { return fi, nil }
func (fi *fileInfo) String() string             { return fs.FormatFileInfo(fi) }

// readDir lists name on conn, sorted by name.
func readDir(ctx context.Context, conn *Conn, name string) ([]fs.DirEntry, error) {
	entries, err := conn.ReadDir(ctx, name)
	out := make([]fs.DirEntry, 0, len(entries))
	var unusable []*listing.LineError
	for _, e := range entries {
		if e.Name == "" || strings.Contains(e.Name, "/") {
			// Not a name an fs.DirEntry can hold, nor one to join to a
			// path safely: reported like an unreadable line, never
			// dropped in silence.
			unusable = append(unusable, &listing.LineError{Raw: e.Raw, Err: fmt.Errorf("%w: %q is not a single path element", listing.ErrName, e.Name)})
			continue
		}
		out = append(out, newFileInfo(e.Name, e))
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	if len(unusable) > 0 {
		var le *ListingError
		switch {
		case errors.As(err, &le):
			le.Lines = append(le.Lines, unusable...)
		case err == nil:
			err = &ListingError{Dir: name, Lines: unusable}
		}
	}
	return out, err
}

// stat describes name using conn: MLST, else SIZE (and MDTM), else the
// parent's listing.
func stat(ctx context.Context, conn *Conn, name string) (fs.FileInfo, error) {
	base := statName(name)
	clean := path.Clean(name)
	if name == "" || clean == "." || clean == "/" {
		// No parent to look in, and the login directory and the root
		// are directories by definition.
		if conn.useMLST(ctx) {
			if e, err := conn.MachineStat(ctx, orDot(name)); err == nil {
				e.Name = base
				return newFileInfo(base, e), nil
			} else if conn.usable() != nil {
				return nil, err
			}
		}
		return newFileInfo(base, listing.Entry{Name: base, Type: listing.Dir, Size: -1}), nil
	}
	if conn.useMLST(ctx) {
		e, err := conn.MachineStat(ctx, name)
		if err == nil {
			e.Name = base
			return newFileInfo(base, e), nil
		}
		if !unsupported(err) {
			return nil, err
		}
		conn.noMLST = true
	}
	size, err := conn.Size(ctx, name)
	if err == nil {
		e := listing.Entry{Name: base, Type: listing.File, Size: size}
		if t, err := conn.ModTime(ctx, name); err == nil {
			e.ModTime, e.Precision = t, listing.PrecisionSecond
			if t.Nanosecond() != 0 {
				e.Precision = listing.PrecisionSubsecond
			}
		} else if conn.usable() != nil {
			return nil, err
		}
		return newFileInfo(base, e), nil
	}
	if conn.usable() != nil {
		return nil, err
	}
	// A directory, a file the server will not size, or nothing: the
	// parent's listing says which.
	parent := path.Dir(clean)
	entries, lerr := conn.ReadDir(ctx, parent)
	var le *ListingError
	if lerr != nil && !errors.As(lerr, &le) {
		return nil, lerr
	}
	for _, e := range entries {
		if e.Name == base {
			return newFileInfo(base, e), nil
		}
	}
	return nil, fmt.Errorf("ftp: %s: not in the listing of %s: %w", name, parent, fs.ErrNotExist)
}

func orDot(name string) string {
	if name == "" {
		return "."
	}
	return name
}

// statName is the Name of a FileInfo for name, as fs.Stat and os.Stat give
// it: the last element.
func statName(name string) string {
	if name == "" {
		return "."
	}
	return path.Base(name)
}

// useMLST reports whether stat should ask MLST.
func (c *Conn) useMLST(ctx context.Context) bool {
	if c.noMLST {
		return false
	}
	f, err := c.features(ctx)
	return err == nil && f.Has("MLST")
}
