package listing

import "strings"

// Listings of servers rare enough to share a file, each with its own
// format because their columns mean different things.

// HP NonStop (Tandem) Guardian:
//
//	File         Code             EOF  Last Modification    Owner  RWEP
//	ALV           101             2522 27-Aug-02 13:57:10 155,106 "nnnn"
//
// name, file code, EOF (the size in bytes), date and time, group and user
// numbers, and the security string. Guardian has no directories.
func parseGuardian(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) {
		return skipped, nil
	}
	if strings.HasPrefix(line, "File ") && strings.Contains(line, "Code") && strings.Contains(line, "EOF") {
		return skipped, nil
	}
	name, ok := nextToken(line, 0)
	if !ok || name.start != 0 {
		return 0, errSyntaxNameNotInTheFirstColumn
	}
	code, ok1 := nextToken(line, name.end)
	eof, ok2 := nextToken(line, code.end)
	dt, ok3 := nextToken(line, eof.end)
	tt, ok4 := nextToken(line, dt.end)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0, errSyntaxTooShort
	}
	if !allDigits(line[code.start:code.end]) {
		return 0, errSyntaxUnexpectedColumn
	}
	size, ok := parseUint(line[eof.start:eof.end])
	if !ok {
		return 0, errSizeNotANumber
	}
	y, m, d, ok := vmsDate(line[dt.start:dt.end])
	if !ok {
		return 0, errTimeBadDate
	}
	h, mi, sec, _, prec, ok := parseClock(line[tt.start:tt.end], false)
	if !ok || h > 23 || prec != PrecisionSecond {
		return 0, errTimeBadTime
	}
	// The owner is "group,user", possibly with a blank after the comma,
	// then the quoted security string.
	rest := strings.TrimSpace(line[tt.end:])
	q := strings.IndexByte(rest, '"')
	if q < 0 || !strings.HasSuffix(rest, `"`) || q == len(rest)-1 {
		return 0, errSyntaxBadProtection
	}
	owner := strings.TrimSpace(rest[:q])
	comma := strings.IndexByte(owner, ',')
	if comma < 1 || !allDigits(owner[:comma]) || !allDigits(strings.TrimSpace(owner[comma+1:])) {
		return 0, errSyntaxNoOwnerOrSize
	}
	e.Name = line[name.start:name.end]
	e.Type = File
	e.Size = size
	e.ModTime = p.date(y, m, d, h, mi, sec, 0)
	e.Precision = PrecisionSecond
	e.Group, e.Owner = owner[:comma], strings.TrimSpace(owner[comma+1:])
	return gotEntry, nil
}

// Microware OS-9 ("dir -e"):
//
//	 Owner    Last modified  Attributes Sector Bytecount Name
//	20.20     07/03/29 1026   d-ewrewr    2650     85920 CMDS
//
// group.user, YY/MM/DD and HHMM, attributes (d for a directory, then
// single-user, execute/write/read for public and for the owner), the
// first sector, the byte count and the name. Versions differ in the radix
// of the byte count, so the size is not reported.
func parseOS9(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) {
		return skipped, nil
	}
	trimmed := strings.TrimLeft(line, " ")
	switch {
	case strings.HasPrefix(trimmed, "Directory of "),
		strings.HasPrefix(trimmed, "Owner ") && strings.Contains(line, "Bytecount"),
		strings.Trim(line, "- ") == "" || strings.Trim(line, "–- ") == "":
		return skipped, nil
	}
	var t [6]span
	pos := 0
	for i := range t {
		s, ok := nextToken(line, pos)
		if !ok {
			return 0, errSyntaxTooShort
		}
		t[i], pos = s, s.end
	}
	tok := func(i int) string { return line[t[i].start:t[i].end] }
	owner := tok(0)
	if dot := strings.IndexByte(owner, '.'); dot < 1 || !allDigits(owner[:dot]) || !allDigits(owner[dot+1:]) {
		return 0, errSyntaxNoOwnerInTheFirstColumn
	}
	ds := tok(1)
	if len(ds) != 8 || ds[2] != '/' || ds[5] != '/' {
		return 0, errTimeBadDate
	}
	y, m, d, ok := numericDate(ds, YMD)
	if !ok {
		return 0, errTimeBadDate
	}
	hm := tok(2)
	if len(hm) != 4 || !allDigits(hm) {
		return 0, errTimeBadTime
	}
	h, _ := parseSmall(hm[:2])
	mi, _ := parseSmall(hm[2:])
	if h > 23 || mi > 59 {
		return 0, errTimeBadTime
	}
	attrs := tok(3)
	if len(attrs) != 8 || strings.Trim(attrs, "dsewr-") != "" {
		return 0, errSyntaxBadPermissions
	}
	if !isHex(tok(4)) || !allDigits(tok(5)) {
		return 0, errSizeNotANumber
	}
	start := skipSpaces(line, t[5].end)
	if start >= len(line) {
		return 0, errNameMissing
	}
	e.Name = line[start:]
	e.Type = File
	if attrs[0] == 'd' {
		e.Type = Dir
	}
	e.Size = -1
	e.ModTime = p.date(y, m, d, h, mi, 0, 0)
	e.Precision = PrecisionMinute
	e.Owner = owner
	return gotEntry, nil
}

