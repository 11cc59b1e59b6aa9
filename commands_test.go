package ftp_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

func TestChangeDir(t *testing.T) {
	for _, tt := range []struct {
		name  string
		dir   string
		steps []fakeftp.Step
		err   func(error) bool
	}{
		{"plain", "/foo", []fakeftp.Step{fakeftp.Expect("CWD /foo"), fakeftp.Reply("250 cwd ok")}, nil},
		{"empty means dot", "", []fakeftp.Step{fakeftp.Expect("CWD ."), fakeftp.Reply("250 ok")}, nil},
		{"dotdot is CDUP", "..", []fakeftp.Step{fakeftp.Expect("CDUP"), fakeftp.Reply("250 ok")}, nil},
		{"CDUP 200", "..", []fakeftp.Step{fakeftp.Expect("CDUP"), fakeftp.Reply("200 ok")}, nil},
		// The ftplib test server answers CDUP 550 "not understood"; ftplib
		// falls back only on 500. We fall back on 500 and 502, which say
		// the command is unknown, and not on 550, which is about the path.
		{"CDUP 500 falls back", "..", []fakeftp.Step{
			fakeftp.Expect("CDUP"), fakeftp.Reply("500 CDUP not understood"),
			fakeftp.Expect("CWD .."), fakeftp.Reply("250 ok"),
		}, nil},
		{"CDUP 502 falls back", "..", []fakeftp.Step{
			fakeftp.Expect("CDUP"), fakeftp.Reply("502 Command not supported"),
			fakeftp.Expect("CWD .."), fakeftp.Reply("250 ok"),
		}, nil},
		{"CDUP 550 does not fall back", "..", []fakeftp.Step{
			fakeftp.Expect("CDUP"), fakeftp.Reply("550 Permission denied"),
		}, func(err error) bool { return errors.Is(err, fs.ErrPermission) }},
		{"550 not found", "/nope", []fakeftp.Step{
			fakeftp.Expect("CWD /nope"), fakeftp.Reply("550 /nope: No such file or directory"),
		}, func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeftp.New(t, steps(welcome, tt.steps, pwdSteps("/next")))
			c := dialFake(t, srv, nil)
			err := c.ChangeDir(fakeCtx(t), tt.dir)
			if tt.err == nil && err != nil || tt.err != nil && !tt.err(err) {
				t.Fatalf("ChangeDir(%q) = %v", tt.dir, err)
			}
			checkInStep(t, c, "/next")
		})
	}
}

func TestCurrentDir(t *testing.T) {
	for _, tt := range []struct {
		reply []string
		want  string
	}{
		{[]string{`257 "/home/user" is current directory.`}, "/home/user"},
		{[]string{`257 "/a ""quoted"" dir"`}, `/a "quoted" dir`},
		{[]string{`257 /unquoted is current directory`}, "/unquoted"}, // ftplib returns ""
		{[]string{`257-"/multi" is current`, `257 end`}, "/multi"},    // ftplib returns ""
		{[]string{`257 "/latin1 caf` + "\xe9" + `"`}, "/latin1 caf\xe9"},
	} {
		srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("PWD"), fakeftp.Reply(tt.reply...)))
		c := dialFake(t, srv, nil)
		got, err := c.CurrentDir(fakeCtx(t))
		if err != nil || got != tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.reply, got, err, tt.want)
		}
	}
}

