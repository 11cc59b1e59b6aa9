package ftp_test

// Tests named TestFTPLib<Name> mirror test_<name> of CPython's
// Lib/test/test_ftplib.py (3.11), re-expressed for this API against fake
// servers that play the canned behaviour of its dummy server. Where our
// behaviour deliberately differs from ftplib's, the test says so.

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

// retrData is 1000 lines of a 10-character non-ASCII chunk, like the dummy
// server's RETR_DATA.
var retrData = strings.Repeat("abcdeé®ßΩ¥\r\n", 1000)

// dummyLogin is the dummy server's USER 331 / PASS 230; it has no FEAT.
func dummyLogin() []fakeftp.Step {
	return []fakeftp.Step{
		fakeftp.Expect("USER anonymous"), fakeftp.Reply("331 username ok"),
		fakeftp.Expect("PASS anonymous@"), fakeftp.Reply("230 password ok"),
		fakeftp.Expect("FEAT"), fakeftp.Reply(`550 command "feat" not understood.`),
	}
}

func TestFTPLibGetWelcome(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{welcome})
	c := dialFake(t, srv, nil)
	if w := c.Welcome(); w.String() != "220 welcome" || w.Code != 220 || w.Message() != "welcome" {
		t.Errorf("Welcome = %q", w)
	}
}

