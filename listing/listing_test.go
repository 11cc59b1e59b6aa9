package listing

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

func TestParseMLST(t *testing.T) {
	for _, tt := range []struct {
		line, name string
		typ        Type
		size       int64
	}{
		// RFC 3659 7.7.1: one leading space, a full path.
		{" Type=file;Size=1024990;Perm=r; /tmp/cap60.pl198.tar.gz", "/tmp/cap60.pl198.tar.gz", File, 1024990},
		// RFC 3659 7.7.4: the final ";" missing.
		{" Type=dir;Perm=el;Unique=keVO1+ZF4 test", "test", Dir, -1},
		// Two spaces of indentation (rclone#8403) and none (jlaffaye a8857c3).
		{"  type=file;size=3; a b", "a b", File, 3},
		{"type=file;size=3; a b", "a b", File, 3},
		// No facts: the indentation, then the separator space, then the
		// name; no type fact, so the kind of object is unknown.
		{"  x", "x", Other, -1},
		{"   x", " x", Other, -1},
		// MLST of the root: the name is "/" itself (ProFTPD, vsftpd).
		{" type=cdir;modify=20240101000000;UNIX.mode=0755; /", "/", Dir, -1},
		// Facts but no type fact (a server that leaves it out).
		{" size=12;modify=20240101000000; /pub/x", "/pub/x", Other, 12},
	} {
		e, err := ParseMLST(tt.line)
		if err != nil {
			t.Errorf("ParseMLST(%q): %v", tt.line, err)
			continue
		}
		if e.Name != tt.name || e.Type != tt.typ || e.Size != tt.size || e.Raw != tt.line {
			t.Errorf("ParseMLST(%q) = %q %v %d raw %q, want %q %v %d", tt.line, e.Name, e.Type, e.Size, e.Raw, tt.name, tt.typ, tt.size)
		}
	}
	_, err := ParseMLST(" Type=file;Size=x; f")
	var le *LineError
	if !errors.As(err, &le) || !errors.Is(err, ErrSize) || le.Raw != " Type=file;Size=x; f" {
		t.Errorf("bad size: err = %v", err)
	}
}

func TestFacts(t *testing.T) {
	e, err := ParseLine("Type=file;Size=12;Modify=19990929003355.237;UNIX.mode=04755;x.custom=a=b; f", MLSx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := e.Fact("MODIFY"); !ok || v != "19990929003355.237" {
		t.Errorf("Fact(MODIFY) = %q, %v", v, ok)
	}
	if _, ok := e.Fact("perm"); ok {
		t.Error("Fact(perm) found on a line without it")
	}
	m := e.Facts()
	if len(m) != 5 || m["unix.mode"] != "04755" || m["x.custom"] != "a=b" || m["type"] != "file" {
		t.Errorf("Facts() = %v", m)
	}
	want := time.Date(1999, 9, 29, 0, 33, 55, 237000000, time.UTC)
	if !e.ModTime.Equal(want) || e.Precision != PrecisionSubsecond {
		t.Errorf("ModTime = %v %v, want %v subsecond", e.ModTime, e.Precision, want)
	}
	if e.Mode != fs.ModeSetuid|0o755 || !e.PermKnown {
		t.Errorf("Mode = %v", e.Mode)
	}
	u, _ := ParseLine("-rw-r--r-- 1 a b 1 Jan  1  2000 f", Unix, Options{})
	if u.Facts() != nil {
		t.Error("a Unix entry has facts")
	}
}

func TestCurrentAndParent(t *testing.T) {
	lines := []string{
		"type=cdir;modify=20240101000000; /pub",
		"type=pdir;modify=20240101000000; /",
		"type=dir;modify=20240101000000; .",
		"type=file;size=1; ..",
	}
	entries, errs := Parse(lines, Options{Now: testNow})
	if len(errs) != 0 || len(entries) != 4 {
		t.Fatalf("entries %d, errs %v", len(entries), errs)
	}
	got := [][2]bool{}
	for i := range entries {
		got = append(got, [2]bool{entries[i].IsCurrentDir(), entries[i].IsParentDir()})
	}
	want := [][2]bool{{true, false}, {false, true}, {false, false}, {false, false}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%q: cdir/pdir = %v, want %v (the type fact, not the name, decides)", lines[i], got[i], want[i])
		}
	}
	unix, _ := Parse([]string{
		"drwxr-xr-x  2 a b 1 Jan  1  2000 .",
		"drwxr-xr-x  2 a b 1 Jan  1  2000 ..",
	}, Options{Now: testNow})
	if !unix[0].IsCurrentDir() || !unix[1].IsParentDir() {
		t.Error(`"." and ".." of a Unix listing not recognised`)
	}
}

