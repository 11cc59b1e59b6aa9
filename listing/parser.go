package listing

import (
	"strings"
	"time"
)

// outcome is what a format parser made of a line.
type outcome uint8

const (
	gotEntry outcome = iota // *Entry filled in
	skipped                 // not an entry, by a documented rule
	held                    // kept until the next line (VMS wrapped names)
)

// parse reads one line into e with the parser of p.format. Each parser
// returns an error wrapping one of the Err* values when the line should be
// an entry but cannot be read. (A switch, not a table of functions, so that
// e does not escape to the heap.)
func (p *Parser) parse(line string, e *Entry) (outcome, error) {
	switch p.format {
	case MLSx:
		return parseMLSx(p, line, e)
	case Unix:
		return parseUnix(p, line, e)
	case DOS:
		return parseDOS(p, line, e)
	case EPLF:
		return parseEPLF(p, line, e)
	case VMS:
		return parseVMS(p, line, e)
	case MVS:
		return parseMVS(p, line, e)
	case OS400:
		return parseOS400(p, line, e)
	case OS2:
		return parseOS2(p, line, e)
	case NetWare:
		return parseNetWare(p, line, e)
	case NetPresenz:
		return parseNetPresenz(p, line, e)
	case CMS:
		return parseCMS(p, line, e)
	case Guardian:
		return parseGuardian(p, line, e)
	case OS9:
		return parseOS9(p, line, e)
	case VxWorks:
		return parseVxWorks(p, line, e)
	case WFFTP:
		return parseWFFTP(p, line, e)
	case VShell:
		return parseVShell(p, line, e)
	}
	return 0, ErrNoFormat
}

// Parser reads one listing line by line. It keeps the state some formats
// need across lines (VMS names wrapped onto a second line, "ls -lR"
// section headers, MVS column headers), so use a new Parser per listing.
// A Parser is not safe for concurrent use.
type Parser struct {
	opts   Options
	format Format
	now    time.Time
	loc    *time.Location
	// limit is the latest time a year-less date may mean (Now plus a day
	// of skew), limitYear its year in loc.
	limit     time.Time
	limitYear int
	order     DateOrder
	forced    bool // order given by the caller, not guessed
	line      int

	prevBlank bool // the previous line was blank
	badTime   bool // the line's local time does not exist (a DST gap)

	dir     string // Unix: heading of the current "ls -lR" section
	held    string // VMS: a name line waiting for the rest of its record
	heldAt  int    // VMS: line number of held
	mvsKind byte   // MVS: listing kind announced by a header ('d', 'm', 'j')
	weak    bool   // last entry is weak evidence of its format (see Detect)

	cut      *LineError // VMS: a held record that ended without its continuation
	deferred *LineError // a second error found by one Feed, returned by the next
}

// NewParser returns a parser for one listing. With opts.Format Auto, the
// first line some format reads as an entry fixes the format, with
// opts.SystHint breaking ties; [Parse] detects better, from many lines.
func NewParser(opts Options) *Parser {
	p := &Parser{opts: opts, format: opts.Format, order: opts.DateOrder, forced: opts.DateOrder != DateAuto}
	p.loc = opts.Location
	if p.loc == nil {
		p.loc = time.UTC
	}
	p.now = opts.Now
	if p.now.IsZero() {
		p.now = time.Now()
	}
	p.limit = p.now.Add(skew)
	p.limitYear = p.limit.In(p.loc).Year()
	return p
}

// Format returns the format in use: opts.Format, or the detected one, or
// Auto while no line has been recognised.
func (p *Parser) Format() Format { return p.format }

// Feed parses the next line of the listing, without its line terminator.
// It returns the entry and true when the line is (or completes) an entry;
// it returns false for a line skipped by rule or held until the next line
// completes it. Independently of that, err is a non-nil *LineError when a
// line that should be an entry cannot be read: usually this line, but it
// may be an earlier one (a VMS name line whose continuation never came),
// reported as soon as that is known.
func (p *Parser) Feed(line string) (e Entry, ok bool, err error) {
	p.line++
	e, ok, lerr := p.feed(line)
	first := p.deferred
	p.deferred = nil
	if p.cut != nil {
		first, p.cut = p.cut, nil
	}
	switch {
	case first != nil && lerr != nil:
		p.deferred = lerr
		return e, ok, first
	case first != nil:
		return e, ok, first
	case lerr != nil:
		return e, ok, lerr
	}
	return e, ok, nil
}