// TestFTPLibExceptions: 4xx and 5xx are *ftp.Error, transient and
// permanent; 999 is a *ftp.ProtocolError (and breaks the Conn, since the
// reply cannot be trusted); CR or LF in a command is refused unsent.
func TestFTPLibExceptions(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("NOOP"), fakeftp.Reply("400 echo"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("499 echo"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("500 echo"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("599 echo"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("999 echo"),
		fakeftp.Optional(), fakeftp.Stall(),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	for _, cmd := range []string{"echo \r\n0", "echo \n0", "echo \r0"} {
		if _, err := c.Cmd(ctx, cmd); !errors.Is(err, ftp.ErrInvalidArgument) {
			t.Errorf("Cmd(%q) = %v, want ErrInvalidArgument", cmd, err)
		}
	}
	for _, tt := range []struct {
		code      int
		transient bool
	}{{400, true}, {499, true}, {500, false}, {599, false}} {
		err := c.NoOp(ctx)
		var fe *ftp.Error
		if !errors.As(err, &fe) || fe.Code != tt.code || fe.Transient() != tt.transient || fe.Permanent() == tt.transient {
			t.Errorf("%d: err = %v", tt.code, err)
		}
	}
	var pe *ftp.ProtocolError
	if err := c.NoOp(ctx); !errors.As(err, &pe) {
		t.Errorf("999: err = %v, want *ftp.ProtocolError", err)
	}
}

// TestFTPLibAllErrors: ftplib's all_errors misses ValueError and
// UnicodeDecodeError. Here every failure is an error value whose text
// starts with "ftp:", whatever layer it came from.
func TestFTPLibAllErrors(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("NOOP"), fakeftp.Reply("450 temp"),
		fakeftp.Expect("RNFR a"), fakeftp.Reply("200 wrong"),
		fakeftp.Expect("TYPE I"), fakeftp.Reply("200 ok"),
		fakeftp.Expect("EPSV"), fakeftp.Reply("229 (|||port|)"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("\xff\xfe not a reply"),
		fakeftp.Optional(), fakeftp.Stall(),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	errs := []error{
		c.NoOp(ctx),
		c.Rename(ctx, "a", "b"),
		func() error { _, err := c.Retrieve(ctx, "f"); return err }(),
		c.ChangeDir(ctx, "a\nb"),
		c.NoOp(ctx),
		c.NoOp(ctx), // broken
	}
	for i, err := range errs {
		if err == nil || !strings.HasPrefix(err.Error(), "ftp: ") {
			t.Errorf("error %d: %v", i, err)
		}
	}
}

// TestFTPLibSetPasv: passive by default (EPSV), active with Dialer.Active.
func TestFTPLibSetPasv(t *testing.T) {
	for _, active := range []bool{false, true} {
		var mode fakeftp.Script
		if active {
			mode = steps(fakeftp.ExpectMatch("EPRT *"), fakeftp.Reply("200 active"),
				fakeftp.Expect("NLST"), fakeftp.Reply("125 ok"), fakeftp.Connect())
		} else {
			mode = steps(epsv, fakeftp.Expect("NLST"), fakeftp.Reply("125 ok"))
		}
		srv := fakeftp.New(t, steps(welcome, mode,
			fakeftp.SendData("foo\r\n"), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete")))
		d := quickDialer()
		d.Active = active
		c := dialFake(t, srv, d)
		if names, err := c.NameList(fakeCtx(t), ""); err != nil || !cmp.Equal(names, []string{"foo"}) {
			t.Errorf("active=%v: %q, %v", active, names, err)
		}
	}
}

// TestFTPLibVoidcmd: a command that wants 2xx accepts 200 and 299 and
// refuses 199 and 300 as unexpected replies.
func TestFTPLibVoidcmd(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("NOOP"), fakeftp.Reply("200 echo"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("299 echo"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("199 echo"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("300 echo"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	for i, ok := range []bool{true, true, false, false} {
		err := c.NoOp(ctx)
		var ue *ftp.UnexpectedReplyError
		if ok && err != nil || !ok && !errors.As(err, &ue) {
			t.Errorf("reply %d: %v", i, err)
		}
	}
}

func TestFTPLibLogin(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, dummyLogin()))
	c := dialFake(t, srv, nil)
	if err := c.Login(fakeCtx(t), "", ""); err != nil {
		t.Fatal(err)
	}
	waitFake(t, srv)
}

func TestFTPLibAcct(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("ACCT passwd"), fakeftp.Reply("230 acct ok")))
	c := dialFake(t, srv, nil)
	if err := c.Account(fakeCtx(t), "passwd"); err != nil {
		t.Fatal(err)
	}
	waitFake(t, srv)
}

func TestFTPLibRename(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("RNFR a"), fakeftp.Reply("350 rnfr ok"),
		fakeftp.Expect("RNTO b"), fakeftp.Reply("250 rnto ok"),
		fakeftp.Expect("RNFR a"), fakeftp.Reply("200"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	if err := c.Rename(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	var ue *ftp.UnexpectedReplyError
	if err := c.Rename(ctx, "a", "b"); !errors.As(err, &ue) {
		t.Fatalf("200 to RNFR: %v", err)
	}
}

func TestFTPLibDelete(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("DELE foo"), fakeftp.Reply("250 delete ok"),
		fakeftp.Expect("DELE foo"), fakeftp.Reply("199"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	if err := c.Delete(ctx, "foo"); err != nil {
		t.Fatal(err)
	}
	var ue *ftp.UnexpectedReplyError
	if err := c.Delete(ctx, "foo"); !errors.As(err, &ue) {
		t.Fatalf("199 to DELE: %v", err)
	}
}

// TestFTPLibSize: the dummy server answers SIZE "250 1000", for which ftplib
// returns None. That is not a size reply (213): an unexpected reply here.
func TestFTPLibSize(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, fakeftp.Expect("SIZE foo"), fakeftp.Reply("250 1000")))
	c := dialFake(t, srv, nil)
	var ue *ftp.UnexpectedReplyError
	if _, err := c.Size(fakeCtx(t), "foo"); !errors.As(err, &ue) {
		t.Fatalf("err = %v", err)
	}
}

func TestFTPLibMkd(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("MKD /foo"), fakeftp.Reply(`257 "/foo"`)))
	c := dialFake(t, srv, nil)
	if p, err := c.MakeDir(fakeCtx(t), "/foo"); p != "/foo" || err != nil {
		t.Fatalf("MakeDir = %q, %v", p, err)
	}
}

func TestFTPLibRmd(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("RMD foo"), fakeftp.Reply("250 rmd ok")))
	c := dialFake(t, srv, nil)
	if err := c.RemoveDir(fakeCtx(t), "foo"); err != nil {
		t.Fatal(err)
	}
}

func TestFTPLibCwd(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("CWD /foo"), fakeftp.Reply("250 cwd ok")))
	c := dialFake(t, srv, nil)
	if err := c.ChangeDir(fakeCtx(t), "/foo"); err != nil {
		t.Fatal(err)
	}
}

func TestFTPLibPwd(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("PWD"), fakeftp.Reply(`257 "pwd ok"`)))
	c := dialFake(t, srv, nil)
	if p, err := c.CurrentDir(fakeCtx(t)); p != "pwd ok" || err != nil {
		t.Fatalf("CurrentDir = %q, %v", p, err)
	}
}