func TestRecursiveSections(t *testing.T) {
	lines := []string{
		".:",
		"total 8",
		"drwxr-xr-x 2 ftp ftp 4096 Jan  1  2024 sub",
		"-rw-r--r-- 1 ftp ftp    5 Jan  1  2024 top.txt",
		"",
		"./sub:",
		"total 4",
		"-rw-r--r-- 1 ftp ftp    7 Jan  2  2024 inner.txt",
	}
	entries, errs := Parse(lines, Options{Now: testNow})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Dir+"|"+e.Name)
	}
	if strings.Join(got, " ") != ".|sub .|top.txt ./sub|inner.txt" {
		t.Errorf("got %v", got)
	}
}

func TestNothingDroppedSilently(t *testing.T) {
	lines := []string{
		"total 3",
		"-rw-r--r-- 1 ftp ftp 5 Jan  1  2024 good1",
		"-rw-r--r-- 1 ftp ftp 5 Jan 41  2024 bad-day",
		"garbage that is no entry",
		"",
		"-rw-r--r-- 1 ftp ftp 5 Jan  1  2024 good2",
	}
	entries, errs := Parse(lines, Options{Now: testNow})
	if len(entries) != 2 || entries[0].Name != "good1" || entries[1].Name != "good2" {
		t.Errorf("entries = %v", entries)
	}
	if len(errs) != 2 || errs[0].Line != 3 || errs[1].Line != 4 || errs[1].Raw != lines[3] {
		t.Fatalf("errs = %v", errs)
	}
	if !errors.Is(errs[0], ErrTime) || !errors.Is(errs[1], ErrSyntax) || errs[0].Format != Unix {
		t.Errorf("errs = %v", errs)
	}
	msg := errs[0].Error()
	if !strings.Contains(msg, "line 3") || !strings.Contains(msg, "unix") || !strings.Contains(msg, `"-rw-r--r-- 1 ftp ftp 5 Jan 41  2024 bad-day"`) {
		t.Errorf("message %q lacks line, format or raw line", msg)
	}
}

func TestUnknownFormat(t *testing.T) {
	lines := []string{"hello", "", "world"}
	if f := Detect(lines, ""); f != Auto {
		t.Errorf("Detect = %v", f)
	}
	entries, errs := Parse(lines, Options{Now: testNow})
	if len(entries) != 0 || len(errs) != 2 || !errors.Is(errs[0], ErrNoFormat) || errs[1].Line != 3 {
		t.Errorf("entries %v errs %v", entries, errs)
	}
}

