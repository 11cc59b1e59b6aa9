package ftp_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

// featMLST is a FEAT reply offering MLST (and so MLSD).
var featMLST = []fakeftp.Step{
	fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " MLST type*;size*;", "211 End"),
}

func mlsd(arg, data string) []fakeftp.Step {
	return []fakeftp.Step{
		fakeftp.Expect("EPSV"), fakeftp.EPSV(),
		fakeftp.Expect(strings.TrimSpace("MLSD " + arg)), fakeftp.Reply("150 here"),
		fakeftp.SendData(data), fakeftp.CloseData(), fakeftp.Reply("226 done"),
	}
}

func list(arg, data string) []fakeftp.Step {
	return []fakeftp.Step{
		fakeftp.Expect("EPSV"), fakeftp.EPSV(),
		fakeftp.Expect(strings.TrimSpace("LIST " + arg)), fakeftp.Reply("150 here"),
		fakeftp.SendData(data), fakeftp.CloseData(), fakeftp.Reply("226 done"),
	}
}

func refusedTransfer(line, reply string) []fakeftp.Step {
	return []fakeftp.Step{fakeftp.Expect("EPSV"), fakeftp.EPSV(), fakeftp.Expect(line), fakeftp.Reply(reply)}
}

const (
	mlsdLine = "type=file;size=1; f\r\n"
	listLine = "-rw-r--r--    1 0        0               1 Nov 24 03:00 f\r\n"
)

// TestMLSDRefusedForOnePath: pyftpdlib answers MLSD of a missing directory
// "501 No such directory."; that is about the path, not MLSD. LIST is tried
// for that call, both refusals make the error, which matches
// fs.ErrNotExist, and the next ReadDir uses MLSD again.
func TestMLSDRefusedForOnePath(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, featMLST,
		refusedTransfer("MLSD nodir", "501 No such directory."),
		refusedTransfer("LIST nodir", "550 No such file or directory."),
		mlsd("d", mlsdLine),
	))
	c := dialFake(t, srv, nil)
	_, err := c.ReadDir(fakeCtx(t), "nodir")
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "501 No such directory.") {
		t.Fatalf("ReadDir(nodir) = %v; want both refusals, matching fs.ErrNotExist", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error on more than one line: %q", err)
	}
	entries, err := c.ReadDir(fakeCtx(t), "d")
	if err != nil || len(entries) != 1 || entries[0].Name != "f" {
		t.Fatalf("ReadDir(d) = %v, %v; want MLSD's entry", entries, err)
	}
}

// TestMLSDNotPermittedListsWithLIST: "550 MLSD not permitted" and a LIST
// that works: the entries come from LIST, and MLSD is still used next.
func TestMLSDNotPermittedListsWithLIST(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, featMLST,
		refusedTransfer("MLSD d", "550 MLSD not permitted."),
		list("d", listLine),
		fakeftp.Expect("SYST"), fakeftp.Reply("215 UNIX Type: L8"),
		mlsd("d", mlsdLine),
	))
	c := dialFake(t, srv, nil)
	for i := 0; i < 2; i++ {
		entries, err := c.ReadDir(fakeCtx(t), "d")
		if err != nil || len(entries) != 1 || entries[0].Name != "f" {
			t.Fatalf("ReadDir %d = %v, %v", i, entries, err)
		}
	}
}

// TestMLSDNotImplementedRemembered: 502 to MLSD sends the Conn to LIST for
// good.
func TestMLSDNotImplementedRemembered(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, featMLST,
		refusedTransfer("MLSD d", "502 Command not implemented."),
		list("d", listLine),
		fakeftp.Expect("SYST"), fakeftp.Reply("215 UNIX Type: L8"),
		list("d", listLine),
	))
	c := dialFake(t, srv, nil)
	for i := 0; i < 2; i++ {
		if entries, err := c.ReadDir(fakeCtx(t), "d"); err != nil || len(entries) != 1 {
			t.Fatalf("ReadDir %d = %v, %v", i, entries, err)
		}
	}
}

// TestReadDirEmptyListingOfNoDirectory: vsftpd answers LIST of a missing
// directory with an empty listing and 226. One STAT tells an empty
// directory (its "." and ".." entries) from none, which is an error
// matching fs.ErrNotExist; a listing with entries costs nothing more.
func TestReadDirEmptyListingOfNoDirectory(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " EPSV", "211 End"),
		list("/missing", ""),
		fakeftp.Expect("STAT /missing"), fakeftp.Reply("213-Status follows:", "213 End of status"),
		list("/empty", ""),
		fakeftp.Expect("STAT /empty"), fakeftp.Reply("213-Status follows:",
			"drwxr-xr-x    2 0        0            4096 Dec 04 17:26 .",
			"drwxr-xr-x    4 0        0            4096 Dec 04 17:26 ..",
			"213 End of status"),
		fakeftp.Expect("SYST"), fakeftp.Reply("215 UNIX Type: L8"),
		list("/full", listLine),
	))
	c := dialFake(t, srv, nil)
	if _, err := c.ReadDir(fakeCtx(t), "/missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadDir(/missing) = %v; want an error matching fs.ErrNotExist", err)
	}
	if entries, err := c.ReadDir(fakeCtx(t), "/empty"); err != nil || len(entries) != 0 {
		t.Fatalf("ReadDir(/empty) = %v, %v; want no entries, no error", entries, err)
	}
	if entries, err := c.ReadDir(fakeCtx(t), "/full"); err != nil || len(entries) != 1 {
		t.Fatalf("ReadDir(/full) = %v, %v", entries, err)
	}
}