func TestFTPLibQuit(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("QUIT"), fakeftp.Reply("221 quit ok"), fakeftp.CloseControl()))
	c := dialFake(t, srv, nil)
	if err := c.Quit(fakeCtx(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.NoOp(fakeCtx(t)); !errors.Is(err, ftp.ErrClosed) {
		t.Errorf("after Quit: %v", err)
	}
}

func TestFTPLibRetrbinary(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR foo"), fakeftp.Reply("125 Data connection already open. Transfer starting."),
		fakeftp.SendData(retrData), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
	))
	c := dialFake(t, srv, nil)
	checkRetrieve(t, c, "foo", retrData)
}

func TestFTPLibRetrbinaryRest(t *testing.T) {
	for _, rest := range []int{0, 10, 20} {
		var restSteps []fakeftp.Step
		if rest > 0 {
			restSteps = []fakeftp.Step{fakeftp.Expect("REST " + strconv.Itoa(rest)), fakeftp.Reply("350 rest ok")}
		}
		srv := fakeftp.New(t, steps(welcome, typeI, epsv, restSteps,
			fakeftp.Expect("RETR foo"), fakeftp.Reply("125 ok"),
			fakeftp.SendData(retrData[rest:]), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
		))
		c := dialFake(t, srv, nil)
		got, err := retrieve(fakeCtx(t), c, "foo", int64(rest))
		if err != nil || string(got) != retrData[rest:] {
			t.Errorf("rest %d: %d bytes, %v", rest, len(got), err)
		}
	}
}

// TestFTPLibRetrlines: an ASCII download, split into lines.
func TestFTPLibRetrlines(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("TYPE A"), fakeftp.Reply("200 type ok"), epsv,
		fakeftp.Expect("RETR foo"), fakeftp.Reply("125 ok"),
		fakeftp.SendData(retrData), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
	))
	c := dialFake(t, srv, nil)
	c.SetASCII(true)
	got, err := retrieve(fakeCtx(t), c, "foo", 0)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(strings.Split(strings.TrimSuffix(string(got), "\n"), "\n"), "") != strings.ReplaceAll(retrData, "\r\n", "") {
		t.Errorf("lines differ")
	}
}

func TestFTPLibStorbinary(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("STOR foo"), fakeftp.Reply("125 ok"),
		fakeftp.ExpectData(retrData), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
	))
	c := dialFake(t, srv, nil)
	if err := c.Store(fakeCtx(t), "foo", strings.NewReader(retrData)); err != nil {
		t.Fatal(err)
	}
}

func TestFTPLibStorbinaryRest(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("REST 30"), fakeftp.Reply("350 rest ok"),
		fakeftp.Expect("STOR foo"), fakeftp.Reply("125 ok"),
		fakeftp.ExpectData(retrData[30:]), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
	))
	c := dialFake(t, srv, nil)
	if err := c.StoreFrom(fakeCtx(t), "foo", strings.NewReader(retrData[30:]), 30); err != nil {
		t.Fatal(err)
	}
}