// TestFeedVMSWrapped drives a Parser by hand over VMS records wrapped onto
// two lines, including one whose continuation never comes.
func TestFeedVMSWrapped(t *testing.T) {
	p := NewParser(Options{Format: VMS, Now: testNow})
	type result struct {
		name string
		err  error
	}
	var got []result
	feed := func(l string) {
		e, ok, err := p.Feed(l)
		if err != nil {
			got = append(got, result{err: err})
		}
		if ok {
			got = append(got, result{name: e.Name})
		}
	}
	feed("LONG_NAME_ONE.TXT;1")
	feed("                  4/15   24-FEB-2003 13:17:24  [GRP,OWN]  (RWED,RWED,RE,)")
	feed("ORPHAN.TXT;1")
	feed("SHORT.TXT;2        1/3    2-JUN-1998 07:32:04  [GRP,OWN]  (RWED,RWED,RE,)")
	feed("ORPHAN2.TXT;1")
	feed("BAD.TXT;1          x/3    2-JUN-1998 07:32:04")
	feed("LAST.TXT;1")
	if err := p.Close(); err != nil {
		got = append(got, result{err: err})
	}
	want := []string{"LONG_NAME_ONE.TXT;1", "err 3 ORPHAN.TXT;1", "SHORT.TXT;2", "err 5 ORPHAN2.TXT;1", "err 6", "err 7 LAST.TXT;1"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i, g := range got {
		s := g.name
		if g.err != nil {
			var le *LineError
			if !errors.As(g.err, &le) {
				t.Fatalf("error %v is not a *LineError", g.err)
			}
			s = "err " + strconv.FormatInt(int64(le.Line), 10)
			if errors.Is(le, ErrTruncated) {
				s += " " + le.Raw
			}
		}
		if s != want[i] {
			t.Errorf("result %d = %q, want %q", i, s, want[i])
		}
	}
	e, _, _ := NewParser(Options{Format: VMS}).Feed("X.TXT;1  1  2-JUN-1998")
	if e.Size != 512 {
		t.Errorf("one block = %d bytes", e.Size)
	}
}

func TestWrappedRaw(t *testing.T) {
	entries, errs := Parse([]string{"A_LONG_NAME.TXT;1", "   2/4  2-JUN-1998 07:32:04"}, Options{Format: VMS})
	if len(errs) != 0 || len(entries) != 1 || entries[0].Raw != "A_LONG_NAME.TXT;1\n   2/4  2-JUN-1998 07:32:04" {
		t.Fatalf("entries %+v errs %v", entries, errs)
	}
}

func TestStreamingDetection(t *testing.T) {
	p := NewParser(Options{SystHint: "Windows_NT", Now: testNow})
	if _, ok, err := p.Feed("total 2"); ok || err != nil {
		t.Fatalf("total line: ok %v err %v", ok, err)
	}
	e, ok, err := p.Feed("-rw-r--r-- 1 owner group 10 Jan  1  2020 unix-on-iis.txt")
	if !ok || err != nil || p.Format() != Unix || e.Name != "unix-on-iis.txt" {
		t.Fatalf("ok %v err %v format %v", ok, err, p.Format())
	}
	if _, _, err := p.Feed("01-02-20  10:00AM  5 dos-line"); !errors.Is(err, ErrSyntax) {
		t.Errorf("a DOS line in a Unix listing: %v", err)
	}
}

func TestDetectHint(t *testing.T) {
	// IIS answers SYST with Windows_NT but may list in Unix style: the
	// lines win over the hint.
	unix := []string{"-rw-r--r-- 1 owner group 10 Jan  1  2020 a", "drwxr-xr-x 1 owner group 0 Jan  1  2020 b"}
	if f := Detect(unix, "Windows_NT"); f != Unix {
		t.Errorf("Detect = %v, want unix", f)
	}
	// Bare member names are read only as MVS.
	if f := Detect([]string{"MEMBER1", "MEMBER2"}, "MVS is the operating system of this server"); f != MVS {
		t.Errorf("Detect = %v, want mvs", f)
	}
	for syst, want := range map[string]Format{
		"UNIX Type: L8": Unix, "Windows_NT": DOS, "VMS OpenVMS V1.5 (Multinet)": VMS,
		"MVS is the operating system of this server. FTP Server is running on z/OS.": MVS,
		"OS/400 is the remote operating system. The TCP/IP version is \"V7R3M0\".":   OS400,
		"OS/2": OS2, "NETWARE  Type: L8": NetWare, "MACOS Peter's Server": NetPresenz, "": Auto, "Plan 9": Auto,
	} {
		if got := systFormat(syst); got != want {
			t.Errorf("systFormat(%q) = %v, want %v", syst, got, want)
		}
	}
}

func TestDOSClock(t *testing.T) {
	for _, tt := range []struct {
		line string
		h, m int
		err  error
	}{
		{"01-02-20  12:00AM  5 a", 0, 0, nil},
		{"01-02-20  12:30PM  5 a", 12, 30, nil},
		{"01-02-20  01:05pm  5 a", 13, 5, nil},
		{"01-02-20  11:59 PM  5 a", 23, 59, nil},
		{"01-02-20  23:59  5 a", 23, 59, nil},
		{"01-02-20  13:00PM  5 a", 0, 0, ErrTime},
		{"01-02-20  00:00AM  5 a", 0, 0, ErrTime},
		{"01-02-20  24:01  5 a", 0, 0, ErrTime},
		{"13-02-20  10:00  5 a", 0, 0, ErrTime},
		{"01-02-20  10:00  5x a", 0, 0, ErrSize},
	} {
		e, err := ParseLine(tt.line, DOS, Options{})
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%q: err = %v, want %v", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil || e.ModTime.Hour() != tt.h || e.ModTime.Minute() != tt.m {
			t.Errorf("%q: %v %v, want %02d:%02d", tt.line, e.ModTime, err, tt.h, tt.m)
		}
	}
	// Dates read in the listing's order, and forced.
	e, err := ParseLine("02-01-20  10:00  5 a", DOS, Options{DateOrder: DMY})
	if err != nil || e.ModTime.Month() != time.January || e.ModTime.Day() != 2 {
		t.Errorf("DMY: %v %v", e.ModTime, err)
	}
	entries, _ := Parse([]string{"02-01-20  10:00  5 a", "25-12-19  10:00  5 b"}, Options{Format: DOS})
	if len(entries) != 2 || entries[0].ModTime.Month() != time.January {
		t.Errorf("day-first listing guessed wrong: %v", entries)
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct {
		line string
		f    Format
		err  error
		name string
	}{
		{"-rw-r--r-- 1 a b 1 Jan  1  2000 a/b", Unix, ErrName, ""},
		{"-rw-r--r-- 1 a b 1 Jan  1  2000 a\x00b", Unix, ErrName, ""},
		{"type=file; a\x00b", MLSx, ErrName, ""},
		{"type=file; /abs/path", MLSx, nil, "/abs/path"},
		{"drwxr-xr-x 1 a b 1 Jan  1  2000 dir/", Unix, nil, "dir"},
		{"-rw-r--r-- 1 a b 1 Jan  1  2000 \xff\xfe", Unix, nil, "\xff\xfe"},
		{"-rw-r--r-- 1 a b 1 Jan  1  2000 ", Unix, ErrName, ""},
	} {
		e, err := ParseLine(tt.line, tt.f, Options{})
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%q: err = %v, want %v", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil || e.Name != tt.name {
			t.Errorf("%q: name %q err %v, want %q", tt.line, e.Name, err, tt.name)
		}
	}
}

