package listing

import "strings"

// detectSample is how many lines of a listing Detect reads.
const detectSample = 100

// detectOrder is the order in which formats win ties. NetPresenz comes
// before Unix because its lines are also valid ls lines, but not the
// reverse; MVS comes last because a bare member name is any word.
var detectOrder = [...]Format{MLSx, NetPresenz, Unix, DOS, EPLF, VMS, NetWare, OS400, OS2, CMS, Guardian, OS9, VxWorks, WFFTP, VShell, MVS}

// Detect picks the format of a listing from its first lines. Each
// parser reads the sample; the one that reads the most lines as entries
// wins, then the one with fewer bad lines. Lines that are only weak
// evidence (an MLSx line without facts, a bare MVS member name with no
// column header) count only after those, and alone only for the format the
// SYST hint names. The hint breaks the remaining ties. Detect returns Auto
// when no parser reads any line.
func Detect(lines []string, systHint string) Format {
	if len(lines) > detectSample {
		lines = lines[:detectSample]
	}
	// A format that reads every line as an entry cannot be beaten, only
	// tied: stop there (the common case), after trying the hint first.
	want := 0
	for _, l := range lines {
		if !isBlank(l) && !isTotalLine(l) {
			want++
		}
	}
	perfect := func(s detectScore) bool { return s.bad == 0 && s.weak == 0 && s.strong == want && want > 0 }
	hint := systFormat(systHint)
	var scores [numFormats]detectScore
	var scored [numFormats]bool
	if hint != Auto {
		scores[hint], scored[hint] = scoreFormat(hint, lines), true
		if perfect(scores[hint]) {
			return hint
		}
	}
	best := Auto
	for _, f := range detectOrder {
		if !scored[f] {
			scores[f], scored[f] = scoreFormat(f, lines), true
		}
		s := scores[f]
		// Weak evidence alone (a list of words) is not enough to pick a
		// format the server did not announce.
		if s.strong == 0 && (s.weak == 0 || f != hint) {
			continue
		}
		if best == Auto || s.better(scores[best]) || (f == hint && !scores[best].better(s)) {
			best = f
		}
		if perfect(s) {
			break
		}
	}
	// NetPresenz lines are ls lines too, so a NetPresenz listing with a
	// few odd lines reads slightly better as Unix. Its shape (forks that
	// add up, "folder") is too specific to appear by chance: prefer it
	// when it reads most of what Unix reads.
	if np, ux := scores[NetPresenz], scores[Unix]; best == Unix && np.strong > 0 && np.strong*5 >= ux.strong*4 {
		best = NetPresenz
	}
	return best
}

// detectScore counts how a format reads a sample.
type detectScore struct{ strong, bad, weak int }

// better orders scores: more entries, then fewer bad lines, then more
// weak entries.
func (a detectScore) better(b detectScore) bool {
	if a.strong != b.strong {
		return a.strong > b.strong
	}
	if a.bad != b.bad {
		return a.bad < b.bad
	}
	return a.weak > b.weak
}

// scoreFormat reads lines as format f, without building errors.
func scoreFormat(f Format, lines []string) detectScore {
	var s detectScore
	p := NewParser(Options{Format: f})
	for _, l := range lines {
		var e Entry
		p.weak = false
		p.badTime = false
		p.line++
		out, err := p.parse(l, &e)
		p.prevBlank = isBlank(l)
		if p.cut != nil {
			s.bad++
			p.cut = nil
		}
		switch {
		case err != nil:
			s.bad++
		case out != gotEntry:
		case e.Size < -1 || checkName(e.Name, f) != nil || p.badTime:
			s.bad++
		case p.weak:
			s.weak++
		default:
			s.strong++
		}
	}
	if p.held != "" {
		s.bad++
	}
	return s
}

// systFormat maps a SYST reply to the listing format its systems usually
// send. It is only a hint: IIS answers "Windows_NT" and may list in Unix
// style, and many servers answer "UNIX" whatever they run on.
func systFormat(syst string) Format {
	s := strings.ToUpper(syst)
	switch {
	case s == "":
		return Auto
	case strings.Contains(s, "MVS"), strings.Contains(s, "Z/OS"), strings.Contains(s, "OS/390"):
		return MVS
	case strings.Contains(s, "VM/CMS"), strings.Contains(s, "Z/VM"), strings.HasPrefix(s, "VM "):
		return CMS
	case strings.Contains(s, "NONSTOP"), strings.Contains(s, "GUARDIAN"), strings.Contains(s, "TANDEM"):
		return Guardian
	case strings.Contains(s, "OS-9"), strings.Contains(s, "OS9"):
		return OS9
	case strings.Contains(s, "VXWORKS"):
		return VxWorks
	case strings.Contains(s, "OS/400"), strings.Contains(s, "OS400"):
		return OS400
	case strings.Contains(s, "VMS"):
		return VMS
	case strings.Contains(s, "OS/2"):
		return OS2
	case strings.Contains(s, "NETWARE"):
		return NetWare
	case strings.Contains(s, "MACOS"), strings.Contains(s, "MAC OS"), strings.Contains(s, "NETPRESENZ"),
		strings.Contains(s, "WEBSTAR"):
		return NetPresenz
	case strings.Contains(s, "WINDOWS"):
		return DOS
	case strings.Contains(s, "UNIX"), strings.Contains(s, "L8"):
		return Unix
	}
	return Auto
}

// guessDateOrder picks, for formats with all-numeric dates, the order that
// makes the most dates of the listing valid, preferring the format's usual
// order on ties. It returns DateAuto for other formats.
func guessDateOrder(lines []string, f Format) DateOrder {
	var orders []DateOrder
	switch f {
	case DOS:
		orders = []DateOrder{MDY, DMY, YMD}
	case OS400:
		orders = []DateOrder{YMD, MDY, DMY}
	default:
		return DateAuto
	}
	if len(lines) > 10*detectSample {
		lines = lines[:10*detectSample]
	}
	var counts [4]int
	seen := 0
	for _, l := range lines {
		ds, ok := numericDateColumn(l, f)
		// Dotted dates are always day-first (see Parser.dateOrder).
		if !ok || strings.IndexByte(ds, '.') >= 0 {
			continue
		}
		seen++
		for _, o := range orders {
			if _, _, _, ok := numericDate(ds, o); ok {
				counts[o]++
			}
		}
	}
	if seen == 0 {
		return DateAuto
	}
	best := orders[0]
	for _, o := range orders[1:] {
		if counts[o] > counts[best] {
			best = o
		}
	}
	return best
}

// numericDateColumn returns the date column of a DOS or IBM i line.
func numericDateColumn(line string, f Format) (string, bool) {
	t, ok := nextToken(line, 0)
	if !ok {
		return "", false
	}
	if f == OS400 {
		sz, ok := nextToken(line, t.end)
		if !ok || !allDigits(line[sz.start:sz.end]) {
			return "", false
		}
		if t, ok = nextToken(line, sz.end); !ok {
			return "", false
		}
	}
	s := line[t.start:t.end]
	if len(s) < 6 || !isDigit(s[0]) {
		return "", false
	}
	return s, true
}