// TestFTPLibStorlines: LF-only input arrives as CRLF.
func TestFTPLibStorlines(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("TYPE A"), fakeftp.Reply("200 type ok"), epsv,
		fakeftp.Expect("STOR foo"), fakeftp.Reply("125 ok"),
		fakeftp.ExpectData(retrData), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
	))
	c := dialFake(t, srv, nil)
	c.SetASCII(true)
	if err := c.Store(fakeCtx(t), "foo", strings.NewReader(strings.ReplaceAll(retrData, "\r\n", "\n"))); err != nil {
		t.Fatal(err)
	}
}

var dummyListing = "foo\r\nbar\r\n non-ascii char \xc2\xae\r\n"

func TestFTPLibNlst(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, epsv,
		fakeftp.Expect("NLST"), fakeftp.Reply("125 ok"),
		fakeftp.SendData(dummyListing), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
	))
	c := dialFake(t, srv, nil)
	names, err := c.NameList(fakeCtx(t), "")
	if err != nil || !cmp.Equal(names, []string{"foo", "bar", " non-ascii char ®"}) {
		t.Fatalf("NameList = %q, %v", names, err)
	}
}

func TestFTPLibDir(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, epsv,
		fakeftp.Expect("LIST"), fakeftp.Reply("125 ok"),
		fakeftp.SendData(dummyListing), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
	))
	c := dialFake(t, srv, nil)
	lines, err := c.List(fakeCtx(t), "")
	if err != nil || strings.Join(lines, "") != strings.ReplaceAll(dummyListing, "\r\n", "") {
		t.Fatalf("List = %q, %v", lines, err)
	}
}

// TestFTPLibMlsd: facts with "=" in values, names with spaces and ";",
// keys in any case, "cdir" and "pdir" returned by MachineList and dropped by
// ReadDir (ftplib returns them), and an empty listing.
func TestFTPLibMlsd(t *testing.T) {
	listing := strings.Join([]string{
		"type=cdir;perm=el;unique=keVO1+ZF4; .",
		"type=pdir;perm=e;unique=keVO1+d?3; ..",
		"type=file;perm=r;unique=keVO1+EG4;size=7; name with spaces ",
		"Type=file;Perm=awr;UNIQUE=keVO1+8G4;size=0; ;semi;colon",
		"type=file;perm=r;unique=a;UNIX.mode=0644;x.odd=a=b=c; ===",
		"type=dir;perm=cpmel;unique=keVO1+7G4;modify=20240102030405; dir",
	}, "\r\n") + "\r\n"
	srv := fakeftp.New(t, steps(welcome,
		epsv, fakeftp.Expect("MLSD"), fakeftp.Reply("125 ok"),
		fakeftp.SendData(listing), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
		fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " MLST type*;size*;modify*;perm*;unique*;", "211 End"),
		epsv, fakeftp.Expect("MLSD /x"), fakeftp.Reply("125 ok"),
		fakeftp.SendData(listing), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
		epsv, fakeftp.Expect("MLSD /empty"), fakeftp.Reply("125 ok"),
		fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	entries, err := c.MachineList(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
		for _, f := range []string{"type", "perm", "unique"} {
			if _, ok := e.Fact(f); !ok {
				t.Errorf("%q lacks fact %s", e.Name, f)
			}
		}
	}
	if want := []string{".", "..", "name with spaces ", ";semi;colon", "===", "dir"}; !cmp.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
	if v, _ := entries[4].Fact("X.ODD"); v != "a=b=c" {
		t.Errorf("fact with '=' in its value: %q", v)
	}
	entries, err = c.ReadDir(ctx, "/x")
	if err != nil || len(entries) != 4 || entries[0].Name != "name with spaces " {
		t.Errorf("ReadDir = %v, %v; want cdir and pdir dropped", entries, err)
	}
	if entries, err := c.MachineList(ctx, "/empty"); err != nil || len(entries) != 0 {
		t.Errorf("empty MLSD = %v, %v", entries, err)
	}
}

// TestReadDirMLSDRefusedFallsBackToLIST: ftplib has no MLSD→LIST fallback.
func TestReadDirMLSDRefusedFallsBackToLIST(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " MLST type*;size*;", "211 End"),
		epsv, fakeftp.Expect("MLSD"), fakeftp.Reply("500 MLSD not understood"),
		epsv, fakeftp.Expect("LIST"), fakeftp.Reply("150 ok"),
		fakeftp.SendData("-rw-r--r--   1 ftp      ftp             5 Jan 01  2024 a.txt\r\n"),
		fakeftp.CloseData(), fakeftp.Reply("226 ok"),
		fakeftp.Expect("SYST"), fakeftp.Reply("215 UNIX Type: L8"),
		epsv, fakeftp.Expect("LIST"), fakeftp.Reply("150 ok"),
		fakeftp.SendData("-rw-r--r--   1 ftp      ftp             5 Jan 01  2024 b.txt\r\n"),
		fakeftp.CloseData(), fakeftp.Reply("226 ok"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	for _, want := range []string{"a.txt", "b.txt"} { // the refusal is remembered
		entries, err := c.ReadDir(ctx, "")
		if err != nil || len(entries) != 1 || entries[0].Name != want || entries[0].Size != 5 {
			t.Fatalf("ReadDir = %+v, %v", entries, err)
		}
	}
}

// TestFTPLibMakeport: active mode over IPv4 sends EPRT (ftplib: PORT) with
// the control connection's local address.
func TestFTPLibMakeport(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT |1|127.0.0.1|*|"), fakeftp.Reply("200 active data connection established"),
		fakeftp.Expect("RETR foo"), fakeftp.Reply("125 ok"), fakeftp.Connect(),
		fakeftp.SendData("x"), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
	))
	c := dialFake(t, srv, activeDialer())
	checkRetrieve(t, c, "foo", "x")
}

