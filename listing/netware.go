package listing

import "strings"

// Novell NetWare lines:
//
//	d [R----F--] supervisor            512       Jan 16 18:53    login
//	- [RWCEAFMS] rwinston            19968       Mar 12 15:20    Executive Summary.doc
//	d[RWCEMFA]  1 cyp           512 Jul 01 11:49 htdocs
//
// type ("d" or "-"), trustee rights in brackets, owner, size, an ls-style
// date, and the name after any number of spaces.

func parseNetWare(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) || isTotalLine(line) {
		return skipped, nil
	}
	// "d [RWCEAFMS]", or "d[RWCEMFA]" (older HellSoft servers, which also
	// print a link count).
	open := 2
	if len(line) > 2 && line[1] == '[' {
		open = 1
	}
	if len(line) < 4 || line[open] != '[' || (open == 2 && line[1] != ' ') {
		return 0, errSyntaxNoRightsColumn
	}
	switch line[0] {
	case 'd':
		e.Type = Dir
	case '-':
		e.Type = File
	default:
		return 0, errSyntaxUnknownTypeLetter
	}
	end := strings.IndexByte(line, ']')
	if end < 0 {
		return 0, errSyntaxUnterminatedRightsColumn
	}
	for _, c := range []byte(line[open+1 : end]) {
		if !strings.ContainsRune("-RWCEAFMS", rune(c)) {
			return 0, errSyntaxUnknownRight
		}
	}
	owner, ok1 := nextToken(line, end+1)
	size, ok2 := nextToken(line, owner.end)
	if !ok1 || !ok2 {
		return 0, errSyntaxNoOwnerOrSize
	}
	if open == 1 && allDigits(line[owner.start:owner.end]) {
		// HellSoft's link count.
		owner = size
		if size, ok2 = nextToken(line, owner.end); !ok2 {
			return 0, errSyntaxNoOwnerOrSize
		}
	}
	e.Owner = line[owner.start:owner.end]
	n, ok := parseUint(line[size.start:size.end])
	if !ok {
		return 0, errSizeNotANumber
	}
	e.Size = n
	mt, ok1 := nextToken(line, size.end)
	dt, ok2 := nextToken(line, mt.end)
	tt, ok3 := nextToken(line, dt.end)
	if !ok1 || !ok2 || !ok3 {
		return 0, errSyntaxNoDate
	}
	d, ok := p.lsTextDate(line, mt, dt, tt)
	if !ok {
		return 0, errTimeBadDate
	}
	e.ModTime, e.Precision = d.t, d.prec
	start := skipSpaces(line, tt.end)
	if start >= len(line) {
		return 0, errNameMissing
	}
	e.Name = line[start:]
	return gotEntry, nil
}
