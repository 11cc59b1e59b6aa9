package listing

import (
	"strings"
	"time"
)

// EPLF, D. J. Bernstein's Easily Parsed LIST Format
// (https://cr.yp.to/ftp/list/eplf.html): "+", comma-separated facts, a tab,
// the name. Facts: "/" CWD works (a directory), "r" RETR works (a file),
// "s<size>", "m<mtime>" in seconds since 1970 UTC, "i<id>" a unique id,
// "up<octal>" permissions. Unknown facts are ignored.

func parseEPLF(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) {
		return skipped, nil
	}
	if line[0] != '+' {
		return 0, errSyntaxNoLeading
	}
	tab := strings.IndexByte(line, '\t')
	if tab < 0 {
		return 0, errSyntaxNoTabBeforeTheName
	}
	e.Name = line[tab+1:]
	e.Size = -1
	e.Type = Other
	dir, file := false, false
	facts := line[1:tab]
	for facts != "" {
		var f string
		if i := strings.IndexByte(facts, ','); i >= 0 {
			f, facts = facts[:i], facts[i+1:]
		} else {
			f, facts = facts, ""
		}
		if f == "" {
			continue
		}
		switch f[0] {
		case '/':
			dir = true
		case 'r':
			file = true
		case 's':
			n, ok := parseUint(f[1:])
			if !ok {
				return 0, errSizeSFact
			}
			e.Size = n
		case 'm':
			n, ok := parseUint(f[1:])
			// Years past 9999 are not dates a listing can mean.
			if !ok || n > 253402300799 {
				return 0, errTimeMFact
			}
			e.ModTime = time.Unix(n, 0).UTC()
			e.Precision = PrecisionSecond
		case 'u':
			if len(f) > 1 && f[1] == 'p' {
				m, ok := parseOctalMode(f[2:])
				if !ok {
					return 0, errFactsUpFact
				}
				e.Mode |= m
				e.PermKnown = true
			}
		}
	}
	switch {
	case dir:
		e.Type = Dir
	case file:
		e.Type = File
	}
	return gotEntry, nil
}