// TestFTPLibMakepasv: passive mode over IPv4 tries EPSV (ftplib: PASV only).
func TestFTPLibMakepasv(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv, retrSteps("foo", "x")))
	c := dialFake(t, srv, nil)
	checkRetrieve(t, c, "foo", "x")
}

func TestFTPLibMakepasvIssue43285SecurityDisabled(t *testing.T) {
	TestTrustPASVAddress(t)
}

func TestFTPLibMakepasvIssue43285SecurityEnabledDefault(t *testing.T) {
	TestPASVAddressIgnored(t)
}

// TestFTPLibWithStatement: Quit then Close (the defer idiom) is fine, and a
// 550 to QUIT still closes the connection.
func TestFTPLibWithStatement(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("QUIT"), fakeftp.Reply("221 quit ok"), fakeftp.ExpectEOF()))
	c := dialFake(t, srv, nil)
	if err := c.Quit(fakeCtx(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	waitFake(t, srv)
	TestQuitRefused(t)
}

func freeLoopbackPort(t *testing.T, ip string) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestFTPLibSourceAddress(t *testing.T) {
	port := freeLoopbackPort(t, "127.0.0.1")
	srv := fakeftp.New(t, fakeftp.Script{welcome})
	d := quickDialer()
	d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	c := dialFake(t, srv, d)
	if got := c.LocalAddr().(*net.TCPAddr).Port; got != port {
		t.Errorf("local port %d, want %d", got, port)
	}
}

// TestFTPLibSourceAddressPassiveConnection: ftplib binds the passive data
// connection to the same address and port as the control connection. The
// address is kept; the port is not (it is in use by the control
// connection). 127.0.0.2 shows which address the fake sees.
func TestFTPLibSourceAddressPassiveConnection(t *testing.T) {
	port := freeLoopbackPort(t, "127.0.0.2")
	var dataFrom string
	srv := fakeftp.New(t, steps(welcome, epsv,
		fakeftp.Expect("LIST"), fakeftp.Reply("125 ok"),
		fakeftp.Do("note the data peer", func(c *fakeftp.Conn) error {
			d, err := c.Data()
			if err != nil {
				return err
			}
			dataFrom = d.RemoteAddr().String()
			return nil
		}),
		fakeftp.SendData("foo\r\n"), fakeftp.CloseData(), fakeftp.Reply("226 ok"),
	))
	d := quickDialer()
	d.LocalAddr = &net.TCPAddr{IP: net.ParseIP("127.0.0.2"), Port: port}
	c := dialFake(t, srv, d)
	if lines, err := c.List(fakeCtx(t), ""); err != nil || !cmp.Equal(lines, []string{"foo"}) {
		t.Fatalf("List = %q, %v", lines, err)
	}
	waitFake(t, srv) // orders the Do step's write before the read below
	host, p, _ := net.SplitHostPort(dataFrom)
	if host != "127.0.0.2" || p == strconv.Itoa(port) {
		t.Errorf("data connection from %s, want 127.0.0.2 on another port than %d", dataFrom, port)
	}
}

// TestFTPLibLineTooLong: a reply longer than MaxLineLength is a
// *ftp.ProtocolError (ftplib: Error, then desynchronised).
func TestFTPLibLineTooLong(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("NOOP"), fakeftp.Reply(`550 command "`+strings.Repeat("x", 16384)+`" not understood.`),
		fakeftp.Optional(), fakeftp.Stall(),
	))
	c := dialFake(t, srv, nil)
	var pe *ftp.ProtocolError
	if err := c.NoOp(fakeCtx(t)); !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	checkBroken(t, c)
}

