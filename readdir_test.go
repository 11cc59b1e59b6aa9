package ftp_test

import (
	"errors"
	"testing"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
	"github.com/ferryftp/ftp/listing"
)

// TestReadDirListHiddenFallback: a server that takes "-a" for part of the
// path (pyftpdlib: 550) gets plain LIST for that call, but a 550 is about a
// path, so "-a" is tried again next time; a server that says it does not
// understand the option (501) gets plain LIST from then on.
func TestReadDirListHiddenFallback(t *testing.T) {
	unix := "-rw-r--r--    1 0        0               5 Nov 24 03:00 .hidden\r\n"
	list := func(arg string) []fakeftp.Step {
		return []fakeftp.Step{
			fakeftp.Expect("EPSV"), fakeftp.EPSV(),
			fakeftp.Expect("LIST " + arg), fakeftp.Reply("150 here"), fakeftp.SendData(unix), fakeftp.CloseData(), fakeftp.Reply("226 done"),
		}
	}
	refused := func(code string) []fakeftp.Step {
		return []fakeftp.Step{fakeftp.Expect("EPSV"), fakeftp.EPSV(), fakeftp.Expect("LIST -a d"), fakeftp.Reply(code)}
	}
	var script []fakeftp.Step
	script = append(script, refused("550 No such file or directory.")...)
	script = append(script, list("d")...)
	script = append(script, fakeftp.Expect("SYST"), fakeftp.Reply("215 UNIX Type: L8"))
	script = append(script, refused("550 No such file or directory.")...)
	script = append(script, list("d")...)
	script = append(script, refused("501 Invalid option -a")...)
	script = append(script, list("d")...)
	script = append(script, list("d")...)
	srv := fakeftp.New(t, steps(welcome, script))
	d := quickDialer()
	d.DisableMLSD = true
	d.ListHidden = true
	c := dialFake(t, srv, d)
	for i := 0; i < 4; i++ {
		entries, err := c.ReadDir(fakeCtx(t), "d")
		if err != nil || len(entries) != 1 || entries[0].Name != ".hidden" || entries[0].Type != listing.File {
			t.Fatalf("ReadDir %d = %+v, %v", i, entries, err)
		}
	}
}

// TestReadDirReportsBadLines: a line that should be an entry but cannot be
// read comes back in a *ListingError, and the other entries still arrive.
func TestReadDirReportsBadLines(t *testing.T) {
	data := "-rw-r--r--    1 0        0               5 Nov 24 03:00 good\r\n" +
		"-rw-r--r--    1 0        0               x Nov 24 03:00 bad size\r\n"
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("EPSV"), fakeftp.EPSV(),
		fakeftp.Expect("LIST"), fakeftp.Reply("150 here"), fakeftp.SendData(data), fakeftp.CloseData(), fakeftp.Reply("226 done"),
		fakeftp.Expect("SYST"), fakeftp.Reply("502 no"),
	))
	d := quickDialer()
	d.DisableMLSD = true
	c := dialFake(t, srv, d)
	entries, err := c.ReadDir(fakeCtx(t), "")
	var le *ftp.ListingError
	if !errors.As(err, &le) || len(le.Lines) != 1 || le.Lines[0].Raw != "-rw-r--r--    1 0        0               x Nov 24 03:00 bad size" {
		t.Fatalf("err = %v, want one unreadable line reported", err)
	}
	if len(entries) != 1 || entries[0].Name != "good" {
		t.Fatalf("entries = %+v, want the good one", entries)
	}
}

// TestReadDirOfFilePath: LIST of a file's path, which ProFTPD and
// Pure-FTPd answer with the path as the name ("dir/f.txt", and
// "./-f.txt" for a name that starts with a dash), gives the file's entry
// under its own name, as vsftpd's answer does, not an unreadable line.
func TestReadDirOfFilePath(t *testing.T) {
	list := func(arg string) []fakeftp.Step {
		return []fakeftp.Step{
			fakeftp.Expect("EPSV"), fakeftp.EPSV(),
			fakeftp.Expect("LIST " + arg), fakeftp.Reply("150 here"),
			fakeftp.SendData("-rw-r--r--   1 ferrytest ferrytest        7 Dec  4 18:18 " + arg + "\r\n"),
			fakeftp.CloseData(), fakeftp.Reply("226 done"),
		}
	}
	srv := fakeftp.New(t, steps(welcome,
		list("dir/f.txt"), fakeftp.Expect("SYST"), fakeftp.Reply("215 UNIX Type: L8"),
		list("./-f.txt"),
	))
	d := quickDialer()
	d.DisableMLSD = true
	c := dialFake(t, srv, d)
	for _, tc := range []struct{ path, want string }{{"dir/f.txt", "f.txt"}, {"-f.txt", "-f.txt"}} {
		path, want := tc.path, tc.want
		entries, err := c.ReadDir(fakeCtx(t), path)
		if err != nil || len(entries) != 1 || entries[0].Name != want || entries[0].Size != 7 {
			t.Fatalf("ReadDir(%q) = %+v, %v; want one entry %q", path, entries, err, want)
		}
	}
}
