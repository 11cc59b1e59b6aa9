package listing

import "strings"

// MS-DOS style lines, sent by IIS (its default "MS-DOS" directory listing
// style), Windows CE and many embedded servers:
//
//	04-27-00  12:09PM       <DIR>          name
//	2002-09-02  19:06                9,730 name
//	05-26-1995  10:57 AM             143712 name
//
// The date is numeric in the server's locale order (see [DateOrder]), with
// two- or four-digit years; the time is 12-hour with AM/PM (possibly after
// a space) or 24-hour; sizes may group thousands with commas.

func parseDOS(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) {
		return skipped, nil
	}
	dt, ok := nextToken(line, 0)
	if !ok {
		return skipped, nil
	}
	y, m, d, ok := numericDate(line[dt.start:dt.end], p.dateOrder(line[dt.start:dt.end], MDY))
	if !ok {
		if dt.start == 0 {
			if out, err := parseWin16(p, line, e); err == nil {
				return out, nil
			}
		}
		if dt.start > 0 || !isDigit(line[0]) {
			return 0, errSyntaxNoLeadingDate
		}
		return 0, errTimeBadDate
	}
	tt, ok := nextToken(line, dt.end)
	if !ok {
		return 0, errSyntaxNoTime
	}
	ts := line[tt.start:tt.end]
	ampm := byte(0)
	if n := len(ts); n > 2 && (ts[n-1] == 'M' || ts[n-1] == 'm') {
		ampm = ts[n-2] | 0x20
		ts = ts[:n-2]
	}
	h, mi, sec, _, prec, ok := parseClock(ts, false)
	if !ok || prec > PrecisionSecond {
		return 0, errTimeBadTime
	}
	next, ok := nextToken(line, tt.end)
	if !ok {
		return 0, errSyntaxNoSize
	}
	if ampm == 0 {
		// "10:57 AM": the AM/PM marker in a column of its own.
		if s := line[next.start:next.end]; len(s) == 2 && (s[1]|0x20) == 'm' && (s[0]|0x20 == 'a' || s[0]|0x20 == 'p') {
			ampm = s[0] | 0x20
			if next, ok = nextToken(line, next.end); !ok {
				return 0, errSyntaxNoSize
			}
		}
	}
	if ampm != 0 {
		if ampm != 'a' && ampm != 'p' || h < 1 || h > 12 {
			return 0, errTimeBad12HourTime
		}
		h %= 12
		if ampm == 'p' {
			h += 12
		}
	} else if h > 23 {
		return 0, errTimeBadTime
	}
	e.ModTime = p.date(y, m, d, h, mi, sec, 0)
	e.Precision = prec

	field := line[next.start:next.end]
	switch {
	case strings.EqualFold(field, "<DIR>"):
		e.Type = Dir
		e.Size = -1
	case len(field) > 2 && field[0] == '<' && field[len(field)-1] == '>':
		// <JUNCTION>, <SYMLINK>, <SYMLINKD>: reparse points.
		e.Type = Link
		e.Size = -1
	default:
		n, ok := parseCommaSize(field)
		if !ok {
			return 0, errSizeNotANumber
		}
		e.Type = File
		e.Size = n
	}
	// IIS prints names from column 39: sizes end at column 38, "<DIR>"
	// starts at column 24 (26 with four-digit years) and is padded. There,
	// and only there, blanks after that column are part of the name; other
	// servers pad differently, so leading blanks are dropped.
	start := skipSpaces(line, next.end)
	if start >= len(line) {
		return 0, errNameMissing
	}
	const iisNameColumn = 39
	switch {
	case e.Type == File && next.end == iisNameColumn-1:
		start = iisNameColumn
	case e.Type != File && (next.start == 24 || next.start == 26) && ampm != 0 && start > iisNameColumn:
		start = iisNameColumn
	}
	e.Name = line[start:]
	if e.Type == Link {
		// dir prints "name [target]".
		if n := len(e.Name); n > 2 && e.Name[n-1] == ']' {
			for j := n - 2; j > 0; j-- {
				if e.Name[j] == '[' && e.Name[j-1] == ' ' {
					e.Name, e.Target = e.Name[:j-1], e.Name[j+1:n-1]
					break
				}
			}
		}
	}
	return gotEntry, nil
}

// parseWin16 reads the layout of FTP servers for 16-bit Windows (SuperTCP):
// name first, then "<DIR>" or the size, a MM-DD-YY (or MM/DD/YY) date and a
// 24-hour time:
//
//	INSTALL         <DIR>           11-16-94        17:17
//	DESIGN1.DOC          11264      05-11-95        14:20
//
// DOS names have no blanks. SuperTCP 7 on 32-bit Windows adds the long
// name after one blank (it may itself start with a blank):
//
//	TESTDI~1     <DIR>     11-29-2004  22:16 Test Dir
func parseWin16(p *Parser, line string, e *Entry) (outcome, error) {
	var t [4]span
	pos := 0
	for i := range t {
		s, ok := nextToken(line, pos)
		if !ok {
			return 0, errSyntaxTooShort
		}
		t[i], pos = s, s.end
	}
	long := ""
	if _, more := nextToken(line, pos); more {
		if line[pos] != ' ' || pos+1 >= len(line) {
			return 0, errSyntaxUnexpectedColumn
		}
		long = line[pos+1:]
	}
	ds := line[t[2].start:t[2].end]
	if len(ds) < 8 || (ds[2] != '-' && ds[2] != '/') {
		return 0, errSyntaxNoDate
	}
	y, m, d, ok := numericDate(ds, p.dateOrder(ds, MDY))
	if !ok {
		return 0, errTimeBadDate
	}
	h, mi, _, _, prec, ok := parseClock(line[t[3].start:t[3].end], false)
	if !ok || h > 23 || prec != PrecisionMinute {
		return 0, errTimeBadTime
	}
	field := line[t[1].start:t[1].end]
	switch {
	case strings.EqualFold(field, "<DIR>"):
		e.Type, e.Size = Dir, -1
	default:
		n, ok := parseUint(field)
		if !ok {
			return 0, errSizeNotANumber
		}
		e.Type, e.Size = File, n
	}
	e.Name = line[t[0].start:t[0].end]
	if long != "" {
		e.Name = long
	}
	e.ModTime = p.date(y, m, d, h, mi, 0, 0)
	e.Precision = PrecisionMinute
	return gotEntry, nil
}
