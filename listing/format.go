package listing

import (
	"strconv"
	"strings"
	"time"
)

// Format is a directory listing dialect.
type Format uint8

// Listing formats. Auto, the zero value, asks for detection.
const (
	Auto       Format = iota
	MLSx              // RFC 3659 MLSD/MLST: "type=file;size=3; name"
	Unix              // ls -l and its relatives
	DOS               // MS-DOS, IIS, Windows CE: "04-27-00  12:09PM  <DIR>  name"
	EPLF              // Easily Parsed LIST Format: "+i8388621.48594,m825718503,r,s280,\tname"
	VMS               // OpenVMS: "NAME.EXT;1  9/9  2-JUN-1998 07:32:04  [GRP,OWN]  (RWED,RWED,RE,)"
	MVS               // z/OS datasets, PDS members and JES jobs
	OS400             // IBM i (AS/400): "QSYS  77824 02/23/00 15:09:55 *DIR  name/"
	OS2               // OS/2: "  1123  A  07-14-99  12:37  name"
	NetWare           // Novell NetWare: "d [R----F--] owner  512  Jan 16 18:53  name"
	NetPresenz        // NetPresenz/WebSTAR for Mac OS: "drwxrwxr-x  folder  2 May 10  1996 name"
	CMS               // IBM VM/CMS: "PROFILE  EXEC  A1 V  17  3  1  9/12/91  12:39:07"
	Guardian          // HP NonStop Guardian: "ALV  101  2522 27-Aug-02 13:57:10 155,106 \"nnnn\""
	OS9               // Microware OS-9: "20.20 07/03/29 1026 d-ewrewr 2650 85920 CMDS"
	VxWorks           // VxWorks: "2048    Feb-28-1998  05:23:30   name <DIR>"
	WFFTP             // Nortel wfFtp: "config  1014196  06/03/04  Thur.   10:20:03"
	VShell            // older VShell: "206876  Apr 04, 2000 21:06 name"
	numFormats
)

var formatNames = [numFormats]string{
	Auto: "auto", MLSx: "mlsx", Unix: "unix", DOS: "dos", EPLF: "eplf", VMS: "vms",
	MVS: "mvs", OS400: "os400", OS2: "os2", NetWare: "netware", NetPresenz: "netpresenz",
	CMS: "cms", Guardian: "guardian", OS9: "os9", VxWorks: "vxworks", WFFTP: "wfftp", VShell: "vshell",
}

// String returns the format's lower-case name, as accepted by [ParseFormat].
func (f Format) String() string {
	if f < numFormats {
		return formatNames[f]
	}
	return "Format(" + strconv.FormatInt(int64(f), 10) + ")"
}

// ParseFormat returns the format named s (as returned by String, compared
// without regard to case) and whether there is one.
func ParseFormat(s string) (Format, bool) {
	for f, n := range formatNames {
		if strings.EqualFold(s, n) {
			return Format(f), true
		}
	}
	return Auto, false
}

// DateOrder is the order of day, month and year in all-numeric dates
// (DOS, IBM i), which servers take from their locale.
type DateOrder uint8

// Date orders. DateAuto picks, per listing, the first order that makes
// every date of the listing valid (see [Parse]).
const (
	DateAuto DateOrder = iota
	MDY                // 04-27-00: US, the IIS default
	DMY                // 27.04.00: most of Europe
	YMD                // 00/04/27: ISO-like, the IBM i *YMD job format
)

// String returns "auto", "mdy", "dmy" or "ymd".
func (o DateOrder) String() string {
	switch o {
	case DateAuto:
		return "auto"
	case MDY:
		return "mdy"
	case DMY:
		return "dmy"
	case YMD:
		return "ymd"
	}
	return "DateOrder(" + strconv.FormatInt(int64(o), 10) + ")"
}

// Options control parsing. The zero value detects the format and reads
// times as UTC relative to the current time.
type Options struct {
	// Format forces a format; Auto detects it from the lines.
	Format Format
	// SystHint is the text of the server's SYST reply ("UNIX Type: L8",
	// "Windows_NT", "MVS is the operating system of this server…"). It only
	// breaks ties during detection and may be empty.
	SystHint string
	// Now is the reference time for year-less dates; the zero value means
	// time.Now().
	Now time.Time
	// Location is the server's time zone, used for every format whose
	// times are local (all but MLSx and EPLF); nil means UTC.
	Location *time.Location
	// DateOrder fixes the order of all-numeric dates; DateAuto guesses it
	// per listing.
	DateOrder DateOrder
}
