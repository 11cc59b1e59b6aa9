package listing

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The fuzz targets feed arbitrary text, split into lines, to each parser
// and check what every caller relies on: no panic, every bad line comes
// back as a *LineError holding it, sizes are never below -1 (unknown), and
// names are non-empty substrings of their line without NUL, with "/" only
// where the format allows it. Seeds live in testdata/fuzz/<FuzzName>/.

var fuzzNow = time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)

func checkListing(t *testing.T, data string, opts Options) {
	t.Helper()
	lines := strings.Split(data, "\n")
	p := NewParser(opts)
	for i, l := range lines {
		e, ok, err := p.Feed(l)
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("line %d: error %T is not a *LineError", i+1, err)
			}
			if le.Line < 1 || le.Line > i+1 {
				t.Fatalf("line %d: error names line %d", i+1, le.Line)
			}
			if !strings.Contains(data, strings.SplitN(le.Raw, "\n", 2)[0]) {
				t.Fatalf("line %d: error Raw %q is not from the input", i+1, le.Raw)
			}
			_ = le.Error()
		}
		if ok {
			checkEntry(t, p.Format(), e)
		}
	}
	if err := p.Close(); err != nil {
		var le *LineError
		if !errors.As(err, &le) {
			t.Fatalf("Close: error %T is not a *LineError", err)
		}
	}
}

func checkEntry(t *testing.T, f Format, e Entry) {
	t.Helper()
	switch {
	case e.Size < -1:
		t.Fatalf("%q: negative size %d", e.Raw, e.Size)
	case e.Name == "":
		t.Fatalf("%q: empty name", e.Raw)
	case strings.IndexByte(e.Name, 0) >= 0:
		t.Fatalf("%q: name %q has NUL", e.Raw, e.Name)
	case f != MLSx && f != OS400 && strings.IndexByte(e.Name, '/') >= 0:
		t.Fatalf("%q: %v name %q has a slash", e.Raw, f, e.Name)
	case f != CMS && !strings.Contains(e.Raw, e.Name):
		t.Fatalf("%q: name %q is not from the line", e.Raw, e.Name)
	case f == CMS && !strings.HasPrefix(e.Raw, strings.SplitN(e.Name, ".", 2)[0]):
		t.Fatalf("%q: CMS name %q does not start the line", e.Raw, e.Name)
	case e.Type > Other:
		t.Fatalf("%q: type %d", e.Raw, e.Type)
	case e.Precision == PrecisionNone && !e.ModTime.IsZero():
		t.Fatalf("%q: a time without precision", e.Raw)
	}
	_ = e.Facts()
	_, _ = e.Fact("type")
}

func fuzzFormat(f *testing.F, format Format, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		checkListing(t, data, Options{Format: format, Now: fuzzNow})
		// The same text as one line.
		if _, err := ParseLine(strings.ReplaceAll(data, "\n", " "), format, Options{Now: fuzzNow}); err != nil {
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("ParseLine error %T", err)
			}
		}
	})
}

func FuzzMLSx(f *testing.F) {
	fuzzFormat(f, MLSx, "type=file;size=1;modify=20240101000000.5;UNIX.mode=0644; a b ")
}

func FuzzUnix(f *testing.F) {
	fuzzFormat(f, Unix, "crw-r----- 1 root kmem 0, 27 Feb 29 11:42 kmem\n./sub:\n-rw-r--r-- 1 a b 5 2024-01-01 00:00:00.1 +0100 x -> y")
}

func FuzzDOS(f *testing.F) {
	fuzzFormat(f, DOS, "2002-09-02  07:06PM  9,730 name\n02-29-24  12:00 AM  <DIR>  d")
}

func FuzzEPLF(f *testing.F) {
	fuzzFormat(f, EPLF, "+i8388621.48594,m825718503,r,s280,up755\tname")
}

func FuzzVMS(f *testing.F) {
	fuzzFormat(f, VMS, "A.DIR;1\n  1/9  2-JUN-1998 07:32:04.5  [G,O]  (RWED,RWED,RE,)")
}

func FuzzMVS(f *testing.F) {
	fuzzFormat(f, MVS, "Volume Unit\nWYOSPT 3420   2003/05/21  1  200  FB  80  8053  PO  A.B\nName VV.MM\nM 01.01 2004/06/22 2004/06/22 16:32 1 1 0 ID")
}

