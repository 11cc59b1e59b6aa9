package listing

import (
	"io/fs"
	"strings"
	"time"
)

// Unix "ls -l" lines: a type letter and nine permission letters, an
// optional ACL/xattr mark ("+", "@", "."), then link count, owner, group,
// size (or "major, minor" for devices), date and name. The columns vary
// more than they look: the group or even the owner may be missing, owner
// and group names may contain spaces (Windows domains: "Domain Users"), the
// link count may touch the permissions ("drwxr-x---+1464"), a long group
// may touch the size ("longgroup123456"). The date is the only reliable
// anchor, so the parser finds it first and reads the other columns back
// from it.

// maxLsTokens bounds how many columns may precede the name.
const maxLsTokens = 32

func parseUnix(p *Parser, line string, e *Entry) (outcome, error) {
	switch {
	case isBlank(line), isTotalLine(line):
		return skipped, nil
	case isSectionHeader(line) && (p.line == 1 || p.prevBlank):
		// "ls -lR" prints "dir:" before each directory's entries, after a
		// blank line (or first). Elsewhere such a line is a bad entry.
		p.dir = line[:len(line)-1]
		return skipped, nil
	}
	if err := parseLs(p, line, e); err != nil {
		return 0, err
	}
	e.Dir = p.dir
	return gotEntry, nil
}

// isTotalLine reports whether line is ls's "total N" (N possibly with a
// unit, as with ls -h, or negative, as some servers overflow it), in
// English or in the language of the server's locale ("Gesamt 4352").
func isTotalLine(line string) bool {
	// Cheap structure first (every ls line reaches here): two columns,
	// the second a number; only then the word.
	w, ok := nextToken(line, 0)
	if !ok || w.start != 0 {
		return false
	}
	t, ok := nextToken(line, w.end)
	if !ok {
		return false
	}
	if _, more := nextToken(line, t.end); more {
		return false
	}
	num := line[t.start:t.end]
	if num[0] == '-' {
		num = num[1:]
	}
	return num != "" && isDigit(num[0]) && isTotalWord(line[:w.end])
}

// totalWords are ls's word for "total" in the locales servers run in.
var totalWords = [...]string{"total", "gesamt", "insgesamt", "totale", "totaal", "totalt", "razem", "celkem",
	"yhteensä", "összesen", "итого", "всего", "усього", "合計", "总用量", "合计", "總計", "총"}

func isTotalWord(w string) bool {
	if eqLower(w, "total") {
		return true
	}
	for _, t := range totalWords[1:] {
		if strings.EqualFold(w, t) {
			return true
		}
	}
	return false
}

// isSectionHeader reports whether line is an "ls -lR" directory heading:
// it ends with ":" and is not an ls -l entry.
func isSectionHeader(line string) bool {
	return len(line) > 1 && line[len(line)-1] == ':' && !looksLikeLs(line)
}

// looksLikeLs reports whether line starts with a type letter and nine
// permission letters.
func looksLikeLs(line string) bool {
	if len(line) < 10 {
		return false
	}
	if _, _, ok := lsType(line[0]); !ok {
		return false
	}
	_, ok := lsPerms(line[1:10])
	return ok
}

// lsType maps ls's type letter to a Type and fs.FileMode type bits.
func lsType(c byte) (Type, fs.FileMode, bool) {
	switch c {
	case '-', 'f': // 'f': some servers (Commons Net samples) for regular files
		return File, 0, true
	case 'd':
		return Dir, fs.ModeDir, true
	case 'l':
		return Link, fs.ModeSymlink, true
	case 'c':
		return Other, fs.ModeDevice | fs.ModeCharDevice, true
	case 'b':
		return Other, fs.ModeDevice, true
	case 'p':
		return Other, fs.ModeNamedPipe, true
	case 's':
		return Other, fs.ModeSocket, true
	case 'D', 'w', 'n', 'C', 'M', '?': // door, whiteout, network, contiguous, migrated, unknown
		return Other, fs.ModeIrregular, true
	}
	return 0, 0, false
}

// lsPerms reads "rwxr-xr-x" with setuid/setgid/sticky letters.
func lsPerms(s string) (fs.FileMode, bool) {
	var m fs.FileMode
	for i := 0; i < 9; i++ {
		c := s[i]
		bit := fs.FileMode(1) << (8 - i)
		switch i % 3 {
		case 0:
			if c == 'r' {
				m |= bit
			} else if c != '-' {
				return 0, false
			}
		case 1:
			if c == 'w' {
				m |= bit
			} else if c != '-' {
				return 0, false
			}
		case 2:
			switch c {
			case 'x':
				m |= bit
			case '-':
			case 's', 'S', 't', 'T':
				if c == 's' || c == 't' {
					m |= bit
				}
				switch i {
				case 2:
					m |= fs.ModeSetuid
				case 5:
					m |= fs.ModeSetgid
				case 8:
					m |= fs.ModeSticky
				}
				// 's' in the others' slot and 't' elsewhere are not ls
				// output, but are harmless; keep them readable.
			case 'l', 'L': // mandatory locking (setgid without group x)
				if i == 5 {
					m |= fs.ModeSetgid
				}
			default:
				return 0, false
			}
		}
	}
	return m, true
}