// VxWorks (its FTP server, as in Nortel routers):
//
//	 2048    Feb-28-1998  05:23:30   dirname <DIR>
//	15300    Jun-04-2003  14:02:11   file.cfg
//
// size, Mon-DD-YYYY, time, and the name, followed by "<DIR>" for
// directories.
func parseVxWorks(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) || strings.HasPrefix(strings.TrimLeft(line, " "), "size ") && strings.Contains(line, " date ") {
		return skipped, nil
	}
	st, _ := nextToken(line, 0)
	size, ok := parseUint(line[st.start:st.end])
	if !ok {
		return 0, errSizeNoLeadingSize
	}
	dt, ok1 := nextToken(line, st.end)
	tt, ok2 := nextToken(line, dt.end)
	if !ok1 || !ok2 {
		return 0, errSyntaxNoDateAndTime
	}
	ds := line[dt.start:dt.end]
	if len(ds) != 11 || ds[3] != '-' || ds[6] != '-' {
		return 0, errSyntaxNoDate
	}
	m, ok := parseMonth(ds[:3])
	day, ok1 := parseSmall(ds[4:6])
	y, ok2 := parseSmall(ds[7:])
	if !ok || !ok1 || !ok2 || !validDate(y, m, day) {
		return 0, errTimeBadDate
	}
	h, mi, sec, _, prec, ok := parseClock(line[tt.start:tt.end], false)
	if !ok || h > 23 || prec != PrecisionSecond {
		return 0, errTimeBadTime
	}
	start := skipSpaces(line, tt.end)
	if start >= len(line) {
		return 0, errNameMissing
	}
	name := strings.TrimRight(line[start:], " ")
	e.Type, e.Size = File, size
	if strings.HasSuffix(name, " <DIR>") {
		name = strings.TrimRight(name[:len(name)-len(" <DIR>")], " ")
		e.Type = Dir
	}
	e.Name = name
	e.ModTime = p.date(y, m, day, h, mi, sec, 0)
	e.Precision = PrecisionSecond
	return gotEntry, nil
}

// Nortel (Bay Networks) wfFtp, in its routers:
//
//	config        1014196  06/03/04  Thur.   10:20:03
//
// name, size, MM/DD/YY, the day of the week and the time.
func parseWFFTP(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) {
		return skipped, nil
	}
	var t [5]span
	pos := 0
	for i := range t {
		s, ok := nextToken(line, pos)
		if !ok {
			return 0, errSyntaxTooShort
		}
		t[i], pos = s, s.end
	}
	if _, more := nextToken(line, pos); more || t[0].start != 0 {
		return 0, errSyntaxUnexpectedColumn
	}
	tok := func(i int) string { return line[t[i].start:t[i].end] }
	size, ok := parseUint(tok(1))
	if !ok {
		return 0, errSizeNotANumber
	}
	ds := tok(2)
	if len(ds) != 8 || ds[2] != '/' || ds[5] != '/' {
		return 0, errSyntaxNoDate
	}
	y, m, d, ok := numericDate(ds, MDY)
	if !ok {
		return 0, errTimeBadDate
	}
	if wd := strings.TrimSuffix(tok(3), "."); len(wd) < 3 || !isLetter(wd[0]) || !isWeekday(wd) {
		return 0, errSyntaxUnexpectedColumn
	}
	h, mi, sec, _, prec, ok := parseClock(tok(4), false)
	if !ok || h > 23 || prec != PrecisionSecond {
		return 0, errTimeBadTime
	}
	e.Name = tok(0)
	e.Type, e.Size = File, size
	e.ModTime = p.date(y, m, d, h, mi, sec, 0)
	e.Precision = PrecisionSecond
	return gotEntry, nil
}

// isWeekday reports an English weekday abbreviation of three or four
// letters ("Thu", "Thur").
func isWeekday(s string) bool {
	if len(s) > 4 {
		return false
	}
	for _, w := range [...]string{"sun", "mon", "tue", "tues", "wed", "thu", "thur", "fri", "sat"} {
		if eqLower(s, w) {
			return true
		}
	}
	return false
}

// Older VShell (VanDyke) servers:
//
//	206876  Apr 04, 2000 21:06 file name
//	     0  Dec 12, 2002 02:13 dir name/
//
// size, "Mon DD, YYYY HH:MM" and the name, with "/" after directories.
func parseVShell(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) {
		return skipped, nil
	}
	var t [5]span
	pos := 0
	for i := range t {
		s, ok := nextToken(line, pos)
		if !ok {
			return 0, errSyntaxTooShort
		}
		t[i], pos = s, s.end
	}
	size, ok := parseUint(line[t[0].start:t[0].end])
	if !ok {
		return 0, errSizeNoLeadingSize
	}
	d, ok := p.lsVShellDate(line, t[1], t[2], t[3], t[4])
	if !ok {
		return 0, errTimeBadDate
	}
	if t[4].end+1 >= len(line) || line[t[4].end] != ' ' {
		return 0, errNameMissing
	}
	name := line[t[4].end+1:]
	e.Type, e.Size = File, size
	if n := len(name); n > 1 && name[n-1] == '/' {
		name = name[:n-1]
		e.Type = Dir
		e.Size = -1 // the column is 0 for directories
	}
	e.Name = name
	e.ModTime, e.Precision = d.t, d.prec
	return gotEntry, nil
}
