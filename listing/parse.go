package listing

import (
	"errors"
	"strings"
)

// Parse parses a whole listing. With opts.Format Auto it first picks the
// format with [Detect], and with opts.DateOrder DateAuto it picks the
// order of numeric dates that makes the most of them valid. It returns
// the entries in listing order and one *LineError per line that should
// have been an entry but could not be read.
func Parse(lines []string, opts Options) ([]Entry, []*LineError) {
	if opts.Format == Auto {
		opts.Format = Detect(lines, opts.SystHint)
	}
	p := NewParser(opts)
	if opts.DateOrder == DateAuto {
		p.order = guessDateOrder(lines, opts.Format)
	}
	entries := make([]Entry, 0, len(lines))
	var errs []*LineError
	lastEntry := 0 // the line number of the last entry, if it came from one line
	for i, l := range lines {
		e, ok, err := p.Feed(l)
		if err != nil {
			le := err.(*LineError)
			if lastEntry > 0 && lastEntry == i && le.Line == i+1 && brokenName(p.format, le) {
				// A name with a line break in it: the entry before holds
				// only the name's first line, so it is not an entry
				// either. Wrong names are worse than unreadable lines.
				prev := entries[len(entries)-1]
				entries = entries[:len(entries)-1]
				errs = append(errs, &LineError{Line: i, Raw: prev.Raw, Format: p.format, Err: errNameGoesOn})
			}
			errs = append(errs, le)
		}
		lastEntry = 0
		if ok {
			entries = append(entries, e)
			if e.Raw == l {
				lastEntry = i + 1
			}
		}
	}
	if err := p.Close(); err != nil {
		errs = append(errs, err.(*LineError))
	}
	return entries, errs
}

// brokenName reports whether a line that could not be read looks like the
// rest of the previous line's name, cut by a line break in the name: in a
// format whose name ends the line, a line that does not even start like an
// entry.
func brokenName(f Format, le *LineError) bool {
	if f != Unix || !errors.Is(le.Err, ErrSyntax) || le.Raw == "" {
		return false
	}
	if strings.ContainsRune("-dlcbpsDn", rune(le.Raw[0])) {
		return false
	}
	// A mode column with a type letter no parser knows is a bad entry,
	// not the rest of a name.
	if len(le.Raw) > 10 && le.Raw[10] == ' ' && strings.Trim(le.Raw[1:10], "rwxsStTlL-") == "" {
		return false
	}
	return true
}

// ParseLine parses a single line in format f (which must not be Auto and,
// for VMS, must be a complete record on one line). Relative dates are
// resolved against opts.Now in opts.Location; opts.Format is ignored.
func ParseLine(line string, f Format, opts Options) (Entry, error) {
	if f == Auto || f >= numFormats {
		return Entry{}, &LineError{Line: 1, Raw: line, Format: f, Err: ErrNoFormat}
	}
	opts.Format = f
	p := NewParser(opts)
	e, ok, err := p.Feed(line)
	if err != nil {
		return Entry{}, err
	}
	if !ok {
		if err := p.Close(); err != nil {
			return Entry{}, err
		}
		return Entry{}, &LineError{Line: 1, Raw: line, Format: f, Err: errSyntaxNotAnEntry}
	}
	return e, nil
}

// ParseMLST parses the entry line of an MLST reply (RFC 3659 section 7.2):
// the line between "250-" and "250 ", which starts with one space. Lines
// indented by two spaces or none, which some servers send, are accepted
// too; the name may be a full path.
func ParseMLST(line string) (Entry, error) {
	s := line
	if strings.HasPrefix(s, " ") {
		s = s[1:]
		// A second space followed by facts is a server's extra
		// indentation; a second space followed by no facts is the name.
		if strings.HasPrefix(s, " ") && looksLikeFacts(s[1:]) {
			s = s[1:]
		}
	}
	e, err := ParseLine(s, MLSx, Options{})
	if err != nil {
		if le, ok := err.(*LineError); ok {
			le.Raw = line
		}
		return Entry{}, err
	}
	e.Raw = line
	return e, nil
}
