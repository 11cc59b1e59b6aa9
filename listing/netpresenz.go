package listing

// NetPresenz and WebSTAR, FTP servers for classic Mac OS, print ls-like
// lines whose middle columns are not owner and group: a directory shows
// "folder" and its item count, a file its resource fork, data fork and
// total sizes (the total being the sum of the two forks):
//
//	drwxrwxr-x               folder        2 May 10  1996 Documents
//	-rw-r--r--    54149       27826    81975 Jul 22  2010 09.jpg
//
// Everything else, including the name after exactly one space, is read as
// in [Unix].

func parseNetPresenz(p *Parser, line string, e *Entry) (outcome, error) {
	if isBlank(line) || isTotalLine(line) {
		return skipped, nil
	}
	if err := parseLs(p, line, e); err != nil {
		return 0, err
	}
	// parseLs read the middle columns as link count, owner and group;
	// check they have the NetPresenz shape instead.
	raw := line[10:]
	t1, _ := nextToken(raw, 0)
	t2, _ := nextToken(raw, t1.end)
	a, b := raw[t1.start:t1.end], raw[t2.start:t2.end]
	switch {
	case a == "folder":
		if e.Type != Dir {
			return 0, errSyntaxFolderThatIsNotADirectory
		}
		e.Size = -1 // the column counts items, not bytes
	default:
		if e.Size < 0 && allDigits(a) && allDigits(b) {
			break // total too large to check (2^64-1: unknown)
		}
		rsrc, ok1 := parseUint(a)
		data, ok2 := parseUint(b)
		if !ok1 || !ok2 || e.Size < 0 || rsrc > e.Size || e.Size-rsrc != data {
			return 0, errSyntaxForksDoNotAddUpToTheSize
		}
	}
	e.Owner, e.Group = "", ""
	return gotEntry, nil
}