// TestReadDirEmptyListingOfFileWithMLST: where MLST is offered (and MLSD is
// switched off), it is the one command that checks an empty LIST.
func TestReadDirEmptyListingOfFileWithMLST(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		list("f", ""),
		featMLST,
		fakeftp.Expect("MLST f"), fakeftp.Reply("250-Listing f", " type=file;size=1; f", "250 End"),
	))
	d := quickDialer()
	d.DisableMLSD = true
	c := dialFake(t, srv, d)
	if _, err := c.ReadDir(fakeCtx(t), "f"); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("ReadDir(f) = %v; want not a directory, matching fs.ErrNotExist", err)
	}
}

// TestEPSVFallbackPerReason: 501 to EPSV sends one transfer to PASV, 502
// every later one; vsftpd's "500 OOPS" switches nothing and ends the Conn.
func TestEPSVFallbackPerReason(t *testing.T) {
	nlst := func(pasv fakeftp.Step) []fakeftp.Step {
		return []fakeftp.Step{
			fakeftp.Expect("PASV"), pasv,
			fakeftp.Expect("NLST"), fakeftp.Reply("150 here"), fakeftp.SendData("f\r\n"), fakeftp.CloseData(), fakeftp.Reply("226 done"),
		}
	}
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("EPSV"), fakeftp.Reply("501 Bad argument."), nlst(fakeftp.PASV()),
		fakeftp.Expect("EPSV"), fakeftp.Reply("502 Not implemented."), nlst(fakeftp.PASV()),
		nlst(fakeftp.PASV()),
	))
	c := dialFake(t, srv, nil)
	for i := 0; i < 3; i++ {
		if names, err := c.NameList(fakeCtx(t), ""); err != nil || len(names) != 1 {
			t.Fatalf("NameList %d = %v, %v", i, names, err)
		}
	}

	oops := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("EPSV"), fakeftp.Reply("500 OOPS: priv_sock_get_int"), fakeftp.CloseControl(),
	))
	c = dialFake(t, oops, nil)
	_, err := c.NameList(fakeCtx(t), "")
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 500 || !strings.Contains(fe.Msg, "OOPS") {
		t.Fatalf("NameList = %v; want the 500 OOPS", err)
	}
	if _, err := c.NameList(fakeCtx(t), ""); !errors.Is(err, ftp.ErrBroken) || !strings.Contains(err.Error(), "OOPS") {
		t.Fatalf("after OOPS: %v; want ErrBroken naming the OOPS", err)
	}
}

// TestHashFallbackPerReason: HASH refused about the file (550) is the
// answer; refused as unknown (502), Hash uses XSHA256 from then on.
func TestHashFallbackPerReason(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " HASH SHA-256*", " XSHA256", "211 End"),
		fakeftp.Expect("OPTS HASH SHA-256"), fakeftp.Reply("200 SHA-256"),
		fakeftp.Expect("HASH nofile"), fakeftp.Reply("550 No such file."),
		fakeftp.Expect("OPTS HASH SHA-256"), fakeftp.Reply("200 SHA-256"),
		fakeftp.Expect("HASH f"), fakeftp.Reply("502 Not implemented."),
		fakeftp.Expect("XSHA256 f"), fakeftp.Reply("250 "+sum),
		fakeftp.Expect("XSHA256 f"), fakeftp.Reply("250 "+sum),
	))
	c := dialFake(t, srv, nil)
	if _, _, err := c.Hash(fakeCtx(t), "nofile", ftp.HashSHA256); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Hash(nofile) = %v; want fs.ErrNotExist", err)
	}
	for i := 0; i < 2; i++ {
		if _, got, err := c.Hash(fakeCtx(t), "f", ftp.HashSHA256); err != nil || got != sum {
			t.Fatalf("Hash %d = %q, %v", i, got, err)
		}
	}
}