func (p *Parser) feed(line string) (Entry, bool, *LineError) {
	if p.format == Auto {
		if isBlank(line) {
			return Entry{}, false, nil
		}
		f := headerFormat(line)
		if f == Auto {
			f = p.detectLine(line)
		}
		if f == Auto {
			if isTotalLine(line) {
				return Entry{}, false, nil
			}
			return Entry{}, false, &LineError{Line: p.line, Raw: line, Format: Auto, Err: ErrNoFormat}
		}
		p.format = f
	}
	var e Entry
	p.weak = false
	p.badTime = false
	out, err := p.parse(line, &e)
	p.prevBlank = isBlank(line)
	if err != nil {
		at, raw := p.line, line
		if e.Raw != "" { // a wrapped record: report all of it
			raw, at = e.Raw, p.heldAt
		}
		return Entry{}, false, &LineError{Line: at, Raw: raw, Format: p.format, Err: err}
	}
	if out != gotEntry {
		return Entry{}, false, nil
	}
	if err := p.finish(&e, line); err != nil {
		at := p.line
		if e.Raw != line {
			at = p.heldAt
		}
		return Entry{}, false, &LineError{Line: at, Raw: e.Raw, Format: p.format, Err: err}
	}
	return e, true, nil
}

// Close ends the listing. It reports a record left incomplete by the end
// of the listing (a VMS name line with no continuation).
func (p *Parser) Close() error {
	if p.deferred != nil {
		d := p.deferred
		p.deferred = nil
		return d
	}
	if p.held != "" {
		h := p.held
		p.held = ""
		return &LineError{Line: p.heldAt, Raw: h, Format: p.format, Err: ErrTruncated}
	}
	return nil
}

// finish checks what every format must guarantee and fills the fields
// derived from the others.
func (p *Parser) finish(e *Entry, line string) error {
	if e.Raw == "" {
		e.Raw = line
	}
	if p.badTime {
		return errTimeNonexistent
	}
	if e.Mode.Type() == 0 {
		e.Mode |= typeMode(e.Type)
	}
	if e.Size < -1 {
		return errSizeNegative
	}
	return checkName(e.Name, p.format)
}

// checkName enforces the rules callers rely on to use a name as a path
// element: not empty, no NUL, and "/" only where the format allows it.
func checkName(name string, f Format) error {
	if name == "" {
		return errNameEmpty
	}
	if strings.IndexByte(name, 0) >= 0 {
		return errNameContainsNUL
	}
	if f != MLSx && f != OS400 && strings.IndexByte(name, '/') >= 0 {
		return errNameSlash
	}
	return nil
}

// headerFormat recognises the column headers and banners that only one
// format prints, so that a streaming parser can pick its format (and keep
// the header's meaning) before the first entry.
func headerFormat(line string) Format {
	switch {
	case strings.HasPrefix(line, "Directory ") && strings.Contains(line, "["):
		return VMS
	case strings.Contains(line, ":[") && isVMSHeader(line),
		strings.HasPrefix(line, "Total of ") && strings.Contains(line, " blocks"):
		return VMS
	case strings.HasPrefix(line, "Filename ") && strings.Contains(line, "FileType"):
		return CMS
	case strings.HasPrefix(line, "File ") && strings.Contains(line, "Last Modification") && strings.Contains(line, "RWEP"):
		return Guardian
	case strings.Contains(line, "Last modified") && strings.Contains(line, "Bytecount"):
		return OS9
	case strings.HasPrefix(line, "Volume Unit"),
		strings.HasPrefix(line, "Name ") && strings.Contains(line, "VV.MM"),
		strings.HasPrefix(line, "JOBNAME ") && strings.Contains(line, "JOBID"):
		return MVS
	}
	return Auto
}

// detectLine returns the first format that reads line as an entry,
// preferring the SYST hint's format, or Auto.
func (p *Parser) detectLine(line string) Format {
	try := func(f Format) bool {
		q := *p
		q.format = f
		var e Entry
		out, err := q.parse(line, &e)
		if err == nil && out == held {
			return true // a VMS name wrapped onto the next line
		}
		return err == nil && out == gotEntry && !q.weak && checkName(e.Name, f) == nil
	}
	if h := systFormat(p.opts.SystHint); h != Auto && try(h) {
		return h
	}
	for _, f := range detectOrder {
		if try(f) {
			return f
		}
	}
	return Auto
}

// dateOrder returns the order to read the numeric date s in: the one the
// caller gave; else DMY for dotted dates (a European habit, whatever the
// other dates of the listing do); else the order guessed for the listing,
// or def.
func (p *Parser) dateOrder(s string, def DateOrder) DateOrder {
	switch {
	case p.forced:
		return p.order
	case strings.IndexByte(s, '.') >= 0:
		return DMY
	case p.order != DateAuto:
		return p.order
	}
	return def
}

// date is time.Date in the server's zone, noting (for finish) a wall
// clock time that does not exist there: one skipped by a daylight saving
// change. time.Date would move it by the length of the gap, and the entry
// would carry a time the server never printed.
func (p *Parser) date(y int, m time.Month, d, h, mi, sec, nsec int) time.Time {
	t := time.Date(y, m, d, h, mi, sec, nsec, p.loc)
	if p.loc != time.UTC && h < 24 && (t.Hour() != h || t.Minute() != mi) {
		p.badTime = true
	}
	return t
}
