package listing

import (
	"io/fs"
	"strings"
	"time"
)

// RFC 3659 section 7: an MLSD line is "fact=value;fact=value; name".
// The facts end at the first ";" followed by a space: everything after that
// space, spaces included, is the name. Servers also send a tab there, or
// (drafts before mlst-07) no final ";" at all. A line that starts with a
// space has no facts.

// splitMLSx splits an MLSx line into its facts (each "name=value;", the
// final ";" possibly missing) and its name.
func splitMLSx(line string) (facts, name string, ok bool) {
	if line == "" {
		return "", "", false
	}
	if line[0] == ' ' {
		return "", line[1:], true
	}
	for i := 0; i+1 < len(line); i++ {
		if line[i] == ';' && (line[i+1] == ' ' || line[i+1] == '\t') {
			return line[:i+1], line[i+2:], true
		}
	}
	// No "; ": an old server that leaves out the last ";". The facts then
	// end at the first space, and must still look like facts.
	if i := strings.IndexByte(line, ' '); i > 0 && looksLikeFacts(line[:i]) {
		return line[:i], line[i+1:], true
	}
	return "", "", false
}

// looksLikeFacts reports whether s starts like a fact list: a fact name of
// printable ASCII without spaces, then "=".
func looksLikeFacts(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			return i > 0
		case c <= ' ' || c >= 0x7f || c == ';':
			return false
		}
	}
	return false
}

func parseMLSx(p *Parser, line string, e *Entry) (outcome, error) {
	if line == "" {
		// Not allowed by RFC 3659, but sent by some servers at the end;
		// a line of spaces, by contrast, is a name made of spaces.
		return skipped, nil
	}
	facts, name, ok := splitMLSx(line)
	if !ok {
		return 0, errFactsNoBeforeTheName
	}
	e.Name = name
	e.Size = -1
	// Without a type fact the server has not said what the object is;
	// calling it a file would invite a RETR that may fail or fetch a
	// directory listing.
	e.Type = Other
	e.facts = facts
	p.weak = facts == ""
	var sizd int64 = -1
	f := facts
	for f != "" {
		var fact string
		fact, f = nextFact(f)
		eq := strings.IndexByte(fact, '=')
		if eq <= 0 {
			return 0, errFactsFactWithoutANameValueForm
		}
		key, val := fact[:eq], fact[eq+1:]
		for i := 0; i < len(key); i++ {
			if key[i] <= ' ' || key[i] >= 0x7f {
				return 0, errFactsFactNameWithASpaceOrControlByte
			}
		}
		// Dispatch on the length first: most facts are skipped after one
		// comparison.
		switch len(key) {
		case 4:
			switch {
			case eqLower(key, "type"):
				e.Type, e.Target = mlsxType(val)
			case eqLower(key, "size"):
				if val == "" {
					continue
				}
				n, ok := parseUint(val)
				if !ok {
					return 0, errSizeSizeFact
				}
				e.Size = n
			case eqLower(key, "sizd"):
				if n, ok := parseUint(val); ok {
					sizd = n
				}
			}
		case 6:
			if eqLower(key, "modify") {
				t, prec, ok := parseMLSxTime(val)
				if !ok {
					return 0, errTimeModifyFact
				}
				e.ModTime, e.Precision = t, prec
			}
		case 9:
			if eqLower(key, "unix.mode") {
				m, ok := parseOctalMode(val)
				if !ok {
					return 0, errFactsUNIXModeFact
				}
				e.Mode |= m
				e.PermKnown = true
			}
		case 8, 10, 14, 15:
			switch {
			case eqLower(key, "unix.ownername"),
				e.Owner == "" && (eqLower(key, "unix.owner") || eqLower(key, "unix.uid")):
				e.Owner = val
			case eqLower(key, "unix.groupname"),
				e.Group == "" && (eqLower(key, "unix.group") || eqLower(key, "unix.gid")):
				e.Group = val
			}
		}
	}
	if e.Size < 0 && sizd >= 0 {
		e.Size = sizd
	}
	return gotEntry, nil
}

// mlsxType maps a type fact to a Type, and a symlink's "OS.unix=slink:target"
// to its target.
func mlsxType(v string) (Type, string) {
	switch {
	case strings.EqualFold(v, "file"):
		return File, ""
	case strings.EqualFold(v, "dir"), strings.EqualFold(v, "cdir"), strings.EqualFold(v, "pdir"):
		return Dir, ""
	}
	const osUnix = "os.unix="
	if len(v) > len(osUnix) && strings.EqualFold(v[:len(osUnix)], osUnix) {
		kind := v[len(osUnix):]
		target := ""
		if i := strings.IndexByte(kind, ':'); i >= 0 {
			kind, target = kind[:i], kind[i+1:]
		}
		if strings.EqualFold(kind, "slink") || strings.EqualFold(kind, "symlink") {
			return Link, target
		}
		if strings.EqualFold(kind, "dir") {
			return Dir, ""
		}
		if strings.EqualFold(kind, "file") {
			return File, ""
		}
	}
	return Other, ""
}

// parseMLSxTime reads an RFC 3659 time-val, YYYYMMDDHHMMSS[.fraction], UTC.
func parseMLSxTime(s string) (time.Time, Precision, bool) {
	if len(s) < 14 {
		return time.Time{}, 0, false
	}
	var v [6]int
	widths := [6]int{4, 2, 2, 2, 2, 2}
	pos := 0
	for i, w := range widths {
		for j := 0; j < w; j++ {
			c := s[pos+j]
			if !isDigit(c) {
				return time.Time{}, 0, false
			}
			v[i] = v[i]*10 + int(c-'0')
		}
		pos += w
	}
	prec := PrecisionSecond
	nsec := 0
	if rest := s[14:]; rest != "" {
		if rest[0] != '.' {
			return time.Time{}, 0, false
		}
		n, ok := parseFraction(rest[1:])
		if !ok {
			return time.Time{}, 0, false
		}
		nsec = n
		prec = PrecisionSubsecond
	}
	m := time.Month(v[1])
	// RFC 3659 allows a leap second (60); time.Date carries it over.
	if !validDate(v[0], m, v[2]) || v[3] > 23 || v[4] > 59 || v[5] > 60 {
		return time.Time{}, 0, false
	}
	return time.Date(v[0], m, v[2], v[3], v[4], v[5], nsec, time.UTC), prec, true
}

// parseOctalMode reads a Unix mode in octal ("0755", "100644") into
// permission, setuid, setgid and sticky bits.
func parseOctalMode(s string) (fs.FileMode, bool) {
	if s == "" || len(s) > 7 {
		return 0, false
	}
	var n uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '7' {
			return 0, false
		}
		n = n<<3 | uint32(c-'0')
	}
	m := fs.FileMode(n & 0o777)
	if n&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if n&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if n&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m, true
}
