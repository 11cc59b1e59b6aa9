package listing

import (
	"errors"
	"strconv"
)

// Errors wrapped by [LineError.Err], to be tested with errors.Is.
var (
	// ErrNoFormat means no parser recognises the listing (or the line, for
	// a parser still detecting its format).
	ErrNoFormat = errors.New("listing: no known listing format")
	// ErrSyntax means the line does not have the layout of its format.
	ErrSyntax = errors.New("listing: malformed line")
	// ErrTime means the date or time of the line is invalid.
	ErrTime = errors.New("listing: invalid date or time")
	// ErrSize means the size is not a number or does not fit an int64.
	ErrSize = errors.New("listing: invalid size")
	// ErrName means the name is empty or contains a byte the format does
	// not allow (NUL anywhere, "/" outside MLSx and IBM i).
	ErrName = errors.New("listing: invalid name")
	// ErrFacts means an MLSx fact list is malformed.
	ErrFacts = errors.New("listing: invalid MLSx facts")
	// ErrServer means the server printed an error message where an entry
	// should be (an OpenVMS "%RMS-E-PRV, insufficient privilege…" line):
	// some object exists but the listing cannot describe it.
	ErrServer = errors.New("listing: server error in place of an entry")
	// ErrTruncated means a record wrapped over several lines (VMS) ended
	// with the listing.
	ErrTruncated = errors.New("listing: record cut off at end of listing")
)

// LineError reports a line that should have been an entry but could not
// be read. The rest of the listing is still parsed.
type LineError struct {
	Line   int    // 1-based line number within the listing
	Raw    string // the line as received
	Format Format // the format the line was read as
	Err    error  // wraps one of the Err* values
}

// Error returns a message naming the line number, the format, the cause and
// the quoted line.
func (e *LineError) Error() string {
	return "listing: line " + strconv.Itoa(e.Line) + " (" + e.Format.String() + "): " +
		trimPrefix(e.Err.Error()) + ": " + strconv.Quote(e.Raw)
}

// Unwrap returns the cause.
func (e *LineError) Unwrap() error { return e.Err }

func trimPrefix(s string) string {
	const p = "listing: "
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// detail attaches a short explanation to one of the Err* values without
// losing errors.Is.
type detail struct {
	kind error
	msg  string
}

func (d *detail) Error() string { return d.kind.Error() + " (" + d.msg + ")" }
func (d *detail) Unwrap() error { return d.kind }

func errorf(kind error, msg string) error { return &detail{kind, msg} }