// parseLs reads one ls -l entry into e.
func parseLs(p *Parser, line string, e *Entry) error {
	if len(line) < 10 {
		return errSyntaxTooShort
	}
	typ, tmode, ok := lsType(line[0])
	if !ok {
		return errSyntaxUnknownFileTypeLetter
	}
	perm, ok := lsPerms(line[1:10])
	permKnown := true
	i := 10
	if !ok && isConnectEnterprise(line) {
		// Sterling Connect:Enterprise: "-C--E-----FTP B QUA1I1  18128  41
		// Aug 12 13:56 QUADTEST": mailbox flags, not permissions, then
		// the protocol, and owner, group, size and date as in ls.
		perm, permKnown, i = 0, false, 13
		if t, ok := nextToken(line, i); ok && t.end-t.start == 1 {
			i = t.end
		}
	} else if !ok && len(line) > 8 && line[7] == ' ' && validPermTriples(line[1:7]) {
		// "drwxr-x   2  10  4096 Dec 10 14:32 pollq": an embedded server
		// that prints owner and group permissions only. The type is
		// known, the permissions are not all there, so none are claimed.
		perm, permKnown, i = 0, false, 7
	} else if !ok {
		return errSyntaxBadPermissions
	}
	if permKnown && i < len(line) && (line[i] == '+' || line[i] == '@' || line[i] == '.') {
		i++
	}
	if i < len(line) && !isSpace(line[i]) && !isDigit(line[i]) {
		return errSyntaxBadPermissions
	}

	var toks [maxLsTokens]span
	var months [maxLsTokens]time.Month // each token read as an English month, or 0
	n := 0
	pos := i
	dateAt, dateEnd := -1, 0
	var d lsDate
	sawMonth := false
	for n < maxLsTokens {
		t, ok := nextToken(line, pos)
		if !ok {
			break
		}
		toks[n] = t
		months[n], _ = parseMonth(line[t.start:t.end])
		sawMonth = sawMonth || months[n] != 0
		n++
		pos = t.end
		if n >= 4 && (months[n-3] != 0 || months[n-2] != 0) {
			if r, ok := p.lsMonthDayDate(line, months[n-3], months[n-2], toks[n-3], toks[n-2], toks[n-1]); ok {
				dateAt, dateEnd, d = n-3, toks[n-1].end, r
				break
			}
		}
		if n >= 5 {
			if r, ok := p.lsVShellDate(line, toks[n-4], toks[n-3], toks[n-2], toks[n-1]); ok {
				dateAt, dateEnd, d = n-4, toks[n-1].end, r
				break
			}
		}
		if n >= 3 {
			if r, end, ok := p.lsISODate(line, toks[n-2], toks[n-1]); ok {
				dateAt, dateEnd, d = n-2, end, r
				break
			}
		}
	}
	padded := false
	if dateAt < 0 {
		// No English date: month names of other languages (a second pass,
		// so that the common case pays nothing for them).
		for j := 3; j < n; j++ {
			if r, ok := p.lsTextDate(line, toks[j-2], toks[j-1], toks[j]); ok {
				dateAt, dateEnd, d = j-2, toks[j].end, r
				break
			}
		}
	}
	if dateAt < 0 {
		// No date of the usual forms: try the weak ones, leftmost first.
		for j := 1; j < n; j++ {
			if r, at, ok := p.lsAltDate(line, toks[:n], j); ok {
				dateAt, dateEnd, d = at, toks[j].end, r
				// A date without a time is padded to the width of one.
				padded = r.prec == PrecisionDay
				break
			}
		}
	}
	if dateAt < 1 {
		if sawMonth {
			return errTimeNoValidDate
		}
		return errSyntaxNoDate
	}

	e.Type = typ
	e.Mode = tmode | perm
	e.PermKnown = permKnown
	e.ModTime, e.Precision = d.t, d.prec

	// Size, or "major, minor" for devices.
	ownerEnd := dateAt - 1
	sz := line[toks[dateAt-1].start:toks[dateAt-1].end]
	e.Size = -1
	device := tmode&fs.ModeDevice != 0
	switch {
	case device && strings.IndexByte(sz, ',') > 0:
		// "109,767": major,minor in one column.
	case device && dateAt >= 2 && strings.HasSuffix(line[toks[dateAt-2].start:toks[dateAt-2].end], ","):
		ownerEnd = dateAt - 2
	default:
		n, ok := parseUint(sz)
		if ok {
			e.Size = n
			break
		}
		if allDigits(sz) || isUnitSize(sz) {
			// Too large for an int64 (servers print 2^64-1 for
			// "unknown"), or rounded to a unit ("33.5k"): not a size in
			// bytes.
			break
		}
		// A group name too long for its column runs into the size.
		j := len(sz)
		for j > 0 && isDigit(sz[j-1]) {
			j--
		}
		if j == len(sz) || j == 0 || !isLetter(sz[j-1]) {
			if device {
				break
			}
			return errSizeNotANumber
		}
		if n, ok = parseUint(sz[j:]); !ok {
			return errSizeTooLarge
		}
		e.Size = n
		// The letters belong to the group column; keep them as the last
		// owner/group token.
		toks[dateAt-1].end = toks[dateAt-1].start + j
		ownerEnd = dateAt
	}

	// Link count, owner, group.
	k := 0
	if k < ownerEnd && allDigits(line[toks[k].start:toks[k].end]) {
		k++ // link count
	}
	if k < ownerEnd {
		e.Owner = line[toks[k].start:toks[k].end]
		if k+1 < ownerEnd {
			e.Group = line[toks[k+1].start:toks[ownerEnd-1].end]
		}
	}

	// Name: the column after the date is separated by exactly one blank;
	// any further spaces are part of the name. Two exceptions: servers
	// that print a year left-aligned in the five columns of a time
	// ("Mar  1 2003  name", one blank before the year), and dates with no
	// time at all, whose padding cannot be told from the name.
	if dateEnd+1 >= len(line) {
		return errNameMissing
	}
	nameAt := dateEnd + 1
	switch {
	case padded:
		nameAt = skipSpaces(line, dateEnd)
	case d.prec == PrecisionDay && leftAlignedYear(line, toks[dateAt+2], dateEnd):
		nameAt++
	}
	if nameAt >= len(line) {
		return errNameMissing
	}
	name := line[nameAt:]
	if typ == Link {
		if j := strings.Index(name, " -> "); j >= 0 {
			name, e.Target = name[:j], name[j+4:]
		}
	}
	if typ == Dir && len(name) > 1 && name[len(name)-1] == '/' {
		name = name[:len(name)-1] // ls -p / -F marks directories
	}
	e.Name = name
	return nil
}

