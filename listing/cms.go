package listing

import (
	"strings"
	"time"
)

// IBM VM/CMS (z/VM) minidisk and SFS listings, in the FILELIST layout or
// the FTP server's own, with or without a file mode column:
//
//	Filename FileType  Fm Format Lrecl  Records Blocks Date      Time
//	PROFILE  EXEC      A1 V      17     3      1       9/12/91   12:39:07
//	AUTHORS            A1 DIR    -      -      -       9/20/99   10:31:11
//	README   ANONYMOU V         71         26          1 1997-04-02 12:33:20 TCP291
//	OMA00215 PLAN     V         64         28          1  6/26/02  9:33:21 -
//
// A file is retrieved as FILENAME.FILETYPE, which is the entry's name;
// SFS directories (format DIR) have no file type. The size is exact only
// for fixed-length records (lrecl times records); for variable-length
// records the listing gives only an upper bound, so the size is unknown.

func parseCMS(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) {
		return skipped, nil
	}
	if strings.HasPrefix(line, "Filename ") && strings.Contains(line, "FileType") {
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
	if n == 0 || toks[0].start != 0 {
		return 0, errSyntaxNameNotInTheFirstColumn
	}
	tok := func(i int) string { return line[toks[i].start:toks[i].end] }
	// The record format column comes second, third or fourth, and is
	// followed by lrecl, records, blocks, date and time.
	k := -1
	for i := 1; i <= 3 && i+5 < n; i++ {
		if f := tok(i); f == "F" || f == "V" || f == "DIR" {
			k = i
			break
		}
	}
	if k < 0 {
		return 0, errSyntaxNoRecordFormat
	}
	name, ftype := tok(0), ""
	switch {
	case k == 3: // name, type, mode
		ftype = tok(1)
		if !cmsFileMode(tok(2)) {
			return 0, errSyntaxUnexpectedColumn
		}
	case k == 2 && cmsFileMode(tok(1)): // a directory with a mode, no type
	case k == 2:
		ftype = tok(1)
	}
	dir := tok(k) == "DIR"
	lrecl, recs, blocks := tok(k+1), tok(k+2), tok(k+3)
	if dir {
		if lrecl != "-" || recs != "-" || blocks != "-" {
			return 0, errSyntaxUnexpectedColumn
		}
		if ftype != "" {
			return 0, errSyntaxUnexpectedColumn
		}
		e.Type, e.Size = Dir, -1
		e.Name = name
	} else {
		l, ok1 := parseUint(lrecl)
		r, ok2 := parseUint(recs)
		_, ok3 := parseUint(blocks)
		if !ok1 || !ok2 || !ok3 {
			return 0, errSizeNotANumber
		}
		e.Type, e.Size = File, -1
		if tok(k) == "F" && (l == 0 || r <= (1<<62)/l) {
			e.Size = l * r
		}
		if ftype == "" {
			return 0, errSyntaxNoFileType
		}
		// The one name of this package that is not a substring of its
		// line: RETR wants FILENAME.FILETYPE.
		e.Name = name + "." + ftype
	}
	ds, ts := tok(k+4), tok(k+5)
	var (
		y  int
		m  time.Month
		d  int
		ok bool
	)
	if len(ds) == 10 && ds[4] == '-' {
		y, m, d, ok = numericDate(ds, YMD)
	} else {
		y, m, d, ok = numericDate(ds, MDY)
	}
	if !ok {
		return 0, errTimeBadDate
	}
	h, mi, sec, _, prec, ok := parseClock(ts, false)
	if !ok || h > 23 || prec != PrecisionSecond {
		return 0, errTimeBadTime
	}
	e.ModTime = p.date(y, m, d, h, mi, sec, 0)
	e.Precision = PrecisionSecond
	if k+6 < n {
		if o := tok(k + 6); o != "-" {
			e.Owner = o
		}
		if k+7 < n {
			return 0, errSyntaxUnexpectedColumn
		}
	}
	return gotEntry, nil
}

// cmsFileMode reports a CMS file mode: a disk letter and a digit 0-6.
func cmsFileMode(s string) bool {
	return len(s) == 2 && 'A' <= s[0] && s[0] <= 'Z' && '0' <= s[1] && s[1] <= '6'
}
