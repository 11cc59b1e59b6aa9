package listing

import (
	"io/fs"
	"strings"
	"time"
)

// OpenVMS DIRECTORY/FULL-like lines (MultiNet, TCPware, HP TCP/IP):
//
//	Directory USER1:[TEMP]
//
//	1-JUN.LIS;1              9/9           2-JUN-1998 07:32:04  [GROUP,OWNER]    (RWED,RWED,RWED,RE)
//	UCX$REXECD_STARTUP.LOG;1098
//	                         4/15         24-FEB-2003 13:17:24  [POSTWARE,LP]    (RWED,RWED,RE,)
//
//	Total of 2 files, 13/24 blocks.
//
// A name too long for its column is printed alone and the rest of the
// record follows on the next line (indented, or not). Sizes are used/allocated blocks of 512
// bytes. The columns after the name come in different orders on different
// servers, so they are recognised by their shape.

const vmsBlock = 512

func parseVMS(p *Parser, line string, e *Entry) (outcome, error) {
	if p.held != "" && !isBlank(line) && !isVMSHeader(line) && !vmsName(firstToken(line)) {
		name := p.held
		p.held = ""
		e.Raw = name + "\n" + line
		if isVMSMessage(line) {
			// "<%SYSTEM-F-NOPRIV, insufficient privilege…>" in place
			// of the record's columns.
			return 0, errServerMessage
		}
		if err := vmsFields(p, name, line, e); err != nil {
			return 0, err
		}
		if p.dir != "" {
			e.Dir = p.dir
		}
		return gotEntry, nil
	}
	if p.held != "" {
		// Anything but a continuation ends a held record, which Feed then
		// reports as cut off.
		p.cut = &LineError{Line: p.heldAt, Raw: p.held, Format: VMS, Err: ErrTruncated}
		p.held = ""
	}
	switch {
	case isBlank(line):
		return skipped, nil
	case isVMSHeader(line):
		if d, ok := vmsDirectory(line); ok {
			p.dir = d
		}
		return skipped, nil
	case isVMSMessage(line):
		// "%RMS-E-PRV, insufficient privilege…" on a line of its own.
		return 0, errServerMessage
	}
	nt, _ := nextToken(line, 0)
	if nt.start != 0 {
		return 0, errSyntaxContinuationLineWithoutAName
	}
	name := line[:nt.end]
	if !vmsName(name) {
		return 0, errSyntaxNoVersionInTheName
	}
	rest, more := nextToken(line, nt.end)
	if !more {
		p.held = name
		p.heldAt = p.line
		return held, nil
	}
	if msg := line[rest.start:]; isVMSMessage(msg) || isVMSNoPrivilege(msg) {
		if strings.IndexByte(name, '*') >= 0 && strings.Contains(msg, "-FNF") {
			// "*.*;0 <%RMS-E-FNF, file not found>": the wildcard
			// matched nothing, the directory is empty.
			return skipped, nil
		}
		return 0, errServerMessage
	}
	if err := vmsFields(p, name, line[nt.end:], e); err != nil {
		return 0, err
	}
	if p.dir != "" {
		e.Dir = p.dir
	}
	return gotEntry, nil
}

// isVMSHeader reports the lines around the entries: "Directory DISK:[DIR]"
// (or the bare "DISK:[DIR]" some servers print) and "Total of N files,
// U/A blocks." (or "Grand total of …").
func isVMSHeader(line string) bool {
	if strings.HasPrefix(line, "Directory ") || strings.HasPrefix(line, "Total ") ||
		strings.HasPrefix(line, "Grand total ") {
		return true
	}
	_, ok := vmsDirectory(line)
	return ok
}

// vmsDirectory returns the directory a header names: "DISK:[DIR]" alone
// on its line or after "Directory ".
func vmsDirectory(line string) (string, bool) {
	s := strings.TrimPrefix(line, "Directory ")
	s = strings.TrimRight(s, " \t")
	if s == "" || s[len(s)-1] != ']' || strings.IndexByte(s, ' ') >= 0 || strings.IndexByte(s, ';') >= 0 {
		return "", false
	}
	i := strings.Index(s, ":[")
	return s, i > 0 || (s[0] == '[' && i < 0)
}

// isVMSMessage reports an OpenVMS condition message, "%FAC-S-IDENT, text"
// or the same in angle brackets, which servers print where they could not
// read an entry.
func isVMSMessage(s string) bool {
	s = strings.TrimLeft(s, " \t")
	s = strings.TrimPrefix(s, "<")
	if len(s) < 7 || s[0] != '%' {
		return false
	}
	i := strings.IndexByte(s, '-')
	return i > 1 && i+2 < len(s) && s[i+2] == '-'
}

// isVMSNoPrivilege reports the text of SS$_NOPRIV, which some servers print
// after the name instead of the columns.
func isVMSNoPrivilege(s string) bool {
	return strings.HasPrefix(s, "No privilege") || strings.HasPrefix(s, "insufficient privilege")
}

// vmsName reports whether s is NAME.TYPE;VERSION.
func vmsName(s string) bool {
	i := strings.LastIndexByte(s, ';')
	return i > 0 && allDigits(s[i+1:])
}

