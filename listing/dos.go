package listing

import "time"

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
	e.ModTime = time.Date(y, m, d, h, mi, sec, 0, p.loc)
	e.Precision = prec

	field := line[next.start:next.end]
	switch {
	case equalFold(field, "<DIR>"):
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
	// IIS pads <DIR> to a fixed column; a size is followed by one space.
	// Leading spaces of names cannot be told from the padding, so they
	// are dropped.
	start := skipSpaces(line, next.end)
	if start >= len(line) {
		return 0, errNameMissing
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
