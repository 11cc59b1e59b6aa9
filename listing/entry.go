package listing

import (
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// Type is the kind of object an entry describes.
type Type uint8

// Entry types. Anything that is neither a regular file, a directory nor a
// symbolic link (devices, pipes, sockets, IBM i program objects, JES jobs
// with no data) is Other.
const (
	File Type = iota
	Dir
	Link
	Other
)

// String returns "file", "dir", "link" or "other".
func (t Type) String() string {
	switch t {
	case File:
		return "file"
	case Dir:
		return "dir"
	case Link:
		return "link"
	case Other:
		return "other"
	}
	return "Type(" + strconv.FormatInt(int64(t), 10) + ")"
}

// Precision says which part of [Entry.ModTime] the server sent. Finer parts
// are zero and must not be compared.
type Precision uint8

// Time precisions, from none (ModTime is the zero time) to sub-second
// (MLSx "modify" facts with a fraction).
const (
	PrecisionNone Precision = iota
	PrecisionDay
	PrecisionMinute
	PrecisionSecond
	PrecisionSubsecond
)

// String returns "none", "day", "minute", "second" or "subsecond".
func (p Precision) String() string {
	switch p {
	case PrecisionNone:
		return "none"
	case PrecisionDay:
		return "day"
	case PrecisionMinute:
		return "minute"
	case PrecisionSecond:
		return "second"
	case PrecisionSubsecond:
		return "subsecond"
	}
	return "Precision(" + strconv.FormatInt(int64(p), 10) + ")"
}

// Truncate cuts t down to the precision p, so that two times read from
// listings of different precision can be compared.
func (p Precision) Truncate(t time.Time) time.Time {
	switch p {
	case PrecisionNone:
		return time.Time{}
	case PrecisionDay:
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	case PrecisionMinute:
		return t.Truncate(time.Minute)
	case PrecisionSecond:
		return t.Truncate(time.Second)
	}
	return t
}

// Entry is one object of a directory listing.
//
// Every string field is a substring of the line it came from, so an entry
// costs no allocation and keeps its line alive. (The one exception: a
// VM/CMS file's Name joins its file name and type with a dot.)
type Entry struct {
	// Name is the object's name exactly as the server sent it (bytes, not
	// necessarily UTF-8), to be sent back unchanged. VMS directories lose
	// their ".DIR;N" suffix and IBM i directories their trailing "/";
	// VMS files keep their ";N" version.
	Name string
	// Type is the kind of object.
	Type Type
	// Size is the size in bytes, or -1 when the listing does not give it
	// (directories in DOS listings, devices, MVS datasets) or gives a
	// number past int64 (2^64-1 stands for "unknown" on some servers).
	// VMS sizes count blocks of 512 bytes, so they are rounded up.
	Size int64
	// ModTime is the modification time, the zero time when unknown.
	ModTime time.Time
	// Precision is how much of ModTime the listing gave.
	Precision Precision
	// Target is a symbolic link's target when the listing shows it.
	Target string
	// Mode holds the type bits (fs.ModeDir, fs.ModeSymlink, device bits…)
	// and, when PermKnown, the permission bits including setuid, setgid
	// and sticky.
	Mode fs.FileMode
	// PermKnown reports whether Mode's permission bits come from the
	// listing.
	PermKnown bool
	// Owner and Group are the owner and group as listed (names or
	// numbers), empty when the format has none.
	Owner, Group string
	// Dir is the directory heading the section this entry came from in a
	// recursive ("ls -lR") listing, or the directory an OpenVMS listing's
	// header names ("USER1:[TEMP]", as printed), empty otherwise. It is
	// context: Name is never prefixed with it.
	Dir string
	// Raw is the listing line (for a VMS entry wrapped over two lines, both
	// lines joined by "\n").
	Raw string

	facts string // MLSx facts, "name=value;" repeated
}

// Fact returns the value of the MLSx fact name, compared without regard
// to case, and whether the entry has it. Entries from other formats have
// no facts.
func (e *Entry) Fact(name string) (string, bool) {
	f := e.facts
	for f != "" {
		var fact string
		fact, f = nextFact(f)
		eq := strings.IndexByte(fact, '=')
		if eq < 0 {
			continue
		}
		if strings.EqualFold(fact[:eq], name) {
			return fact[eq+1:], true
		}
	}
	return "", false
}

// Facts returns the entry's MLSx facts as a new map with lower-case names,
// or nil for entries of other formats.
func (e *Entry) Facts() map[string]string {
	if e.facts == "" {
		return nil
	}
	m := make(map[string]string, strings.Count(e.facts, ";")+1)
	f := e.facts
	for f != "" {
		var fact string
		fact, f = nextFact(f)
		if eq := strings.IndexByte(fact, '='); eq >= 0 {
			m[strings.ToLower(fact[:eq])] = fact[eq+1:]
		}
	}
	return m
}

// IsCurrentDir reports whether the entry stands for the listed directory
// itself (MLSx type=cdir, or a "." entry) rather than a member of it.
func (e *Entry) IsCurrentDir() bool {
	if t, ok := e.Fact("type"); ok {
		return strings.EqualFold(t, "cdir")
	}
	return e.Name == "." && e.Type == Dir
}

// IsParentDir reports whether the entry stands for a parent directory
// (MLSx type=pdir, or a ".." entry) rather than a member of the listing.
func (e *Entry) IsParentDir() bool {
	if t, ok := e.Fact("type"); ok {
		return strings.EqualFold(t, "pdir")
	}
	return e.Name == ".." && e.Type == Dir
}

// typeMode returns the fs.FileMode type bits of t.
func typeMode(t Type) fs.FileMode {
	switch t {
	case Dir:
		return fs.ModeDir
	case Link:
		return fs.ModeSymlink
	case Other:
		return fs.ModeIrregular
	}
	return 0
}

// nextFact splits the first "name=value" off a facts string
// ("name=value;" repeated), returning it and the rest.
func nextFact(f string) (fact, rest string) {
	if i := strings.IndexByte(f, ';'); i >= 0 {
		return f[:i], f[i+1:]
	}
	return f, ""
}