// TestFTPLibRetrlinesTooLong: a listing line over the limit ends the
// listing with a *ftp.ProtocolError; the transfer is aborted and the Conn
// stays in step.
func TestFTPLibRetrlinesTooLong(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, epsv,
		fakeftp.Expect("NLST"), fakeftp.Reply("125 ok"),
		fakeftp.SendData(strings.Repeat("x", 70<<10)+"\r\n"),
		aborted("426 aborted", "226 abor ok"),
		pwdSteps("/long"),
	))
	c := dialFake(t, srv, nil)
	var pe *ftp.ProtocolError
	if _, err := c.NameList(fakeCtx(t), ""); !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	checkInStep(t, c, "/long")
}

// TestFTPLibStorlinesTooLong: ftplib refuses an upload line over 8192 bytes
// in ASCII mode. Uploads here are streamed, so any line length goes.
func TestFTPLibStorlinesTooLong(t *testing.T) {
	long := strings.Repeat("x", 16384)
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("TYPE A"), fakeftp.Reply("200 ok"), epsv,
		storSteps("STOR foo", long),
	))
	c := dialFake(t, srv, nil)
	c.SetASCII(true)
	if err := c.Store(fakeCtx(t), "foo", strings.NewReader(long)); err != nil {
		t.Fatal(err)
	}
}

// TestFTPLibEncodingParam: ftplib has one encoding for the session and fails
// on names outside it. Names and data are bytes here: UTF-8 and latin-1
// round-trip unchanged.
func TestFTPLibEncodingParam(t *testing.T) {
	for _, name := range []string{"/non-ascii dir \xc2\xae", "/non-ascii dir \xae"} {
		srv := fakeftp.New(t, steps(welcome,
			fakeftp.Expect("MKD "+name), fakeftp.Reply(`257 "`+name+`" created`),
			typeI, epsv, retrSteps(name[1:], "\xae\xc2\xae"),
		))
		c := dialFake(t, srv, nil)
		if got, err := c.MakeDir(fakeCtx(t), name); got != name || err != nil {
			t.Errorf("MakeDir(%q) = %q, %v", name, got, err)
		}
		checkRetrieve(t, c, name[1:], "\xae\xc2\xae")
	}
}

func ipv6Fake(t *testing.T, sc fakeftp.Script) *fakeftp.Server {
	return fakeftp.Config{IPv6: true}.Start(t, sc) // skips without ::1
}

func TestFTPLibIPv6Af(t *testing.T) {
	srv := ipv6Fake(t, fakeftp.Script{welcome})
	c := dialFake(t, srv, nil)
	if ip := c.RemoteAddr().(*net.TCPAddr).IP; ip.To4() != nil || !ip.IsLoopback() {
		t.Errorf("remote address %v", ip)
	}
}