// TestSetModTimeFallbackPerReason: MFMT refused about the file (550) is the
// answer; refused as unknown (500), SITE UTIME from then on.
func TestSetModTimeFallbackPerReason(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("MFMT 20200102030405 nofile"), fakeftp.Reply("550 No such file."),
		fakeftp.Expect("MFMT 20200102030405 f"), fakeftp.Reply("500 Unknown command."),
		fakeftp.Expect("SITE UTIME 20200102030405 f"), fakeftp.Reply("213 UTIME OK"),
		fakeftp.Expect("SITE UTIME 20200102030405 f"), fakeftp.Reply("213 UTIME OK"),
	))
	c := dialFake(t, srv, nil)
	ts := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := c.SetModTime(fakeCtx(t), "nofile", ts); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("SetModTime(nofile) = %v; want fs.ErrNotExist", err)
	}
	for i := 0; i < 2; i++ {
		if err := c.SetModTime(fakeCtx(t), "f", ts); err != nil {
			t.Fatalf("SetModTime %d: %v", i, err)
		}
	}
}

// Test421IsReported: a 421 to any command, those Login sends on its own
// included, is returned as an *Error with its text, and every later call
// fails with it rather than with "server closed the connection".
func Test421IsReported(t *testing.T) {
	login := []fakeftp.Step{fakeftp.Expect("USER anonymous"), fakeftp.Reply("230 in")}
	for _, tt := range []struct {
		name string
		run  func(ctx context.Context, c *ftp.Conn) error
		tail []fakeftp.Step
	}{
		{"FEAT", func(ctx context.Context, c *ftp.Conn) error { return c.Login(ctx, "", "") },
			steps(login, fakeftp.Expect("FEAT"), fakeftp.Reply("421 Timeout."))},
		{"OPTS UTF8 ON", func(ctx context.Context, c *ftp.Conn) error { return c.Login(ctx, "", "") },
			steps(login, fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " UTF8", "211 End"),
				fakeftp.Expect("OPTS UTF8 ON"), fakeftp.Reply("421 Timeout."))},
		{"TYPE", func(ctx context.Context, c *ftp.Conn) error {
			_, err := c.Retrieve(ctx, "f")
			return err
		}, steps(fakeftp.Expect("TYPE I"), fakeftp.Reply("421 Timeout."))},
		{"unsolicited", func(ctx context.Context, c *ftp.Conn) error { return c.NoOp(ctx) },
			steps(fakeftp.Reply("421 Timeout."), fakeftp.CloseControl())},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeftp.New(t, steps(welcome, tt.tail, fakeftp.Optional(), fakeftp.ExpectEOF()))
			c := dialFake(t, srv, nil)
			err := tt.run(fakeCtx(t), c)
			var fe *ftp.Error
			if !errors.As(err, &fe) || fe.Code != 421 || fe.Msg != "Timeout." {
				t.Fatalf("err = %v; want the 421", err)
			}
			if err := c.NoOp(fakeCtx(t)); !errors.Is(err, ftp.ErrBroken) || !strings.Contains(err.Error(), "421 Timeout.") {
				t.Fatalf("next call: %v; want ErrBroken with the 421", err)
			}
		})
	}
}

// TestEPSVWithAddress: a 229 that fills in the address field is accepted;
// the address is ignored and the data connection goes to the control
// connection's peer.
func TestEPSVWithAddress(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("EPSV"), fakeftp.Passive("229 Entering Extended Passive Mode (|1|198.51.100.7|{port}|)"),
		fakeftp.Expect("NLST"), fakeftp.Reply("150 here"), fakeftp.SendData("f\r\n"), fakeftp.CloseData(), fakeftp.Reply("226 done"),
	))
	d := quickDialer()
	var dialled []string
	d.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	c := dialFake(t, srv, d)
	if names, err := c.NameList(fakeCtx(t), ""); err != nil || len(names) != 1 {
		t.Fatalf("NameList = %v, %v", names, err)
	}
	for _, a := range dialled {
		if strings.Contains(a, "198.51.100.7") {
			t.Errorf("dialled the address from the 229 reply: %s", a)
		}
	}
}

// TestPassiveTimeoutOncePerAttempt: when neither EPSV's port nor PASV's
// can be reached, the transfer fails after one DataTimeout, not one per
// fallback step.
func TestPassiveTimeoutOncePerAttempt(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("TYPE I"), fakeftp.Reply("200 ok"),
		fakeftp.Expect("EPSV"), fakeftp.Reply("229 Entering Extended Passive Mode (|||1|)"),
		fakeftp.Expect("PASV"), fakeftp.Reply("227 Entering Passive Mode (127,0,0,1,0,1)"),
		fakeftp.Optional(), fakeftp.ExpectEOF(),
	))
	d := quickDialer()
	d.DataTimeout = 400 * time.Millisecond
	control := srv.Addr()
	d.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == control {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
		<-ctx.Done() // a data port whose SYNs are dropped
		return nil, ctx.Err()
	}
	c := dialFake(t, srv, d)
	start := time.Now()
	r, err := c.Retrieve(fakeCtx(t), "f")
	if err == nil {
		io.Copy(io.Discard, r)
		r.Close()
		t.Fatal("Retrieve worked with no reachable data port")
	}
	if took := time.Since(start); took > d.DataTimeout*3/2 {
		t.Fatalf("the failed data connection took %v, more than one DataTimeout (%v)", took, d.DataTimeout)
	}
}
