package listing

import (
	"errors"
	"testing"
	"time"
)

// TestClasses has, for each class of listing line that used to be read
// wrong or not at all, real lines (from the corpus files named) and what
// they must read as. The corpus checks every line of those files; this
// test says in one place what each class is about.
func TestClasses(t *testing.T) {
	now := time.Date(2010, 11, 15, 0, 0, 0, 0, time.UTC)
	type want struct {
		name string
		typ  Type
		size int64
		time string // RFC 3339 in UTC, "" for none
	}
	for _, tc := range []struct {
		class string
		from  string // corpus file
		opts  Options
		lines []string
		want  []want
		errs  []error // line errors, in order
	}{
		{
			class: "localised month names (Russian, day first)", from: "unix-chromium-ls-25.txt",
			lines: []string{"-rw-r--r--    1 ftp      ftp           528 01 ноя 2007 README",
				"drwxr-xr-x    3 ftp      ftp          4096 15 апр 18:11 ."},
			want: []want{{"README", File, 528, "2007-11-01T00:00:00Z"}, {".", Dir, 4096, "2010-04-15T18:11:00Z"}},
		},
		{
			class: "localised month names (German, with a localised total)", from: "unix-chromium-ls-10.txt",
			lines: []string{"Gesamt 4352", "drwxr-xr-x 1  3 1            512 Mär 10  2003 private",
				"-rw------- 1  1 1        2211496 Okt 23  2007 restoresymtable"},
			want: []want{{"private", Dir, 512, "2003-03-10T00:00:00Z"}, {"restoresymtable", File, 2211496, "2007-10-23T00:00:00Z"}},
		},
		{
			class: "German day-first and Hungarian dates", from: "unix-filezilla.txt",
			lines: []string{"dr-xr-xr-x   2 root     other      2235 26. Juli, 20:10 28-datetest-ger dir",
				"-r-xr-xr-x   2 root     other      2235 2.   Okt.  2003 29-datetest-ger file",
				"dr-xr-xr-x   2 root     other      2235 szept 26 20:10 28b-datetest-hungarian dir"},
			want: []want{{"28-datetest-ger dir", Dir, 2235, "2010-07-26T20:10:00Z"}, {"29-datetest-ger file", File, 2235, "2003-10-02T00:00:00Z"},
				{"28b-datetest-hungarian dir", Dir, 2235, "2010-09-26T20:10:00Z"}},
		},
		{
			class: "CJK dates with units (UTF-8 year first, Shift-JIS, EUC)", from: "unix-filezilla.txt",
			lines: []string{"drwxr-xr-x   5 root     sys          512 2005\xeb\x85\x84  1\xec\x9b\x94  6\xec\x9d\xbc 54-asian date year first dir",
				"-rw-r--r--   1 root       sys           8473  4\x8c\x8e 18\x93\xfa 2003\x94N 32-datatest-japanese file",
				"-r--r--r-- 1 root root 2096 8\xed 17 08:52 34-asian date file"},
			want: []want{{"54-asian date year first dir", Dir, 512, "2005-01-06T00:00:00Z"}, {"32-datatest-japanese file", File, 8473, "2003-04-18T00:00:00Z"},
				{"34-asian date file", File, 2096, "2010-08-17T08:52:00Z"}},
		},
		{
			class: "numeric month and day, ISO and day-first dates", from: "unix-filezilla.txt",
			lines: []string{"-rw-r--r--   1 root     other        531 3 29 03:26 02-unix-std file",
				"-rw-r--r--   1 root     other        531 09-26 2000 05-unix-date file",
				"-rw-r--r--   1 root     other        531 2005-06-07 21:22 07-unix-date file",
				"-r-xr-xr-x   2 root     other      2235 24-04-2003 17:12 31-datetest file"},
			want: []want{{"02-unix-std file", File, 531, "2010-03-29T03:26:00Z"}, {"05-unix-date file", File, 531, "2000-09-26T00:00:00Z"},
				{"07-unix-date file", File, 531, "2005-06-07T21:22:00Z"}, {"31-datetest file", File, 2235, "2003-04-24T17:12:00Z"}},
		},
		{
			class: "unusual columns: no group, no owner and group, no link count", from: "unix-moz-nogid.txt, unix-filezilla.txt",
			lines: []string{"drwxr-xr-x  56 X.Org      22016 May  4  2001 R5contrib",
				"-r--r--r-- 0125039 12 Nov 11 2005 53-noownergroup file",
				"-r-xr-xr-x longowner longgroup123456 Feb 12 17:20 46-unix-concatsize file"},
			want: []want{{"R5contrib", Dir, 22016, "2001-05-04T00:00:00Z"}, {"53-noownergroup file", File, 12, "2005-11-11T00:00:00Z"},
				{"46-unix-concatsize file", File, 123456, "2010-02-12T17:20:00Z"}},
		},
		{
			class: "device, pipe and socket lines, names after one blank", from: "unix-ls-dev-de.txt, unix-chromium-ls-19.txt",
			lines: []string{"crw-rw----+  1 root   audio    14,  12 2009-05-19 21:09 adsp",
				"brw-rw----   1 root   disk      7,   0 2009-05-10 17:20 loop0",
				"prw-------   1 root   root           0 2009-05-19 21:09 initctl",
				"srw-rw-rw-   1 root   root           0 2009-05-19 21:10 log",
				"drwxr-xr-x    2 0        0            4096 Mar 18  2007  "},
			want: []want{{"adsp", Other, -1, "2009-05-19T21:09:00Z"}, {"loop0", Other, -1, "2009-05-10T17:20:00Z"},
				{"initctl", Other, 0, "2009-05-19T21:09:00Z"}, {"log", Other, 0, "2009-05-19T21:10:00Z"}, {" ", Dir, 4096, "2007-03-18T00:00:00Z"}},
		},
		{
			class: "Win16 name-first layout, IIS padded names, thousands separators", from: "dos-win16-supertcp.txt, dos-iis.txt",
			lines: []string{"DESIGN1.DOC          11264      05-11-95        14:20",
				"TEST~1       <DIR>     11-29-2004  22:52  Test",
				"2002-09-02  19:06                9,730 19-dos-longyear file"},
			want: []want{{"DESIGN1.DOC", File, 11264, "1995-05-11T14:20:00Z"}, {" Test", Dir, -1, "2004-11-29T22:52:00Z"},
				{"19-dos-longyear file", File, 9730, "2002-09-02T19:06:00Z"}},
		},
		{
			class: "VMS: wrapped record, server message kept as an error, bare header", from: "vms-chromium-6.txt",
			lines: []string{"ANONYMOUS:[000000]", "ANON_FTP_LOG.LOG;23",
				"                   <%SYSTEM-F-NOPRIV, insufficient privilege or object protection violation>",
				"INCOMING.DIR;1           1 16-FEB-2009 00:49 [ANONY,ANONYMOUS] (RWE,RWE,RE,RE)",
				"NOTES$NOTEBOOK.NOTE;1", "                           36   4-NOV-2009 05:55 [DECUSERVE] (RWE,RWE,,)"},
			want: []want{{"INCOMING", Dir, 512, "2009-02-16T00:49:00Z"}, {"NOTES$NOTEBOOK.NOTE;1", File, 36 * 512, "2009-11-04T05:55:00Z"}},
			errs: []error{ErrServer},
		},
		{
			class: "VM/CMS", from: "cms-moz-zvm.txt", opts: Options{SystHint: "VM is the operating system of this server."},
			lines: []string{"README   ANONYMOU V         71         26          1 1997-04-02 12:33:20 TCP291",
				"AUTHORS           DIR        -          -          - 1999-09-20 10:31:11 -",
				"SYSFILE  VMARC    F         80       2001         40 2000-07-20 17:47:35 -"},
			want: []want{{"README.ANONYMOU", File, -1, "1997-04-02T12:33:20Z"}, {"AUTHORS", Dir, -1, "1999-09-20T10:31:11Z"},
				{"SYSFILE.VMARC", File, 80 * 2001, "2000-07-20T17:47:35Z"}},
		},
		{
			class: "MVS: Referred is not a modification time; migrated, tape, VSAM, PO-E", from: "mvs-datasets.txt",
			opts: Options{Format: MVS},
			lines: []string{"Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname",
				"WYOSPT 3420   2003/05/21  1  200  FB      80  8053  PS  60-MVS.FILE",
				"Migrated\t\t\t\t69-SOME.FILE", "V43525 Tape                                             73-MSV-TAPE.FILE",
				"TSO004 3390   VSAM 64-mvs-file", "WYOSPT 3420   2003/05/21  1 3 U 6447    6447  PO-E 81-MVS.DIR"},
			want: []want{{"60-MVS.FILE", File, -1, ""}, {"69-SOME.FILE", File, -1, ""}, {"73-MSV-TAPE.FILE", File, -1, ""},
				{"64-mvs-file", File, -1, ""}, {"81-MVS.DIR", Dir, -1, ""}},
		},
		{
			class: "IBM i object types and members", from: "os400-commons-net.txt",
			opts: Options{Format: OS400},
			lines: []string{"PEP             36864 04/03/24 14:06:34 *DIR       dir1/",
				"PEP              4019 04/03/18 18:58:16 *STMF      einladung.zip",
				"QPGMR                                   *MEM       RPGUNITC1.FILE/RUCALLTST.MBR"},
			want: []want{{"dir1", Dir, 36864, "2004-03-24T14:06:34Z"}, {"einladung.zip", File, 4019, "2004-03-18T18:58:16Z"},
				{"RUCALLTST.MBR", File, -1, ""}},
		},
		{
			class: "NetWare, old and new", from: "netware-moz-hellsoft.txt, netware-chromium-3.txt",
			opts: Options{Format: NetWare},
			lines: []string{"-[RWCEMFA]  1 *unknown    13312 May 27  1997 19calit.doc",
				"d [RWCEAFMS] daniel                            512 May 17  2010 NVP anyagok"},
			want: []want{{"19calit.doc", File, 13312, "1997-05-27T00:00:00Z"}, {"NVP anyagok", Dir, 512, "2010-05-17T00:00:00Z"}},
		},
		{
			class: "NetPresenz size past int64 is unknown", from: "netpresenz.txt",
			opts:  Options{Format: NetPresenz},
			lines: []string{"-rw-r--r--        0   18446744073709551615 18446744073709551615 Nov 16  2006 VIDEO_TS.VOB"},
			want:  []want{{"VIDEO_TS.VOB", File, -1, "2006-11-16T00:00:00Z"}},
		},
		{
			class: "MLSD without a type fact", from: "mlsx-rfc3659.txt, mlsx-servers.txt",
			opts:  Options{Format: MLSx},
			lines: []string{"Size=; /empty/size", "type=file;size=839;modify=19980908010757;UNIX.mode=0644;unique=6ag5b4e47d; ftpmotd"},
			want:  []want{{"/empty/size", Other, -1, ""}, {"ftpmotd", File, 839, "1998-09-08T01:07:57Z"}},
		},
		{
			class: "rare servers: Guardian, OS-9, VxWorks, wfFtp, VShell", from: "guardian.txt, os9.txt, vxworks.txt, wfftp.txt, vshell.txt",
			lines: []string{"57-HP_NonStop 101 528 6-Apr-07 14:21:18 255, 0 \"oooo\""},
			want:  []want{{"57-HP_NonStop", File, 528, "2007-04-06T14:21:18Z"}},
		},
		{
			class: "rare servers: OS-9", from: "os9.txt", opts: Options{Format: OS9},
			lines: []string{"20.20 07/03/29 1026 d-ewrewr 2650 85920 51-OS-9 dir"},
			want:  []want{{"51-OS-9 dir", Dir, -1, "2007-03-29T10:26:00Z"}},
		},
		{
			class: "rare servers: VxWorks", from: "vxworks.txt", opts: Options{Format: VxWorks},
			lines: []string{"2048    Feb-28-1998  05:23:30   49-nortel-vxworks dir <DIR>"},
			want:  []want{{"49-nortel-vxworks dir", Dir, 2048, "1998-02-28T05:23:30Z"}},
		},
		{
			class: "rare servers: wfFtp", from: "wfftp.txt", opts: Options{Format: WFFTP},
			lines: []string{"48-nortel-wfftp-file       1014196  06/03/04  Thur.   10:20:03"},
			want:  []want{{"48-nortel-wfftp-file", File, 1014196, "2004-06-03T10:20:03Z"}},
		},
		{
			class: "rare servers: VShell", from: "vshell.txt",
			lines: []string{"206876  Apr 04, 2000 21:06 21-vshell-old file", "0  Dec 12, 2002 02:13 22-vshell-old dir/"},
			want:  []want{{"21-vshell-old file", File, 206876, "2000-04-04T21:06:00Z"}, {"22-vshell-old dir", Dir, -1, "2002-12-12T02:13:00Z"}},
		},
		{
			// The first line alone would be an entry with a wrong (cut)
			// name: it is reported too.
			class: "cross-checks: a name with line breaks is errors, not an entry", from: "unix-chromium-ls-31.txt",
			lines: []string{"-rwxrwxrwx    1 1000     1000      1564767 Apr 06  2010 RUS_v_01_00_МЕТОД СБОРА И ДОКУМЕНТИРОВАНИЯ",
				"     ТРЕБОВАНИЙ К ПОРТАЛУ", ".pdf", "-rw-r--r-- 1 u g 3 Apr 06  2010 next"},
			want: []want{{"next", File, 3, "2010-04-06T00:00:00Z"}},
			errs: []error{ErrName, ErrSyntax, ErrSyntax},
		},
	} {
		t.Run(tc.class, func(t *testing.T) {
			opts := tc.opts
			opts.Now = now
			entries, errs := Parse(tc.lines, opts)
			if len(entries) != len(tc.want) {
				t.Fatalf("(%s) %d entries, want %d; errors %v", tc.from, len(entries), len(tc.want), errs)
			}
			for i, w := range tc.want {
				e := entries[i]
				tm := ""
				if !e.ModTime.IsZero() {
					tm = e.ModTime.UTC().Format(time.RFC3339)
				}
				if e.Name != w.name || e.Type != w.typ || e.Size != w.size || tm != w.time {
					t.Errorf("(%s) %q:\n got %q %v %d %q\nwant %q %v %d %q", tc.from, e.Raw, e.Name, e.Type, e.Size, tm, w.name, w.typ, w.size, w.time)
				}
			}
			if len(errs) != len(tc.errs) {
				t.Fatalf("(%s) errors %v, want %d", tc.from, errs, len(tc.errs))
			}
			for i, want := range tc.errs {
				if !errors.Is(errs[i], want) || errs[i].Raw == "" {
					t.Errorf("(%s) error %d: %v, want %v with the raw line", tc.from, i, errs[i], want)
				}
			}
		})
	}
}
