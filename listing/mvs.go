package listing

import "strings"

// z/OS (MVS) FTP server listings come in three kinds, each announced by a
// column header:
//
// Datasets (a qualifier level):
//
//	Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname
//	WYOSPT 3420   2003/05/21  1  200  FB      80  8053  PS  USER.DATA
//	WPTA01 3290   2004/03/04  1    3  FB      80  3125  PO  USER.PDS
//	Migrated                                                USER.OLD
//
// Members of a partitioned dataset (PO: a directory), with ISPF
// statistics, load-module attributes or nothing but the name:
//
//	Name     VV.MM   Created       Changed      Size  Init   Mod   Id
//	MEMBER1  01.03 2002/09/12 2002/10/11 09:37    11    11     0 KIL001
//	LOADMOD  00B308 000411  00 FO                31    ANY
//	BARE
//
// and JES jobs (SITE FILETYPE=JES):
//
//	JOBNAME  JOBID    OWNER    STATUS CLASS
//	IBMUSER2 JOB01906 IBMUSER  OUTPUT A        RC=0000 3 spool files
//
// Dataset sizes are not listed (Used counts tracks), so Size is -1; member
// "Size" counts records, not bytes, so it is not reported either. A
// dataset's Referred column is the date of last use, not of modification,
// so datasets have no ModTime.

func parseMVS(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) {
		return skipped, nil
	}
	switch {
	case strings.HasPrefix(line, "Volume "):
		p.mvsKind = 'd'
		return skipped, nil
	case strings.HasPrefix(line, "Name ") && strings.Contains(line, "VV.MM") ||
		strings.HasPrefix(line, " Name ") || line == "Name":
		p.mvsKind = 'm'
		return skipped, nil
	case strings.HasPrefix(line, "JOBNAME "):
		p.mvsKind = 'j'
		return skipped, nil
	}
	var toks [12]span
	n := 0
	for pos := 0; n < len(toks); n++ {
		t, ok := nextToken(line, pos)
		if !ok {
			break
		}
		toks[n] = t
		pos = t.end
	}
	tok := func(i int) string { return line[toks[i].start:toks[i].end] }
	e.Size = -1
	e.Type = File

	if n >= 2 && (p.mvsKind == 'j' || p.mvsKind == 0) && isJobID(tok(1)) {
		// A job: its id is what RETR takes.
		e.Name = tok(1)
		e.Owner = tok(0)
		return gotEntry, nil
	}
	if p.mvsKind != 'm' {
		if ok, err := mvsDataset(p, line, toks[:n], e); ok || err != nil {
			return gotEntry, err
		}
		if p.mvsKind == 'd' {
			return 0, errSyntaxNotADatasetLine
		}
	}
	return gotEntry, mvsMember(p, line, toks[:n], e)
}

// isJobID reports JES job ids: JOB, TSU or STC and five digits, or J and
// seven.
func isJobID(s string) bool {
	switch {
	case len(s) == 8 && (strings.HasPrefix(s, "JOB") || strings.HasPrefix(s, "TSU") ||
		strings.HasPrefix(s, "STC")):
		return allDigits(s[3:])
	case len(s) == 8 && s[0] == 'J':
		return allDigits(s[1:])
	}
	return false
}

// mvsDataset reads a dataset line. It returns false, nil when the line
// does not have a dataset's shape.
func mvsDataset(p *Parser, line string, toks []span, e *Entry) (bool, error) {
	n := len(toks)
	if n < 2 {
		return false, nil
	}
	tok := func(i int) string { return line[toks[i].start:toks[i].end] }
	e.Name = tok(n - 1)
	switch {
	case tok(0) == "Migrated" || tok(0) == "MIGRAT":
		return true, nil
	case strings.Contains(line, "Pseudo Directory"):
		e.Type = Dir
		return true, nil
	case strings.Contains(line, "Not Direct Access Device"), n >= 3 && tok(1) == "Tape":
		return true, nil
	}
	if n < 3 || !(allDigits(tok(1)) && len(tok(1)) == 4) {
		return false, nil
	}
	ref := tok(2)
	switch {
	case ref == "VSAM" || ref == "**NONE**":
	case len(ref) == 10 && ref[4] == '/':
		// Referred is the date the dataset was last opened, read or
		// written: not a modification time, so it is checked but not
		// reported.
		if _, _, _, ok := numericDate(ref, YMD); !ok {
			return true, errTimeBadReferredDate
		}
	default:
		return false, nil
	}
	if n >= 4 && strings.HasPrefix(tok(n-2), "PO") {
		e.Type = Dir // a partitioned dataset holds members
	}
	return true, nil
}

// mvsMember reads a PDS member line.
func mvsMember(p *Parser, line string, toks []span, e *Entry) error {
	n := len(toks)
	if n == 0 || toks[0].start != 0 {
		return errSyntaxMemberNameNotInTheFirstColumn
	}
	tok := func(i int) string { return line[toks[i].start:toks[i].end] }
	e.Name = tok(0)
	if n == 1 {
		p.weak = p.mvsKind == 0 // a bare name is any word unless a header came first
		return nil
	}
	v := tok(1)
	switch {
	case len(v) == 5 && v[2] == '.' && allDigits(v[:2]) && allDigits(v[3:]):
		// ISPF statistics: VV.MM created changed HH:MM size init mod id.
		if n < 5 {
			return errSyntaxShortStatistics
		}
		y, m, d, ok := numericDate(tok(3), YMD)
		if !ok {
			return errTimeBadChangedDate
		}
		h, mi, sec, _, prec, ok := parseClock(tok(4), false)
		if !ok || h > 23 {
			return errTimeBadChangedTime
		}
		e.ModTime = p.date(y, m, d, h, mi, sec, 0)
		e.Precision = prec
	case len(v) == 6 && isHex(v):
		// Load module: the size in hex.
		var size int64
		for i := 0; i < len(v); i++ {
			size = size<<4 | int64(hexVal(v[i]))
		}
		e.Size = size
	default:
		return errSyntaxUnknownMemberStatistics
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if hexVal(s[i]) < 0 {
			return false
		}
	}
	return s != ""
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}
