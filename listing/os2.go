package listing

import "time"

// OS/2 lines (IBM TCP/IP for OS/2):
//
//	     0           DIR   12-30-97   12:32  jbrekke
//	 33280      A          02-09-97   13:49  OS2LDR
//	 36611      A    04-23-103  10:57  name
//
// size, attribute columns (A, R, S, H and their combinations), DIR for
// directories, a month-day-year date, a 24-hour time and the name. Some
// servers print the year as years since 1900 ("103" is 2003).

func parseOS2(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) {
		return skipped, nil
	}
	st, _ := nextToken(line, 0)
	n, ok := parseUint(line[st.start:st.end])
	if !ok {
		return 0, errSizeNoLeadingSize
	}
	e.Size = n
	e.Type = File
	pos := st.end
	var dt span
	for {
		t, ok := nextToken(line, pos)
		if !ok {
			return 0, errSyntaxNoDate
		}
		pos = t.end
		s := line[t.start:t.end]
		if isDigit(s[0]) {
			dt = t
			break
		}
		switch {
		case s == "DIR":
			e.Type = Dir
		case os2Attrs(s):
		default:
			return 0, errSyntaxUnknownAttributeColumn
		}
	}
	y, m, d, ok := os2Date(line[dt.start:dt.end])
	if !ok {
		return 0, errTimeBadDate
	}
	tt, ok := nextToken(line, dt.end)
	if !ok {
		return 0, errSyntaxNoTime
	}
	h, mi, _, _, prec, ok := parseClock(line[tt.start:tt.end], false)
	if !ok || prec != PrecisionMinute || h > 23 {
		return 0, errTimeBadTime
	}
	e.ModTime = p.date(y, m, d, h, mi, 0, 0)
	e.Precision = PrecisionMinute
	start := skipSpaces(line, tt.end)
	if start >= len(line) {
		return 0, errNameMissing
	}
	e.Name = line[start:]
	return gotEntry, nil
}

// os2Attrs reports an attribute column: letters from "ARSH".
func os2Attrs(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A', 'R', 'S', 'H':
		default:
			return false
		}
	}
	return s != ""
}

// os2Date reads MM-DD-YY, MM-DD-YYY or MM-DD-YYYY.
func os2Date(s string) (int, time.Month, int, bool) {
	if len(s) < 8 || s[2] != '-' || s[5] != '-' {
		return 0, 0, 0, false
	}
	m, ok1 := parseSmall(s[:2])
	d, ok2 := parseSmall(s[3:5])
	ys := s[6:]
	y, ok3 := parseSmall(ys)
	if !ok1 || !ok2 || !ok3 || len(ys) < 2 {
		return 0, 0, 0, false
	}
	y = expandYear(y, len(ys))
	if !validDate(y, time.Month(m), d) {
		return 0, 0, 0, false
	}
	return y, time.Month(m), d, true
}