func TestFTPLibIPv6Makeport(t *testing.T) {
	srv := ipv6Fake(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT |2|::1|*|"), fakeftp.Reply("200 ok"),
		fakeftp.Expect("RETR foo"), fakeftp.Reply("125 ok"), fakeftp.Connect(),
		fakeftp.SendData("six"), fakeftp.CloseData(), fakeftp.Reply("226 ok"),
	))
	c := dialFake(t, srv, activeDialer())
	checkRetrieve(t, c, "foo", "six")
}

func TestFTPLibIPv6Makepasv(t *testing.T) {
	srv := ipv6Fake(t, steps(welcome, typeI, epsv, retrSteps("foo", "six")))
	c := dialFake(t, srv, nil)
	checkRetrieve(t, c, "foo", "six")
}

// TestFTPLibIPv6Transfer: both modes; and over IPv6 a refused EPSV or EPRT
// cannot fall back to PASV or PORT, which have no room for the address.
func TestFTPLibIPv6Transfer(t *testing.T) {
	srv := ipv6Fake(t, steps(welcome, typeI,
		epsv, retrSteps("a", "passive"),
		fakeftp.Expect("EPSV"), fakeftp.Reply("500 EPSV not understood"),
		pwdSteps("/v6"),
	))
	c := dialFake(t, srv, nil)
	checkRetrieve(t, c, "a", "passive")
	if _, err := c.Retrieve(fakeCtx(t), "b"); err == nil {
		t.Fatal("Retrieve succeeded without EPSV over IPv6")
	}
	checkInStep(t, c, "/v6")

	srv = ipv6Fake(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT |2|::1|*|"), fakeftp.Reply("200 ok"),
		fakeftp.Expect("RETR a"), fakeftp.Reply("150 ok"), fakeftp.Connect(),
		fakeftp.SendData("active"), fakeftp.CloseData(), fakeftp.Reply("226 ok"),
	))
	c = dialFake(t, srv, activeDialer())
	checkRetrieve(t, c, "a", "active")
}

// TestFTPLibTLSControlConnection mirrors test_control_connection: a plain
// Conn reports no TLS state and cannot set data protection (ftplib's ccc and
// prot_p before auth); an implicit-TLS Conn is encrypted from the greeting.
func TestFTPLibTLSControlConnection(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{welcome})
	c := dialFake(t, srv, nil)
	if _, ok := c.TLSConnectionState(); ok {
		t.Error("plain Conn reports TLS")
	}
	if err := c.SetDataProtection(fakeCtx(t), true); err == nil {
		t.Error("PROT P accepted on a plain control connection")
	}
	checkNothingSent(t, srv)

	front, pool := newTLSFront(t)
	tsrv := fakeftp.New(t, steps(welcome, tlsLogin(),
		fakeftp.Expect("PROT C"), fakeftp.Reply("200 Protection level set to C"),
		epsv, fakeftp.Expect("NLST"), fakeftp.Reply("150 ok"),
		fakeftp.SendData("clear\r\n"), fakeftp.CloseData(), fakeftp.Reply("226 transfer complete"),
	))
	front.data = func(int) dataFault { return dataNotTLS } // would fail any handshake
	tc := dialTLSFake(t, tsrv, front, pool)
	if st, ok := tc.TLSConnectionState(); !ok || len(st.PeerCertificates) == 0 {
		t.Errorf("TLS state %v %+v", ok, st)
	}
	if err := tc.SetDataProtection(fakeCtx(t), false); err != nil {
		t.Fatal(err)
	}
	front.mu.Lock()
	front.data = func(int) dataFault { return dataClear }
	front.mu.Unlock()
	if names, err := tc.NameList(fakeCtx(t), ""); err != nil || !cmp.Equal(names, []string{"clear"}) {
		t.Fatalf("NameList over PROT C = %q, %v", names, err)
	}
}