func TestISODates(t *testing.T) {
	e, err := ParseLine("-rw-r--r-- 1 a b 7 2024-03-01 10:11:12.500000000 +0100 f", Unix, Options{})
	want := time.Date(2024, 3, 1, 9, 11, 12, 500000000, time.UTC)
	if err != nil || !e.ModTime.Equal(want) || e.Precision != PrecisionSubsecond || e.Name != "f" {
		t.Errorf("full-iso: %v %v %q %v", e.ModTime, e.Precision, e.Name, err)
	}
	e, err = ParseLine("-rw-r--r-- 1 a b 7 2024-03-01 10:11 f", Unix, Options{})
	if err != nil || e.Precision != PrecisionMinute || e.ModTime.Minute() != 11 {
		t.Errorf("long-iso: %v %v %v", e.ModTime, e.Precision, err)
	}
}

func TestStrings(t *testing.T) {
	for f := Auto; f < numFormats; f++ {
		g, ok := ParseFormat(strings.ToUpper(f.String()))
		if !ok || g != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), g, ok)
		}
	}
	if _, ok := ParseFormat("cpm"); ok {
		t.Error("ParseFormat accepted an unknown name")
	}
	if Format(200).String() != "Format(200)" || Type(9).String() != "Type(9)" || Precision(9).String() != "Precision(9)" ||
		DateOrder(9).String() != "DateOrder(9)" {
		t.Error("out-of-range String")
	}
	if Link.String() != "link" || PrecisionSubsecond.String() != "subsecond" || YMD.String() != "ymd" {
		t.Error("String names")
	}
}