func FuzzOS400(f *testing.F) {
	fuzzFormat(f, OS400, "QSYS  77824 02/23/00 15:09:55 *DIR  QOpenSys/\nQPGMR  *MEM  F.FILE/M.MBR")
}

func FuzzOS2(f *testing.F) {
	fuzzFormat(f, OS2, " 1123 DIR  A    10-05-100  23:38  name")
}

func FuzzNetWare(f *testing.F) {
	fuzzFormat(f, NetWare, "d [RWCEAFMS] owner 512 Feb 29 18:53  name")
}

func FuzzNetPresenz(f *testing.F) {
	fuzzFormat(f, NetPresenz, "-rw-r--r--    54149       27826    81975 Jul 22  2010 09.jpg\ndrwxr-xr-x  folder  2 May 10  1996 d")
}

func FuzzCMS(f *testing.F) {
	fuzzFormat(f, CMS, "Filename FileType  Fm Format Lrecl  Records Blocks Date      Time\nPROFILE  EXEC      A1 V      17     3      1       9/12/91   12:39:07\nAUTHORS            A1 DIR    -      -      -       9/20/99   10:31:11")
}

func FuzzGuardian(f *testing.F) {
	fuzzFormat(f, Guardian, "File         Code             EOF  Last Modification    Owner  RWEP\nALV           101             2522 27-Aug-02 13:57:10 155, 106 \"nnnn\"")
}

func FuzzOS9(f *testing.F) {
	fuzzFormat(f, OS9, "  Owner    Last modified  Attributes Sector Bytecount Name\n 20.20 07/03/29 1026 d-ewrewr 2650 85920 CMDS")
}

func FuzzVxWorksWFFTP(f *testing.F) {
	f.Add("2048    Feb-28-1998  05:23:30   a dir <DIR>\nconfig  1014196  06/03/04  Thur.   10:20:03\n206876  Apr 04, 2000 21:06 a b/")
	f.Fuzz(func(t *testing.T, data string) {
		for _, format := range []Format{VxWorks, WFFTP, VShell} {
			checkListing(t, data, Options{Format: format, Now: fuzzNow})
		}
	})
}

// FuzzDetect runs detection and a whole-listing parse, with and without a
// SYST hint, as Conn.ReadDir will.
func FuzzDetect(f *testing.F) {
	f.Add("total 1\n-rw-r--r-- 1 a b 5 Jan  1 00:00 x", "UNIX Type: L8")
	f.Add("MEMBER\nOTHER", "MVS is the operating system of this server")
	f.Fuzz(func(t *testing.T, data, syst string) {
		lines := strings.Split(data, "\n")
		format := Detect(lines, syst)
		entries, errs := Parse(lines, Options{SystHint: syst, Now: fuzzNow})
		for _, e := range entries {
			checkEntry(t, format, e)
		}
		for _, le := range errs {
			if le.Line < 1 || le.Line > len(lines) {
				t.Fatalf("error names line %d of %d", le.Line, len(lines))
			}
		}
		// Every non-blank line is accounted for, unless skipped by a rule
		// that needs the listing's format to apply.
		if format == Auto {
			n := 0
			for _, l := range lines {
				if !isBlank(l) && !isTotalLine(l) {
					n++
				}
			}
			if len(errs) != n && len(entries) == 0 {
				t.Fatalf("auto: %d errors for %d unread lines", len(errs), n)
			}
		}
		checkListing(t, data, Options{SystHint: syst, Now: fuzzNow})
	})
}

// FuzzParseMLST checks the MLST control-line helper.
func FuzzParseMLST(f *testing.F) {
	f.Add(" Type=file;Size=1024990;Perm=r; /tmp/cap60.pl198.tar.gz")
	f.Fuzz(func(t *testing.T, line string) {
		e, err := ParseMLST(line)
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) || le.Raw != line {
				t.Fatalf("error %v does not carry the line", err)
			}
			return
		}
		if e.Raw != line {
			t.Fatalf("Raw %q, want the line", e.Raw)
		}
		checkEntry(t, MLSx, e)
	})
}
