// Package listing parses FTP directory listings: RFC 3659 MLSD/MLST lines
// and the many LIST dialects real servers send.
//
// The package is pure: it does no I/O and uses only the standard library.
// Callers read the lines of a listing off the data connection (trailing CR
// and LF removed) and hand them to [Parse]:
//
//	entries, errs := listing.Parse(lines, listing.Options{
//		SystHint: systReply, // e.g. "UNIX Type: L8", optional
//		Now:      time.Now(),
//		Location: serverZone, // nil means UTC
//	})
//
// # Formats
//
// Supported formats are RFC 3659 machine listings ([MLSx]), Unix "ls -l" in
// its many variants ([Unix], including "ls -lR" sections, device files, ACL
// marks, group names with spaces, missing owner, group or link count
// columns, ISO, numeric and day-first dates, month names in other
// languages and CJK dates with unit characters in any encoding, and
// Connect:Enterprise mailboxes), MS-DOS/IIS/Windows CE and the name-first
// layout of 16-bit Windows servers ([DOS]), EPLF ([EPLF]), OpenVMS ([VMS]),
// z/OS MVS datasets, PDS members and JES jobs ([MVS]), IBM i ([OS400]),
// OS/2 ([OS2]), NetWare ([NetWare]), NetPresenz/WebSTAR for classic Mac OS
// ([NetPresenz]), IBM VM/CMS ([CMS]), HP NonStop Guardian ([Guardian]),
// Microware OS-9 ([OS9]), VxWorks ([VxWorks]), Nortel wfFtp ([WFFTP]) and
// older VShell ([VShell]). The test data holds real listings of each, with
// where each came from.
//
// # Detection
//
// The format is chosen once per listing, never per line: [Detect] tries
// every parser on a sample of the lines and keeps the one that reads the
// most of them, using the SYST reply only to break ties (many Windows
// servers answer SYST with "UNIX"). [Options.Format] forces a format.
//
// # Nothing is dropped silently
//
// A line is either an entry, skipped by a documented rule (blank lines,
// "total N" in any language, "ls -lR" section headers, column headers of
// VMS, MVS, VM/CMS, Guardian and OS-9), or reported as a [*LineError]
// carrying the raw line; the lines after a bad line are still parsed.
// Parsers cross-check what they read: a size column that is not a number,
// a date that does not exist (or a local time skipped by a daylight saving
// change), a line short of the columns its format needs, or a message the
// server printed in place of an entry ([ErrServer]) make the line an
// error, not an entry. A value the listing does not give exactly is
// unknown, not guessed: sizes past int64, rounded ("33.5k"), in blocks of
// unknown size (VM/CMS variable records) or overflowed ("******") are -1,
// and an MVS dataset's Referred date, the date of last use, is no
// modification time.
//
// # Names and times
//
// Names are byte-exact substrings of the input: nothing is decoded or
// normalised. Exceptions: a directory suffix some formats add is removed
// (a trailing "/" on IBM i, VShell and in "ls -p" output, ".DIR;N" on
// VMS, " <DIR>" on VxWorks), a VM/CMS file is named FILENAME.FILETYPE as
// RETR wants it, an IBM i member is named by itself, not FILE/MEMBER, and
// in column formats that pad the name (DOS other than IIS's fixed columns,
// OS/2, NetWare, IBM i) leading spaces cannot be told from padding and are
// dropped. Unix and MLSx names keep every space after the one separator
// (Unix servers that print a year left-aligned in the time's five columns
// pad it with one more). A name never contains NUL, and contains "/" only
// in formats where that is legal (MLSx, whose cdir/pdir and MLST names may
// be paths, "/" itself for MLST of the root, and IBM i stream files).
//
// MLSx and EPLF times are UTC. Every other format is read in
// [Options.Location]. A date without a year ("Mar  2 15:13") gets the most
// recent year that does not put it more than one day after [Options.Now];
// the day of slack absorbs clock skew and time zone differences, and
// "Feb 29" resolves to a leap year. [Entry.Precision] says how much of
// [Entry.ModTime] the server actually sent.
package listing
