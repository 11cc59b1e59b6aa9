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
// marks, group names with spaces and ISO dates), MS-DOS/IIS/Windows CE
// ([DOS]), EPLF ([EPLF]), OpenVMS ([VMS]), z/OS MVS datasets, PDS members
// and JES jobs ([MVS]), IBM i ([OS400]), OS/2 ([OS2]), NetWare ([NetWare])
// and NetPresenz/WebSTAR for classic Mac OS ([NetPresenz]).
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
// "total N", "ls -lR" section headers, VMS and MVS column headers), or
// reported as a [*LineError] carrying the raw line; the lines after a bad
// line are still parsed.
//
// # Names and times
//
// Names are byte-exact substrings of the input: nothing is decoded or
// normalised. Two exceptions: a directory suffix some formats add is
// removed (a trailing "/" on IBM i and in "ls -p" output, ".DIR;N" on
// VMS), and in column formats that pad the name (DOS, OS/2, NetWare, IBM
// i) leading spaces cannot be told from padding and are dropped. Unix and
// MLSx names keep every space after the one separator. A name never contains
// NUL, and contains "/" only in formats where that is legal (MLSx, whose
// cdir/pdir and MLST names may be paths, and IBM i members written
// FILE/MEMBER).
//
// MLSx and EPLF times are UTC. Every other format is read in
// [Options.Location]. A date without a year ("Mar  2 15:13") gets the most
// recent year that does not put it more than one day after [Options.Now];
// the day of slack absorbs clock skew and time zone differences, and
// "Feb 29" resolves to a leap year. [Entry.Precision] says how much of
// [Entry.ModTime] the server actually sent.
package listing
