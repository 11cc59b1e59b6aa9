package listing

import (
	"strings"
)

// IBM i (OS/400) lines, LISTFMT 0:
//
//	QSYS            77824 02/23/00 15:09:55 *DIR       QOpenSys/
//	PEP              4019 04/03/18 18:58:16 *STMF      einladung.zip
//	QPGMR                                   *MEM       RPGUNITC1.FILE/RUCALLTST.MBR
//
// owner, size, date and time (absent for members), object type, name. The
// date follows the server job's date format: see [DateOrder]. Directory
// names end with "/" (removed). Member names are FILE/MEMBER, so "/" is
// allowed inside IBM i names.

func parseOS400(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) {
		return skipped, nil
	}
	owner, ok := nextToken(line, 0)
	if !ok || owner.start != 0 {
		return 0, errSyntaxNoOwnerInTheFirstColumn
	}
	e.Owner = line[owner.start:owner.end]
	e.Size = -1
	t, ok := nextToken(line, owner.end)
	if !ok {
		return 0, errSyntaxNoObjectType
	}
	if s := line[t.start:t.end]; s[0] != '*' {
		n, ok := parseUint(s)
		if !ok {
			return 0, errSizeNotANumber
		}
		e.Size = n
		dt, ok1 := nextToken(line, t.end)
		tt, ok2 := nextToken(line, dt.end)
		if !ok1 || !ok2 {
			return 0, errSyntaxNoDateAndTime
		}
		y, m, d, ok := numericDate(line[dt.start:dt.end], p.dateOrder(line[dt.start:dt.end], YMD))
		if !ok {
			return 0, errTimeBadDate
		}
		h, mi, sec, _, prec, ok := parseClock(line[tt.start:tt.end], false)
		if !ok || h > 23 {
			return 0, errTimeBadTime
		}
		e.ModTime = p.date(y, m, d, h, mi, sec, 0)
		e.Precision = prec
		if t, ok = nextToken(line, tt.end); !ok {
			return 0, errSyntaxNoObjectType
		}
	}
	typ := line[t.start:t.end]
	if len(typ) < 2 || typ[0] != '*' {
		return 0, errSyntaxNoObjectType
	}
	e.Type = os400Type(typ[1:])
	start := skipSpaces(line, t.end)
	if start >= len(line) {
		return 0, errNameMissing
	}
	name := line[start:]
	if n := len(name); n > 1 && name[n-1] == '/' {
		name = name[:n-1]
		e.Type = Dir
	}
	if strings.EqualFold(typ, "*MEM") {
		// A member is listed with its file ("FILE.FILE/MEMBER.MBR") but
		// lives in it, so, like any entry of a directory, it is named by
		// itself.
		if i := strings.LastIndexByte(name, '/'); i >= 0 && i+1 < len(name) {
			name = name[i+1:]
		}
	}
	e.Name = name
	return gotEntry, nil
}

// os400Type maps IBM i object types: libraries, folders and directories
// hold other objects; stream files, database files, members and documents
// can be retrieved; programs, queues and the like cannot.
func os400Type(t string) Type {
	switch strings.ToUpper(t) {
	case "DIR", "LIB", "FLR", "DDIR":
		return Dir
	case "STMF", "FILE", "MEM", "DOC", "DSTMF", "USRSPC":
		return File
	case "SYMLNK":
		return Link
	}
	return Other
}
