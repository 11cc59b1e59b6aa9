package listing

import (
	"math"
	"strings"
	"time"
)

// Hand-written scanning helpers: the hot parsers (MLSx, Unix) must not
// allocate, so they work on index spans of the line instead of
// strings.Fields and time.Parse.

// eqLower reports whether s equals lower (which must be lower-case ASCII)
// without regard to ASCII case.
func eqLower(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// isBlank reports whether s holds only spaces and tabs.
func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

// parseUint reads a non-empty all-digit decimal string that fits an int64.
// Leading zeros are allowed (zero-padded columns).
func parseUint(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	if len(s) > 19 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// parseSmall reads 1 to 4 digits.
func parseSmall(s string) (int, bool) {
	if len(s) == 0 || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// parseCommaSize reads a size that may group thousands with commas
// ("9,730"), as IIS does.
func parseCommaSize(s string) (int64, bool) {
	if strings.IndexByte(s, ',') < 0 {
		return parseUint(s)
	}
	var n int64
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ',' {
			continue
		}
		if !isDigit(c) {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
		digits++
	}
	return n, digits > 0
}

// span is a token of a line: line[start:end].
type span struct{ start, end int }

// nextToken returns the next run of non-blank bytes at or after i, or
// ok=false at the end of the line.
func nextToken(line string, i int) (span, bool) {
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	if i >= len(line) {
		return span{}, false
	}
	s := i
	for i < len(line) && !isSpace(line[i]) {
		i++
	}
	return span{s, i}, true
}

// skipSpaces returns the index of the first non-blank byte at or after i.
func skipSpaces(line string, i int) int {
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	return i
}

// monthNames are the English abbreviations ls, NetWare and VMS print.
const monthNames = "janfebmaraprmayjunjulaugsepoctnovdec"

// parseMonth reads a three-letter English month abbreviation, in any case.
func parseMonth(s string) (time.Month, bool) {
	if len(s) != 3 {
		return 0, false
	}
	var b [3]byte
	for i := 0; i < 3; i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	for m := 0; m < 12; m++ {
		if monthNames[3*m] == b[0] && monthNames[3*m+1] == b[1] && monthNames[3*m+2] == b[2] {
			return time.Month(m + 1), true
		}
	}
	return 0, false
}

// parseClock reads "H:MM", "HH:MM", "HH:MM:SS" and, when frac is true,
// "HH:MM:SS.ff". It accepts 24:00 (midnight at the end of the day, which
// time.Date carries over to the next day).
func parseClock(s string, frac bool) (h, m, sec, nsec int, prec Precision, ok bool) {
	i := strings.IndexByte(s, ':')
	if i < 1 || i > 2 {
		return
	}
	h, ok1 := parseSmall(s[:i])
	rest := s[i+1:]
	if !ok1 || len(rest) < 2 {
		return 0, 0, 0, 0, 0, false
	}
	m, ok2 := parseSmall(rest[:2])
	if !ok2 || !isDigit(rest[0]) || !isDigit(rest[1]) {
		return 0, 0, 0, 0, 0, false
	}
	prec = PrecisionMinute
	rest = rest[2:]
	if rest != "" {
		if rest[0] != ':' || len(rest) < 3 || !isDigit(rest[1]) || !isDigit(rest[2]) {
			return 0, 0, 0, 0, 0, false
		}
		sec = int(rest[1]-'0')*10 + int(rest[2]-'0')
		prec = PrecisionSecond
		rest = rest[3:]
		if rest != "" {
			if !frac || rest[0] != '.' || len(rest) < 2 {
				return 0, 0, 0, 0, 0, false
			}
			var ok3 bool
			nsec, ok3 = parseFraction(rest[1:])
			if !ok3 {
				return 0, 0, 0, 0, 0, false
			}
			if nsec != 0 {
				prec = PrecisionSubsecond
			}
		}
	}
	if m > 59 || sec > 59 || h > 24 || (h == 24 && (m != 0 || sec != 0 || nsec != 0)) {
		return 0, 0, 0, 0, 0, false
	}
	return h, m, sec, nsec, prec, true
}

// parseFraction reads the digits after a decimal point as nanoseconds;
// digits past the ninth are ignored.
func parseFraction(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n, scale := 0, 100000000
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n += int(s[i]-'0') * scale
		scale /= 10
	}
	return n, true
}

// validDate reports whether y-m-d exists (Feb 29 only in leap years).
func validDate(y int, m time.Month, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= daysIn(y, m)
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// skew is how far in the future a year-less date may lie: servers' clocks
// and time zones disagree with ours by up to a day.
const skew = 24 * time.Hour

// resolveYear picks the year of a date printed without one: the most
// recent year in which the date exists and is at most one day after Now.
func (p *Parser) resolveYear(m time.Month, d, h, min int) (time.Time, bool) {
	y := p.limitYear
	// Feb 29 can be up to eight years back (1896..1904); other dates at
	// most one.
	for tries := 0; tries < 9; tries, y = tries+1, y-1 {
		if !validDate(y, m, d) {
			continue
		}
		t := p.date(y, m, d, h, min, 0, 0)
		if !t.After(p.limit) {
			return t, true
		}
	}
	return time.Time{}, false
}

// expandYear turns a two- or three-digit year into a full one: POSIX's
// rule for two digits (69-99 are 19xx), and 1900+n for the three-digit
// years of servers that print tm_year (OS/2: "103" is 2003).
func expandYear(y, digits int) int {
	switch digits {
	case 2:
		if y < 69 {
			return 2000 + y
		}
		return 1900 + y
	case 3:
		return 1900 + y
	}
	return y
}

// numericDate reads a date of three numeric parts separated by "-", "/" or
// ".", in the given order. A four-digit first part is always a year.
func numericDate(s string, order DateOrder) (y int, m time.Month, d int, ok bool) {
	var parts [3]string
	n := 0
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '-' || s[i] == '/' || s[i] == '.' {
			if n == 3 {
				return 0, 0, 0, false
			}
			parts[n] = s[start:i]
			n++
			start = i + 1
		}
	}
	if n != 3 {
		return 0, 0, 0, false
	}
	var v [3]int
	for i, p := range parts {
		x, ok := parseSmall(p)
		if !ok {
			return 0, 0, 0, false
		}
		v[i] = x
	}
	if len(parts[0]) == 4 {
		order = YMD
	}
	var ys string
	switch order {
	case YMD:
		ys, y, m, d = parts[0], v[0], time.Month(v[1]), v[2]
		if len(parts[1]) > 2 || len(parts[2]) > 2 {
			return 0, 0, 0, false
		}
	case DMY:
		ys, y, m, d = parts[2], v[2], time.Month(v[1]), v[0]
		if len(parts[0]) > 2 || len(parts[1]) > 2 {
			return 0, 0, 0, false
		}
	default:
		ys, y, m, d = parts[2], v[2], time.Month(v[0]), v[1]
		if len(parts[0]) > 2 || len(parts[1]) > 2 {
			return 0, 0, 0, false
		}
	}
	if len(ys) < 2 {
		return 0, 0, 0, false
	}
	y = expandYear(y, len(ys))
	if !validDate(y, m, d) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}