func TestParseLineNoEntry(t *testing.T) {
	if _, err := ParseLine("total 5", Unix, Options{}); !errors.Is(err, ErrSyntax) {
		t.Errorf("total line: %v", err)
	}
	if _, err := ParseLine("x", Auto, Options{}); !errors.Is(err, ErrNoFormat) {
		t.Errorf("Auto: %v", err)
	}
	if _, err := ParseLine("NAME.TXT;1", VMS, Options{}); !errors.Is(err, ErrTruncated) {
		t.Errorf("wrapped VMS name alone: %v", err)
	}
}

func TestLsMarks(t *testing.T) {
	for _, line := range []string{
		"-rw-r--r--@ 1 user  staff  10 Jan  1  2020 xattr",   // macOS extended attributes
		"-rw-r--r--. 1 root  root   10 Jan  1  2020 selinux", // SELinux context
		"-rw-r--r--+ 1 root  root   10 Jan  1  2020 acl",     // POSIX ACL
	} {
		e, err := ParseLine(line, Unix, Options{})
		if err != nil || e.Size != 10 || e.Owner == "" || e.Mode != 0o644 {
			t.Errorf("%q: %+v %v", line, e, err)
		}
	}
	// busybox pads the link count and prints numeric ids when names are unknown.
	e, err := ParseLine("-rw-r--r--    1 1000     1000       4294967296 Jan  1 00:00 four-gib", Unix, Options{Now: testNow})
	if err != nil || e.Size != 4<<30 || e.Owner != "1000" || e.Group != "1000" {
		t.Errorf("busybox: %+v %v", e, err)
	}
}

// TestStreamingHeaders checks that a streaming parser without a format
// takes a VMS or MVS header, or a wrapped VMS name, as its cue.
func TestStreamingHeaders(t *testing.T) {
	for _, tt := range []struct {
		lines []string
		want  Format
		names string
	}{
		{[]string{"Directory USER1:[TEMP]", "", "LONG_NAME.TXT;1", "   4/15  24-FEB-2003 13:17:24", "", "Total of 1 file, 4/15 blocks."}, VMS, "LONG_NAME.TXT;1"},
		{[]string{"Name      VV.MM   Created       Changed      Size  Init   Mod   Id", "MEMBER1", "MEMBER2"}, MVS, "MEMBER1 MEMBER2"},
		{[]string{"LONG_NAME.TXT;1", "   4/15  24-FEB-2003 13:17:24"}, VMS, "LONG_NAME.TXT;1"},
	} {
		p := NewParser(Options{Now: testNow})
		var names []string
		for _, l := range tt.lines {
			e, ok, err := p.Feed(l)
			if err != nil {
				t.Errorf("%q: %v", l, err)
			}
			if ok {
				names = append(names, e.Name)
			}
		}
		if err := p.Close(); err != nil {
			t.Error(err)
		}
		if p.Format() != tt.want || strings.Join(names, " ") != tt.names {
			t.Errorf("format %v names %q, want %v %q", p.Format(), names, tt.want, tt.names)
		}
	}
}

func TestSectionHeaderNeedsBlankLine(t *testing.T) {
	_, errs := Parse([]string{
		"-rw-r--r-- 1 ftp ftp 5 Jan  1  2024 a",
		"not a heading:",
	}, Options{Format: Unix, Now: testNow})
	if len(errs) != 1 || errs[0].Line != 2 {
		t.Errorf("a colon line between entries must be reported, got %v", errs)
	}
}