// vmsFields reads the columns after the name.
func vmsFields(p *Parser, name, rest string, e *Entry) error {
	e.Size = -1
	e.Type = File
	if semi := strings.LastIndexByte(name, ';'); semi >= 4 && strings.EqualFold(name[semi-4:semi], ".DIR") {
		e.Type = Dir
		name = name[:semi-4]
	}
	if name != "" && name[0] == '[' {
		// CMU/IP prefixes each name with its directory,
		// "[VMSSERV.FILES]ALARM.DIR;1": context, not part of the name.
		if j := strings.IndexByte(name, ']'); j > 0 && j+1 < len(name) {
			if p.dir == "" {
				e.Dir = name[:j+1]
			}
			name = name[j+1:]
		}
	}
	e.Name = name
	var (
		haveSize, haveDate, havePerm bool
		y, day                       int
		mon                          time.Month
		h, mi, sec, nsec             int
		prec                         = PrecisionDay
	)
	pos := 0
	for {
		t, ok := nextToken(rest, pos)
		if !ok {
			break
		}
		pos = t.end
		s := rest[t.start:t.end]
		switch c := s[0]; {
		case c == '[':
			if e.Owner != "" {
				return errSyntaxTwoOwnerColumns
			}
			s = strings.TrimSuffix(s[1:], "]")
			if i := strings.IndexByte(s, ','); i >= 0 {
				e.Group, e.Owner = s[:i], s[i+1:]
			} else {
				e.Owner = s
			}
		case c == '(':
			m, ok := vmsPerms(s)
			if !ok || havePerm {
				return errSyntaxBadProtection
			}
			e.Mode |= m
			e.PermKnown, havePerm = true, true
		case isDigit(c) && strings.IndexByte(s, '-') > 0:
			if haveDate {
				return errTimeTwoDates
			}
			var ok bool
			if y, mon, day, ok = vmsDate(s); !ok {
				return errTimeBadDate
			}
			haveDate = true
		case isDigit(c) && strings.IndexByte(s, ':') > 0:
			var ok bool
			if h, mi, sec, nsec, prec, ok = parseClock(s, true); !ok || h > 23 {
				return errTimeBadTime
			}
		case c == '*' && strings.Trim(s, "*") == "":
			// "******": the size overflowed its column; unknown.
			if haveSize {
				return errSizeTwoSizes
			}
			haveSize = true
		case isDigit(c):
			if haveSize {
				return errSizeTwoSizes
			}
			n, ok := vmsSize(s)
			if !ok {
				return errSizeBadSize
			}
			e.Size, haveSize = n, true
		default:
			// An owner without brackets (some servers print the UIC
			// name alone).
			if e.Owner != "" || !isLetter(c) {
				return errSyntaxUnexpectedColumn
			}
			e.Owner = s
		}
	}
	if !haveSize || !haveDate {
		return errSyntaxMissingSizeOrDate
	}
	e.ModTime = p.date(y, mon, day, h, mi, sec, nsec)
	e.Precision = prec
	return nil
}

// vmsDate reads "2-JUN-1998" (month in any case).
func vmsDate(s string) (int, time.Month, int, bool) {
	i := strings.IndexByte(s, '-')
	j := strings.LastIndexByte(s, '-')
	if i < 1 || j != i+4 {
		return 0, 0, 0, false
	}
	d, ok1 := parseSmall(s[:i])
	m, ok2 := parseMonth(s[i+1 : j])
	ys := s[j+1:]
	y, ok3 := parseSmall(ys)
	if !ok1 || !ok2 || !ok3 || i > 2 || (len(ys) != 4 && len(ys) != 2) {
		return 0, 0, 0, false
	}
	y = expandYear(y, len(ys))
	if !validDate(y, m, d) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// vmsSize reads "used/allocated" or "used" blocks, or a size with a unit
// ("2KB"), into bytes.
func vmsSize(s string) (int64, bool) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		if _, ok := parseUint(s[i+1:]); !ok {
			return 0, false
		}
		s = s[:i]
	}
	mult := int64(vmsBlock)
	if n := len(s); n > 2 && (s[n-1]|0x20) == 'b' {
		switch s[n-2] | 0x20 {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		default:
			return 0, false
		}
		s = s[:n-2]
	}
	n, ok := parseUint(s)
	if !ok || n > (1<<63-1)/mult {
		return 0, false
	}
	return n * mult, true
}

// vmsPerms reads "(S,O,G,W)" protection into Unix owner/group/other bits:
// R read, W write, E execute; D (delete) has no Unix bit, and the system
// class none.
func vmsPerms(s string) (m fs.FileMode, ok bool) {
	if len(s) < 2 || s[len(s)-1] != ')' {
		return 0, false
	}
	s = s[1 : len(s)-1]
	class := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			class++
			continue
		}
		var bit fs.FileMode
		switch s[i] {
		case 'R':
			bit = 4
		case 'W':
			bit = 2
		case 'E':
			bit = 1
		case 'D':
		default:
			return 0, false
		}
		switch class {
		case 1:
			m |= bit << 6
		case 2:
			m |= bit << 3
		case 3:
			m |= bit
		}
	}
	return m, class == 4
}

func firstToken(line string) string {
	t, ok := nextToken(line, 0)
	if !ok {
		return ""
	}
	return line[t.start:t.end]
}