func TestCurrentDirBadReplies(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("PWD"), fakeftp.Reply("250 not a 257"),
		fakeftp.Expect("PWD"), fakeftp.Reply(`257 "/unterminated`),
		fakeftp.Expect("PWD"), fakeftp.Reply("257 PWD command successful"),
		pwdSteps("/ok"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	var ue *ftp.UnexpectedReplyError
	if _, err := c.CurrentDir(ctx); !errors.As(err, &ue) {
		t.Errorf("250 to PWD: err = %v, want *ftp.UnexpectedReplyError", err)
	}
	for range 2 {
		var pe *ftp.ProtocolError
		if _, err := c.CurrentDir(ctx); !errors.As(err, &pe) || pe.Cmd != "PWD" {
			t.Errorf("malformed 257: err = %v, want *ftp.ProtocolError for PWD", err)
		}
	}
	// The malformed replies were complete: the Conn is still in step.
	checkInStep(t, c, "/ok")
}

func TestMakeDir(t *testing.T) {
	for _, tt := range []struct {
		dir   string
		reply string
		want  string
	}{
		{"/foo", `257 "/foo" created`, "/foo"},
		{`a"b`, `257 "/home/a""b" created`, `/home/a"b`},
		{"new", `257 "/abs/new" created`, "/abs/new"}, // the server's full path
		{"iis", `250 MKD command successful.`, "iis"}, // IIS: no path, ftplib returns ""
		{"bare", `257 MKD command successful`, "bare"},
		{"/non-ascii dir \xc2\xae", "257 \"/non-ascii dir \xc2\xae\"", "/non-ascii dir \xc2\xae"},
	} {
		srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("MKD "+tt.dir), fakeftp.Reply(tt.reply)))
		c := dialFake(t, srv, nil)
		got, err := c.MakeDir(fakeCtx(t), tt.dir)
		if err != nil || got != tt.want {
			t.Errorf("MakeDir(%q) with %q: got %q, %v; want %q", tt.dir, tt.reply, got, err, tt.want)
		}
	}
}

func TestMakeDirRefused(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("MKD a"), fakeftp.Reply("550 a: File exists"),
		fakeftp.Expect("MKD b"), fakeftp.Reply("550 b: Permission denied"),
		fakeftp.Expect("MKD c"), fakeftp.Reply("521 \"c\" directory already exists"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	if _, err := c.MakeDir(ctx, "a"); !errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("550 File exists: %v, want fs.ErrExist", err)
	}
	if _, err := c.MakeDir(ctx, "b"); !errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrExist) {
		t.Errorf("550 Permission denied: %v, want fs.ErrPermission", err)
	}
	if _, err := c.MakeDir(ctx, "c"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("521: %v, want fs.ErrExist", err)
	}
}