// validPermTriples reports whether s is whole rwx triples ("rwxr-x").
func validPermTriples(s string) bool {
	if len(s)%3 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i % 3 {
		case 0:
			if c != 'r' && c != '-' {
				return false
			}
		case 1:
			if c != 'w' && c != '-' {
				return false
			}
		default:
			if c != 'x' && c != '-' && c != 's' && c != 'S' && c != 't' && c != 'T' {
				return false
			}
		}
	}
	return true
}

// isConnectEnterprise reports the flags column of Sterling Connect:Enterprise
// mailboxes: a type, nine flag letters or dashes, and "FTP".
func isConnectEnterprise(line string) bool {
	if len(line) < 14 || line[10:13] != "FTP" || line[13] != ' ' {
		return false
	}
	for i := 1; i < 10; i++ {
		if c := line[i]; c != '-' && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// isUnitSize reports sizes rounded to a unit, as "ls -h" prints them
// ("33.5k", "4M").
func isUnitSize(s string) bool {
	n := len(s)
	if n < 2 || !strings.ContainsRune("kKmMgGtT", rune(s[n-1])) {
		return false
	}
	s = s[:n-1]
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return allDigits(s[:i]) && allDigits(s[i+1:])
	}
	return allDigits(s)
}

// leftAlignedYear reports whether a four-digit year column yr, ending the
// date at end, is printed left-aligned in a five-wide column: one blank
// before it (after the day) and at least two after it.
func leftAlignedYear(line string, yr span, end int) bool {
	return yr.end == end && yr.end-yr.start == 4 && yr.start >= 2 && line[yr.start-1] == ' ' &&
		line[yr.start-2] != ' ' && end+2 < len(line) && line[end] == ' ' && line[end+1] == ' '
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// lsDate is a parsed listing date.
type lsDate struct {
	t    time.Time
	prec Precision
}

// lsTextDate reads "Mon D HH:MM", "Mon D YYYY", or the same with day and
// month swapped ("29 Jul 02:27", sent by some localised servers).
func (p *Parser) lsTextDate(line string, a, b, c span) (lsDate, bool) {
	ma, _ := parseMonthWord(line[a.start:a.end])
	mb := time.Month(0)
	if ma == 0 {
		mb, _ = parseMonthWord(line[b.start:b.end])
	}
	return p.lsMonthDayDate(line, ma, mb, a, b, c)
}

// lsMonthDayDate completes lsTextDate once its first two tokens have been
// read as months (ma, mb; 0 when not a month).
func (p *Parser) lsMonthDayDate(line string, ma, mb time.Month, a, b, c span) (lsDate, bool) {
	m, ds := ma, line[b.start:b.end]
	if m == 0 {
		if mb == 0 {
			return lsDate{}, false
		}
		m, ds = mb, line[a.start:a.end]
	}
	day, ok := parseDayWord(ds)
	if !ok {
		return lsDate{}, false
	}
	return p.dayTimeOrYear(m, day, line[c.start:c.end])
}

// dayTimeOrYear completes a month and day with either a time (year-less,
// resolved against Now) or a four-digit year.
func (p *Parser) dayTimeOrYear(m time.Month, day int, cs string) (lsDate, bool) {
	if len(cs) == 4 && allDigits(cs) {
		y, _ := parseSmall(cs)
		if !validDate(y, m, day) {
			return lsDate{}, false
		}
		return lsDate{p.date(y, m, day, 0, 0, 0, 0), PrecisionDay}, true
	}
	if n := len(cs); n >= 3 && cs[n-2] == ':' && isDigit(cs[n-1]) {
		cs = cs[:n-1] + "0" + cs[n-1:] // "00:0": a one-digit minute (embedded servers)
	}
	h, mi, _, _, prec, ok := parseClock(cs, false)
	if !ok || prec != PrecisionMinute {
		return lsDate{}, false
	}
	t, ok := p.resolveYear(m, day, h, mi)
	if !ok {
		return lsDate{}, false
	}
	return lsDate{t, PrecisionMinute}, true
}

// lsVShellDate reads the "Oct 08, 2002 09:47" of newer VShell servers.
func (p *Parser) lsVShellDate(line string, a, b, c, d span) (lsDate, bool) {
	ms, ds, ys, ts := line[a.start:a.end], line[b.start:b.end], line[c.start:c.end], line[d.start:d.end]
	m, ok := parseMonth(ms)
	if !ok || len(ds) < 2 || len(ds) > 3 || ds[len(ds)-1] != ',' || len(ys) != 4 {
		return lsDate{}, false
	}
	day, ok1 := parseSmall(ds[:len(ds)-1])
	y, ok2 := parseSmall(ys)
	h, mi, _, _, prec, ok3 := parseClock(ts, false)
	if !ok1 || !ok2 || !ok3 || prec != PrecisionMinute || h > 23 || !validDate(y, m, day) {
		return lsDate{}, false
	}
	return lsDate{p.date(y, m, day, h, mi, 0, 0), PrecisionMinute}, true
}

// lsISODate reads ls --time-style=long-iso ("2005-04-08 11:22") and
// full-iso ("2005-04-08 11:22:33.123456789 +0200"), and the same with "/"
// or "." between year, month and day, as some servers print. It returns
// the end of the last date token.
func (p *Parser) lsISODate(line string, a, b span) (lsDate, int, bool) {
	ds, ts := line[a.start:a.end], line[b.start:b.end]
	if len(ds) != 10 || (ds[4] != '-' && ds[4] != '/' && ds[4] != '.') || ds[7] != ds[4] {
		return lsDate{}, 0, false
	}
	y, ok1 := parseSmall(ds[:4])
	mo, ok2 := parseSmall(ds[5:7])
	day, ok3 := parseSmall(ds[8:])
	if !ok1 || !ok2 || !ok3 || !validDate(y, time.Month(mo), day) {
		return lsDate{}, 0, false
	}
	h, mi, sec, nsec, prec, ok := parseClock(ts, true)
	if !ok {
		return lsDate{}, 0, false
	}
	end := b.end
	if prec >= PrecisionSecond {
		// full-iso adds the zone offset as its own column.
		if z, ok := nextToken(line, b.end); ok {
			if off, ok := parseZoneOffset(line[z.start:z.end]); ok {
				t := time.Date(y, time.Month(mo), day, h, mi, sec, nsec, time.UTC).Add(-off).In(p.loc)
				return lsDate{t, prec}, z.end, true
			}
		}
	}
	return lsDate{p.date(y, time.Month(mo), day, h, mi, sec, nsec), prec}, end, true
}

// parseZoneOffset reads "+hhmm" or "-hhmm".
func parseZoneOffset(s string) (time.Duration, bool) {
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') || !allDigits(s[1:]) {
		return 0, false
	}
	h := int(s[1]-'0')*10 + int(s[2]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if s[0] == '-' {
		d = -d
	}
	return d, true
}