func TestRemoveDirDelete(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("RMD /d"), fakeftp.Reply("250 removed"),
		fakeftp.Expect("RMD /full"), fakeftp.Reply("550 Directory not empty"),
		fakeftp.Expect("DELE f"), fakeftp.Reply("250 deleted"),
		fakeftp.Expect("DELE g"), fakeftp.Reply("550 g: No such file or directory"),
		fakeftp.Expect("DELE h"), fakeftp.Reply("450 file busy"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	if err := c.RemoveDir(ctx, "/d"); err != nil {
		t.Error(err)
	}
	var fe *ftp.Error
	if err := c.RemoveDir(ctx, "/full"); !errors.As(err, &fe) || fe.Code != 550 || !fe.Permanent() {
		t.Errorf("RMD 550: %v", err)
	}
	if err := c.Delete(ctx, "f"); err != nil {
		t.Error(err)
	}
	if err := c.Delete(ctx, "g"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("DELE 550: %v, want fs.ErrNotExist", err)
	}
	if err := c.Delete(ctx, "h"); !ftp.IsTransient(err) {
		t.Errorf("DELE 450: %v, want a transient error", err)
	}
}

func TestRename(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("RNFR a"), fakeftp.Reply("350 ready for RNTO"),
		fakeftp.Expect("RNTO b"), fakeftp.Reply("250 renamed"),
		// A 200 to RNFR is not the 350 the protocol calls for: ftplib's
		// error_reply. RNTO must not follow.
		fakeftp.Expect("RNFR c"), fakeftp.Reply("200 huh"),
		fakeftp.Expect("RNFR d"), fakeftp.Reply("550 d: No such file"),
		fakeftp.Expect("RNFR e"), fakeftp.Reply("350 ok"),
		fakeftp.Expect("RNTO /ro/e"), fakeftp.Reply("553 Rename/move failure"),
		pwdSteps("/renamed"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	if err := c.Rename(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	var ue *ftp.UnexpectedReplyError
	if err := c.Rename(ctx, "c", "x"); !errors.As(err, &ue) || ue.Reply.Code != 200 || ue.Want != "3xx" {
		t.Errorf("200 to RNFR: %v, want *ftp.UnexpectedReplyError", err)
	}
	if err := c.Rename(ctx, "d", "x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("550 to RNFR: %v, want fs.ErrNotExist", err)
	}
	if err := c.Rename(ctx, "e", "/ro/e"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("553 to RNTO: %v, want fs.ErrPermission", err)
	}
	// A bad target is refused before RNFR is sent: nothing is half-done.
	if err := c.Rename(ctx, "e", "x\r\nDELE y"); !errors.Is(err, ftp.ErrInvalidArgument) {
		t.Errorf("RNTO with CRLF: %v", err)
	}
	checkInStep(t, c, "/renamed")
}

func TestSize(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		// SIZE is sent in binary mode: ProFTPD and pyftpdlib refuse it in
		// ASCII mode, where ftplib leaves the connection after retrlines.
		fakeftp.Expect("TYPE I"), fakeftp.Reply("200 Switching to Binary mode."),
		fakeftp.Expect("SIZE f"), fakeftp.Reply("213 1000"),
		fakeftp.Expect("SIZE big"), fakeftp.Reply("213 5000000000"),
		fakeftp.Expect("SIZE gone"), fakeftp.Reply("550 gone: No such file or directory"),
		fakeftp.Expect("SIZE odd"), fakeftp.Reply("250 1000"), // the ftplib test server
		fakeftp.Expect("SIZE bad"), fakeftp.Reply("213 lots"),
		fakeftp.Expect("SIZE neg"), fakeftp.Reply("213 -5"),
		pwdSteps("/sized"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	if n, err := c.Size(ctx, "f"); n != 1000 || err != nil {
		t.Errorf("Size(f) = %d, %v", n, err)
	}
	if n, err := c.Size(ctx, "big"); n != 5_000_000_000 || err != nil {
		t.Errorf("Size(big) = %d, %v", n, err)
	}
	if _, err := c.Size(ctx, "gone"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Size(gone) = %v, want fs.ErrNotExist", err)
	}
	var ue *ftp.UnexpectedReplyError
	if _, err := c.Size(ctx, "odd"); !errors.As(err, &ue) {
		t.Errorf("250 to SIZE: %v, want *ftp.UnexpectedReplyError", err)
	}
	for _, name := range []string{"bad", "neg"} {
		var pe *ftp.ProtocolError
		if _, err := c.Size(ctx, name); !errors.As(err, &pe) {
			t.Errorf("Size(%s) = %v, want *ftp.ProtocolError", name, err)
		}
	}
	checkInStep(t, c, "/sized")
}

// TestSizeAfterASCII: after an ASCII transfer SIZE switches back to TYPE I.
func TestSizeAfterASCII(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("TYPE A"), fakeftp.Reply("200 ASCII"),
		fakeftp.Expect("EPSV"), fakeftp.EPSV(),
		fakeftp.Expect("RETR t"), fakeftp.Reply("150 go"),
		fakeftp.SendData("x\r\n"), fakeftp.CloseData(), fakeftp.Reply("226 done"),
		fakeftp.Expect("TYPE I"), fakeftp.Reply("200 binary"),
		fakeftp.Expect("SIZE t"), fakeftp.Reply("213 3"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	c.SetASCII(true)
	if b, err := retrieve(ctx, c, "t", 0); err != nil || string(b) != "x\n" {
		t.Fatalf("ASCII download: %q, %v", b, err)
	}
	if n, err := c.Size(ctx, "t"); n != 3 || err != nil {
		t.Fatalf("Size = %d, %v", n, err)
	}
}

func TestModTime(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("MDTM f"), fakeftp.Reply("213 20240102030405"),
		fakeftp.Expect("MDTM frac"), fakeftp.Reply("213 20240102030405.123"),
		fakeftp.Expect("MDTM gone"), fakeftp.Reply("550 No such file"),
		fakeftp.Expect("MDTM bad"), fakeftp.Reply("213 yesterday"),
		fakeftp.Expect("MDTM odd"), fakeftp.Reply("200 20240102030405"),
		pwdSteps("/mdtm"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	if got, err := c.ModTime(ctx, "f"); err != nil || !got.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("ModTime(f) = %v, %v", got, err)
	}
	if got, err := c.ModTime(ctx, "frac"); err != nil || !got.Equal(time.Date(2024, 1, 2, 3, 4, 5, 123e6, time.UTC)) {
		t.Errorf("ModTime(frac) = %v, %v", got, err)
	}
	if _, err := c.ModTime(ctx, "gone"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ModTime(gone) = %v", err)
	}
	var pe *ftp.ProtocolError
	if _, err := c.ModTime(ctx, "bad"); !errors.As(err, &pe) || !strings.Contains(pe.Cmd, "MDTM") {
		t.Errorf("ModTime(bad) = %v, want *ftp.ProtocolError naming MDTM", err)
	}
	var ue *ftp.UnexpectedReplyError
	if _, err := c.ModTime(ctx, "odd"); !errors.As(err, &ue) {
		t.Errorf("ModTime(odd) = %v", err)
	}
	checkInStep(t, c, "/mdtm")
}

func TestSetModTime(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("MFMT 20240102030405 f"), fakeftp.Reply("213 Modify=20240102030405; f"),
		fakeftp.Expect("MFMT 20240102030405 g"), fakeftp.Reply("550 g: no such file"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	// A time in another zone is sent in UTC, to the second.
	zone := time.FixedZone("UTC+2", 2*3600)
	if err := c.SetModTime(ctx, "f", time.Date(2024, 1, 2, 5, 4, 5, 999e6, zone)); err != nil {
		t.Fatal(err)
	}
	if err := c.SetModTime(ctx, "g", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("MFMT 550: %v", err)
	}
}

func TestSimpleCommands(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("HOST ftp.example.com"), fakeftp.Reply("220 Host accepted"),
		fakeftp.Expect("SYST"), fakeftp.Reply("215 UNIX Type: L8"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("200 NOOP ok"),
		fakeftp.Expect("STAT"), fakeftp.Reply("211-FTP server status:", "     Connected to 127.0.0.1", "211 End of status"),
		fakeftp.Expect("STAT /dir"), fakeftp.Reply("213-Status follows:", "-rw-r--r-- 1 u g 5 Jan 1 f", "213 End"),
		fakeftp.Expect("HELP"), fakeftp.Reply("214-The following commands are recognized.", " USER PASS", "214 Help OK."),
		fakeftp.Expect("HELP SITE"), fakeftp.Reply("214 SITE CHMOD"),
		fakeftp.Expect("SITE CHMOD 644 f"), fakeftp.Reply("200 SITE CHMOD command ok."),
		fakeftp.Expect("SITE BOGUS"), fakeftp.Reply("500 Unknown SITE command."),
		fakeftp.Expect("ACCT billing"), fakeftp.Reply("230 ok"),
		fakeftp.Expect("HOST other"), fakeftp.Reply("502 HOST not supported"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	if err := c.Host(ctx, "ftp.example.com"); err != nil {
		t.Error(err)
	}
	if s, err := c.System(ctx); s != "UNIX Type: L8" || err != nil {
		t.Errorf("System = %q, %v", s, err)
	}
	if err := c.NoOp(ctx); err != nil {
		t.Error(err)
	}
	if r, err := c.Status(ctx, ""); err != nil || r.Code != 211 || len(r.Lines) != 3 {
		t.Errorf("Status = %v, %v", r, err)
	}
	if r, err := c.Status(ctx, "/dir"); err != nil || r.Code != 213 || r.Lines[1] != "-rw-r--r-- 1 u g 5 Jan 1 f" {
		t.Errorf("Status(/dir) = %v, %v", r, err)
	}
	if r, err := c.Help(ctx, ""); err != nil || r.Code != 214 || len(r.Lines) != 3 {
		t.Errorf("Help = %v, %v", r, err)
	}
	if r, err := c.Help(ctx, "SITE"); err != nil || r.Message() != "SITE CHMOD" {
		t.Errorf("Help(SITE) = %v, %v", r, err)
	}
	if r, err := c.Site(ctx, "CHMOD 644 f"); err != nil || r.Code != 200 {
		t.Errorf("Site = %v, %v", r, err)
	}
	var fe *ftp.Error
	if _, err := c.Site(ctx, "BOGUS"); !errors.As(err, &fe) || fe.Code != 500 {
		t.Errorf("Site(BOGUS) = %v", err)
	}
	if err := c.Account(ctx, "billing"); err != nil {
		t.Error(err)
	}
	if err := c.Host(ctx, "other"); !errors.As(err, &fe) || fe.Code != 502 {
		t.Errorf("Host refused: %v", err)
	}
}

// TestCmd: the escape hatch returns any reply, refusals included, and
// refuses commands whose data or second reply it could not handle.
func TestCmd(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("SITE WHO"), fakeftp.Reply("550 Not allowed"),
		fakeftp.Expect("XPWD"), fakeftp.Reply(`257 "/x"`),
		fakeftp.Expect("CLNT ferry"), fakeftp.Reply("200 Noted"),
		pwdSteps("/cmd"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	r, err := c.Cmd(ctx, "SITE WHO")
	if err != nil || r.Code != 550 || r.Message() != "Not allowed" {
		t.Errorf("Cmd(SITE WHO) = %v, %v; want the 550 reply and no error", r, err)
	}
	if r, err := c.Cmd(ctx, "XPWD"); err != nil || r.Code != 257 {
		t.Errorf("Cmd(XPWD) = %v, %v", r, err)
	}
	if r, err := c.Cmd(ctx, "CLNT ferry"); err != nil || r.Code != 200 {
		t.Errorf("Cmd(CLNT) = %v, %v", r, err)
	}
	for _, line := range []string{
		"RETR f", "retr f", "STOR f", "STOU", "APPE f", "LIST", "NLST", "MLSD", "PASV",
		"EPSV", "PORT 127,0,0,1,4,1", "EPRT |1|127.0.0.1|1025|", "ABOR", "AUTH TLS", "CCC", "REIN",
		"NOOP\r\nDELE f", "NOOP\nX", "NOOP\x00",
	} {
		if r, err := c.Cmd(ctx, line); err == nil || !errors.Is(err, ftp.ErrInvalidArgument) && !isArgErr(err) {
			t.Errorf("Cmd(%q) = %v, %v; want it refused", line, r, err)
		}
	}
	checkInStep(t, c, "/cmd")
}

func isArgErr(err error) bool {
	var ae *ftp.ArgumentError
	return errors.As(err, &ae)
}

func TestHashCommand(t *testing.T) {
	sha := strings.Repeat("0123456789abcdef", 4)
	t.Run("HASH", func(t *testing.T) {
		srv := fakeftp.New(t, steps(welcome,
			fakeftp.Expect("FEAT"),
			fakeftp.Reply("211-Features:", " HASH SHA-256*;SHA-1;MD5", " XCRC", "211 End"),
			fakeftp.Expect("OPTS HASH SHA-256"), fakeftp.Reply("200 SHA-256"),
			fakeftp.Expect("HASH f.bin"), fakeftp.Reply("213 SHA-256 0-1000 "+strings.ToUpper(sha)+" f.bin"),
			fakeftp.Expect("OPTS HASH MD5"), fakeftp.Reply("200 MD5"),
			fakeftp.Expect("HASH gone"), fakeftp.Reply("550 gone: not found"),
			fakeftp.Expect("XCRC f.bin"), fakeftp.Reply("250 1A2B3C4D"),
		))
		c := dialFake(t, srv, nil)
		ctx := fakeCtx(t)
		algos, err := c.HashAlgorithms(ctx)
		if err != nil || strings.Join(algos, ",") != "SHA-256,SHA-1,MD5,CRC32" {
			t.Fatalf("HashAlgorithms = %v, %v", algos, err)
		}
		algo, sum, err := c.Hash(ctx, "f.bin", "")
		if err != nil || algo != ftp.HashSHA256 || sum != sha {
			t.Errorf("Hash = %s %s %v", algo, sum, err)
		}
		if _, _, err := c.Hash(ctx, "gone", "md5"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("HASH 550: %v", err)
		}
		if algo, sum, err := c.Hash(ctx, "f.bin", ftp.HashCRC32); err != nil || algo != ftp.HashCRC32 || sum != "1a2b3c4d" {
			t.Errorf("XCRC = %s %s %v", algo, sum, err)
		}
	})
	t.Run("XSHA256 fallback", func(t *testing.T) {
		srv := fakeftp.New(t, steps(welcome,
			fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " XSHA256", " XMD5", "211 End"),
			fakeftp.Expect("XSHA256 f"), fakeftp.Reply("250 "+sha),
			fakeftp.Expect("XSHA256 g"), fakeftp.Reply("250 not a checksum"),
			pwdSteps("/hash"),
		))
		c := dialFake(t, srv, nil)
		ctx := fakeCtx(t)
		algo, sum, err := c.Hash(ctx, "f", "")
		if err != nil || algo != ftp.HashSHA256 || sum != sha {
			t.Errorf("Hash = %s %s %v", algo, sum, err)
		}
		var pe *ftp.ProtocolError
		if _, _, err := c.Hash(ctx, "g", ""); !errors.As(err, &pe) {
			t.Errorf("reply without a checksum: %v", err)
		}
		if _, _, err := c.Hash(ctx, "f", "SHA-512"); !errors.Is(err, ftp.ErrInvalidArgument) {
			t.Errorf("unknown algorithm: %v", err)
		}
		checkInStep(t, c, "/hash")
	})
	t.Run("none offered", func(t *testing.T) {
		srv := fakeftp.New(t, steps(welcome,
			fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " MDTM", "211 End"),
			pwdSteps("/nohash"),
		))
		c := dialFake(t, srv, nil)
		if _, _, err := c.Hash(fakeCtx(t), "f", ""); err == nil {
			t.Error("Hash succeeded with no checksum command offered")
		}
		checkInStep(t, c, "/nohash")
	})
}

// TestArgumentsRefusedUnsent: CR, LF or NUL in any argument is refused
// before anything is written (ftplib checks CR and LF only, and NUL
// truncates the line in C servers). The fake's script ends after the
// greeting, so any line it receives fails the test.
func TestArgumentsRefusedUnsent(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{welcome})
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	for _, bad := range []string{"a\r\nDELE b", "a\nb", "a\rb", "a\x00b"} {
		calls := map[string]error{
			"Login user": c.Login(ctx, bad, "pw"),
			"Login pass": c.Login(ctx, "u", bad),
			"Account":    c.Account(ctx, bad),
			"ChangeDir":  c.ChangeDir(ctx, bad),
			"RemoveDir":  c.RemoveDir(ctx, bad),
			"Delete":     c.Delete(ctx, bad),
			"Rename to":  c.Rename(ctx, "a", bad),
			"Rename":     c.Rename(ctx, bad, "b"),
			"SetModTime": c.SetModTime(ctx, bad, time.Now()),
			"Host":       c.Host(ctx, bad),
			"Store":      c.Store(ctx, bad, strings.NewReader("")),
			"Append":     c.Append(ctx, bad, strings.NewReader("")),
		}
		_, calls["MakeDir"] = c.MakeDir(ctx, bad)
		_, calls["Size"] = c.Size(ctx, bad)
		_, calls["ModTime"] = c.ModTime(ctx, bad)
		_, calls["Status"] = c.Status(ctx, bad)
		_, calls["Help"] = c.Help(ctx, bad)
		_, calls["Site"] = c.Site(ctx, bad)
		_, calls["Cmd"] = c.Cmd(ctx, "NOOP "+bad)
		_, calls["Retrieve"] = c.Retrieve(ctx, bad)
		_, calls["RetrieveFrom"] = c.RetrieveFrom(ctx, bad, 5)
		_, calls["List"] = c.List(ctx, bad)
		_, calls["NameList"] = c.NameList(ctx, bad)
		_, _, calls["Hash"] = c.Hash(ctx, bad, ftp.HashMD5)
		for name, err := range calls {
			if !errors.Is(err, ftp.ErrInvalidArgument) {
				t.Errorf("%s(%q) = %v, want ErrInvalidArgument", name, bad, err)
			}
		}
	}
	checkNothingSent(t, srv)
}

// TestTelnetIAC covers RFC 3659 section 2.2 and RFC 854: a 0xFF byte in a
// pathname is sent doubled (IAC IAC), and IAC IAC in a reply is one 0xFF.
// A cp1251 "я" is 0xFF; sent alone, servers that do Telnet processing
// (ProFTPD, FubarDevelopment/FtpServer) take it for a Telnet command.
func TestTelnetIAC(t *testing.T) {
	t.Skip("known gap: 0xFF is sent and read verbatim, not doubled or undoubled; needs a decision (lftp makes it an option, ftp:use-telnet-iac)")
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("MKD \xff\xffdir"), fakeftp.Reply("257 \"/\xff\xffdir\" created"),
	))
	c := dialFake(t, srv, nil)
	if p, err := c.MakeDir(fakeCtx(t), "\xffdir"); p != "/\xffdir" || err != nil {
		t.Fatalf("MakeDir = %q, %v", p, err)
	}
}
