package ftp_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/conformance"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

var epsv = []fakeftp.Step{fakeftp.Expect("EPSV"), fakeftp.EPSV()}

// storSteps expects an upload of want with the given command line.
func storSteps(line, want string) []fakeftp.Step {
	return []fakeftp.Step{
		fakeftp.Expect(line), fakeftp.Reply("150 Ok to send data."),
		fakeftp.ExpectData(want), fakeftp.CloseData(),
		fakeftp.Reply("226 Transfer complete."),
	}
}

func TestRetrieveFrom(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("REST 10"), fakeftp.Reply("350 Restart position accepted (10)."),
		retrSteps("f", "rest of it"),
	))
	c := dialFake(t, srv, nil)
	got, err := retrieve(fakeCtx(t), c, "f", 10)
	if err != nil || string(got) != "rest of it" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestRetrieveFromRESTRefused(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("REST 10"), fakeftp.Reply("502 REST not supported"),
		pwdSteps("/rest"),
	))
	c := dialFake(t, srv, nil)
	var fe *ftp.Error
	if _, err := retrieve(fakeCtx(t), c, "f", 10); !errors.As(err, &fe) || fe.Code != 502 {
		t.Fatalf("err = %v", err)
	}
	checkInStep(t, c, "/rest")
}

func TestStoreAppend(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		epsv, storSteps("STOR f", "payload"),
		epsv, fakeftp.Expect("REST 30"), fakeftp.Reply("350 Restart position accepted (30)."),
		storSteps("STOR g", "tail"),
		epsv, storSteps("APPE h", "more"),
		epsv, storSteps("STOR empty", ""),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	if err := c.Store(ctx, "f", strings.NewReader("payload")); err != nil {
		t.Fatal(err)
	}
	if err := c.StoreFrom(ctx, "g", strings.NewReader("tail"), 30); err != nil {
		t.Fatal(err)
	}
	if err := c.Append(ctx, "h", iotest.OneByteReader(strings.NewReader("more"))); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(ctx, "empty", strings.NewReader("")); err != nil {
		t.Fatal(err)
	}
}

func TestStoreBadPath(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{welcome})
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	for _, p := range []string{"", "a\r\nDELE b", "a\x00"} {
		if err := c.Store(ctx, p, strings.NewReader("x")); !errors.Is(err, ftp.ErrInvalidArgument) {
			t.Errorf("Store(%q) = %v, want ErrInvalidArgument", p, err)
		}
	}
	checkNothingSent(t, srv)
}

func TestStoreUnique(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		epsv, fakeftp.Expect("STOU"), fakeftp.Reply("150 FILE: ftp0042.tmp"),
		fakeftp.ExpectData("one"), fakeftp.CloseData(), fakeftp.Reply("226 Transfer complete."),
		epsv, fakeftp.Expect("STOU"), fakeftp.Reply("150 Opening data connection"),
		fakeftp.ExpectData("two"), fakeftp.CloseData(),
		fakeftp.Reply("226 Transfer complete (unique file name: u.7)."),
		epsv, fakeftp.Expect("STOU"), fakeftp.Reply("150 Opening data connection"),
		fakeftp.ExpectData("three"), fakeftp.CloseData(), fakeftp.Reply("226 ok"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	for _, tt := range []struct{ data, want string }{{"one", "ftp0042.tmp"}, {"two", "u.7"}, {"three", ""}} {
		name, err := c.StoreUnique(ctx, strings.NewReader(tt.data))
		if err != nil || name != tt.want {
			t.Errorf("StoreUnique = %q, %v; want %q", name, err, tt.want)
		}
	}
}

// TestASCIITransfers: uploads turn "\n" into CRLF (existing CRLF kept);
// downloads turn CRLF into "\n" and keep a lone CR, which ftplib's
// universal newlines turn into a line break.
func TestASCIITransfers(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("TYPE A"), fakeftp.Reply("200 Switching to ASCII mode."),
		epsv, storSteps("STOR t", "a\r\nb\r\nc\r\n\r\n"),
		epsv, retrSteps("t", "x\r\ny\rz\r\n\r\nlast"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	c.SetASCII(true)
	if err := c.Store(ctx, "t", strings.NewReader("a\nb\r\nc\n\n")); err != nil {
		t.Fatal(err)
	}
	got, err := retrieve(ctx, c, "t", 0)
	if err != nil || string(got) != "x\ny\rz\n\nlast" {
		t.Fatalf("ASCII download = %q, %v", got, err)
	}
}

// TestTypeSentOnlyOnChange: ftplib sends TYPE before every transfer.
func TestTypeSentOnlyOnChange(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		epsv, retrSteps("1", "a"),
		epsv, retrSteps("2", "b"),
		epsv, retrSteps("3", "c"),
		fakeftp.Expect("TYPE A"), fakeftp.Reply("200 ASCII"),
		epsv, retrSteps("4", "d"),
		epsv, retrSteps("5", "e"),
		typeI,
		epsv, retrSteps("6", "f"),
	))
	c := dialFake(t, srv, nil)
	for i, want := range []string{"a", "b", "c", "d", "e", "f"} {
		c.SetASCII(i == 3 || i == 4)
		checkRetrieve(t, c, string(rune('1'+i)), want)
	}
}

func TestTypeRefused(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("TYPE I"), fakeftp.Reply("504 Command not supported for that parameter"),
		// Not remembered as in force: tried again.
		typeI, epsv, retrSteps("f", "ok"),
	))
	c := dialFake(t, srv, nil)
	var fe *ftp.Error
	if _, err := c.Retrieve(fakeCtx(t), "f"); !errors.As(err, &fe) || fe.Code != 504 {
		t.Fatalf("err = %v", err)
	}
	checkRetrieve(t, c, "f", "ok")
}

// TestServerQuirks covers replies servers send in place of the textbook
// 150 ... 226: a 200 before the 150 (some servers on LIST and STOR; ftplib
// skips one), 125 instead of 150, 250 instead of 226, and a completion
// with no preliminary reply at all.
func TestServerQuirks(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		epsv, fakeftp.Expect("RETR a"), fakeftp.Reply("200 PORT-like noise", "150 here"),
		fakeftp.SendData("A"), fakeftp.CloseData(), fakeftp.Reply("226 done"),
		epsv, fakeftp.Expect("STOR b"), fakeftp.Reply("200 noise", "150 go ahead"),
		fakeftp.ExpectData("B"), fakeftp.CloseData(), fakeftp.Reply("226 done"),
		epsv, fakeftp.Expect("RETR c"), fakeftp.Reply("125 Data connection already open; Transfer starting."),
		fakeftp.SendData("C"), fakeftp.CloseData(), fakeftp.Reply("250 Transfer complete."),
		epsv, fakeftp.Expect("NLST"), fakeftp.Reply("226 No files found"), fakeftp.CloseData(),
		epsv, fakeftp.Expect("NLST x"), fakeftp.Reply("226 Early"), fakeftp.SendData("x\r\n"), fakeftp.CloseData(),
		pwdSteps("/quirks"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	checkRetrieve(t, c, "a", "A")
	if err := c.Store(ctx, "b", strings.NewReader("B")); err != nil {
		t.Fatal(err)
	}
	checkRetrieve(t, c, "c", "C")
	if names, err := c.NameList(ctx, ""); err != nil || len(names) != 0 {
		t.Fatalf("NameList = %q, %v", names, err)
	}
	if names, err := c.NameList(ctx, "x"); err != nil || !cmp.Equal(names, []string{"x"}) {
		t.Fatalf("NameList(x) = %q, %v", names, err)
	}
	checkInStep(t, c, "/quirks")
}

// TestShortTransfer: ftplib reports success when the server sends part of
// a file and then 226. The size announced in the 150 reply is checked.
func TestShortTransfer(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		epsv, fakeftp.Expect("RETR f"),
		fakeftp.Reply("150 Opening BINARY mode data connection for f (100 bytes)."),
		fakeftp.SendData(strings.Repeat("x", 50)), fakeftp.CloseData(),
		fakeftp.Reply("226 Transfer complete."),
		epsv, fakeftp.Expect("RETR g"),
		fakeftp.Reply("150 Opening BINARY mode data connection for g (5 bytes)."),
		fakeftp.SendData("12345"), fakeftp.CloseData(), fakeftp.Reply("226 Transfer complete."),
		pwdSteps("/short"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	d, err := c.Retrieve(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	if d.Size() != 100 {
		t.Errorf("Size = %d", d.Size())
	}
	got, err := readAll(t, d)
	if !errors.Is(err, ftp.ErrShortTransfer) || len(got) != 50 {
		t.Fatalf("got %d bytes, %v; want 50 and ErrShortTransfer", len(got), err)
	}
	if !ftp.IsTransient(err) {
		t.Error("a short transfer is not transient")
	}
	checkRetrieve(t, c, "g", "12345")
	checkInStep(t, c, "/short")
}

// TestSizeAnnouncedAfterREST: vsftpd announces the whole file's size in its
// 150 reply even after REST (observed: "REST 100" then "(1000 bytes)" and
// 900 bytes sent), while other servers announce what is left. Neither may
// be taken for a short transfer; a resumed download that stops early still
// is one.
func TestSizeAnnouncedAfterREST(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		epsv, fakeftp.Expect("REST 100"), fakeftp.Reply("350 Restart position accepted (100)."),
		fakeftp.Expect("RETR f.bin"), fakeftp.Reply("150 Opening BINARY mode data connection for f.bin (1000 bytes)."),
		fakeftp.SendData(strings.Repeat("v", 900)), fakeftp.CloseData(), fakeftp.Reply("226 Transfer complete."),
		epsv, fakeftp.Expect("REST 100"), fakeftp.Reply("350 Restarting at 100. Send STORE or RETRIEVE."),
		fakeftp.Expect("RETR f.bin"), fakeftp.Reply("150 Opening BINARY mode data connection for f.bin (900 bytes)"),
		fakeftp.SendData(strings.Repeat("p", 900)), fakeftp.CloseData(), fakeftp.Reply("226 Transfer complete"),
		epsv, fakeftp.Expect("REST 100"), fakeftp.Reply("350 Restart position accepted (100)."),
		fakeftp.Expect("RETR f.bin"), fakeftp.Reply("150 Opening BINARY mode data connection for f.bin (1000 bytes)."),
		fakeftp.SendData(strings.Repeat("v", 500)), fakeftp.CloseData(), fakeftp.Reply("226 Transfer complete."),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	for _, name := range []string{"vsftpd", "remaining"} {
		if got, err := retrieve(ctx, c, "f.bin", 100); err != nil || len(got) != 900 {
			t.Errorf("%s: %d bytes, %v", name, len(got), err)
		}
	}
	if got, err := retrieve(ctx, c, "f.bin", 100); !errors.Is(err, ftp.ErrShortTransfer) || len(got) != 500 {
		t.Errorf("truncated resume: %d bytes, %v; want ErrShortTransfer", len(got), err)
	}
}

// TestShortTransferAgainstSize: with no size in the 150 reply, the answer
// to SIZE for the same path, asked just before, is what the download is
// checked against.
func TestShortTransferAgainstSize(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("SIZE f"), fakeftp.Reply("213 100"),
		epsv, fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData(strings.Repeat("x", 60)), fakeftp.CloseData(), fakeftp.Reply("226 Transfer complete."),
		// SIZE of another path says nothing about this one.
		fakeftp.Expect("SIZE g"), fakeftp.Reply("213 100"),
		epsv, fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData(strings.Repeat("x", 60)), fakeftp.CloseData(), fakeftp.Reply("226 Transfer complete."),
		// Only the next download uses it.
		fakeftp.Expect("SIZE f"), fakeftp.Reply("213 100"),
		epsv, retrSteps("f", strings.Repeat("x", 100)),
		epsv, retrSteps("f", strings.Repeat("x", 60)),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	if _, err := c.Size(ctx, "f"); err != nil {
		t.Fatal(err)
	}
	if got, err := retrieve(ctx, c, "f", 0); !errors.Is(err, ftp.ErrShortTransfer) || len(got) != 60 {
		t.Errorf("short against SIZE: %d bytes, %v; want ErrShortTransfer", len(got), err)
	}
	if _, err := c.Size(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	if got, err := retrieve(ctx, c, "f", 0); err != nil || len(got) != 60 {
		t.Errorf("SIZE of another path: %d bytes, %v", len(got), err)
	}
	if _, err := c.Size(ctx, "f"); err != nil {
		t.Fatal(err)
	}
	checkRetrieve(t, c, "f", strings.Repeat("x", 100))
	checkRetrieve(t, c, "f", strings.Repeat("x", 60))
}

func TestListings(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		epsv, fakeftp.Expect("LIST"), fakeftp.Reply("150 Here comes the directory listing."),
		fakeftp.SendData("-rw-r--r-- 1 ftp ftp 5 Jan 01 2024 a b\r\ndrwxr-xr-x 2 ftp ftp 4096 Jan 01 2024 dir\n"),
		fakeftp.CloseData(), fakeftp.Reply("226 Directory send OK."),
		// Names that are not UTF-8 (latin-1) come back byte for byte; ftplib
		// raises UnicodeDecodeError mid-listing and loses sync.
		epsv, fakeftp.Expect("NLST /pub"), fakeftp.Reply("150 Here comes the listing."),
		fakeftp.SendData("caf\xe9.txt\r\n\xff\xfe odd\r\n \xc2\xae leading space\r\nlast-no-newline"),
		fakeftp.CloseData(), fakeftp.Reply("226 Transfer complete."),
		epsv, fakeftp.Expect("NLST empty"), fakeftp.Reply("150 ok"), fakeftp.CloseData(),
		fakeftp.Reply("226 ok"),
		epsv, fakeftp.Expect("NLST none"), fakeftp.Reply("450 No files found"),
		pwdSteps("/listed"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	lines, err := c.List(ctx, "")
	want := []string{"-rw-r--r-- 1 ftp ftp 5 Jan 01 2024 a b", "drwxr-xr-x 2 ftp ftp 4096 Jan 01 2024 dir"}
	if err != nil || !cmp.Equal(lines, want) {
		t.Errorf("List = %q, %v", lines, err)
	}
	names, err := c.NameList(ctx, "/pub")
	want = []string{"caf\xe9.txt", "\xff\xfe odd", " \xc2\xae leading space", "last-no-newline"}
	if err != nil || !cmp.Equal(names, want) {
		t.Errorf("NameList = %q, %v", names, err)
	}
	if names, err := c.NameList(ctx, "empty"); err != nil || len(names) != 0 {
		t.Errorf("NameList(empty) = %q, %v", names, err)
	}
	if _, err := c.NameList(ctx, "none"); !errors.Is(err, fs.ErrNotExist) || !ftp.IsTransient(err) {
		t.Errorf("NameList(none) = %v", err)
	}
	checkInStep(t, c, "/listed")
}

// TestTransferRefused: a 4xx/5xx to the transfer command ends the exchange;
// the data connection already opened is closed and the Conn is in step.
func TestTransferRefused(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		epsv, fakeftp.Expect("RETR gone"), fakeftp.Reply("550 Failed to open file."),
		epsv, fakeftp.Expect("RETR busy"), fakeftp.Reply("450 file busy"),
		epsv, fakeftp.Expect("STOR ro"), fakeftp.Reply("553 Could not create file."),
		epsv, fakeftp.Expect("STOR full"), fakeftp.Reply("452 Insufficient storage space"),
		pwdSteps("/refused"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	if _, err := c.Retrieve(ctx, "gone"); !errors.Is(err, fs.ErrNotExist) || ftp.IsTransient(err) {
		t.Errorf("RETR 550: %v", err)
	}
	if _, err := c.Retrieve(ctx, "busy"); !ftp.IsTransient(err) {
		t.Errorf("RETR 450: %v", err)
	}
	if err := c.Store(ctx, "ro", strings.NewReader("x")); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("STOR 553: %v", err)
	}
	var fe *ftp.Error
	if err := c.Store(ctx, "full", strings.NewReader("x")); !errors.As(err, &fe) || fe.Code != 452 {
		t.Errorf("STOR 452: %v", err)
	}
	checkInStep(t, c, "/refused")
}

// TestBusy: one transfer at a time per control connection; a command sent
// while a download is open is refused without touching the wire.
func TestBusy(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		epsv, retrSteps("f", "data"),
		pwdSteps("/free"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	d, err := c.Retrieve(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.NoOp(ctx); !errors.Is(err, ftp.ErrBusy) {
		t.Errorf("NoOp during a download = %v, want ErrBusy", err)
	}
	if _, err := c.Retrieve(ctx, "g"); !errors.Is(err, ftp.ErrBusy) {
		t.Errorf("Retrieve during a download = %v, want ErrBusy", err)
	}
	if err := c.Store(ctx, "g", strings.NewReader("")); !errors.Is(err, ftp.ErrBusy) {
		t.Errorf("Store during a download = %v, want ErrBusy", err)
	}
	got, err := readAll(t, d)
	if err != nil || string(got) != "data" {
		t.Fatalf("download = %q, %v", got, err)
	}
	// Read returns io.EOF only once the 226 was read.
	if n, err := d.Read(make([]byte, 1)); n != 0 || err != io.EOF && err != nil {
		t.Errorf("Read after the end = %d, %v", n, err)
	}
	checkInStep(t, c, "/free")
}

// TestLargeDownload moves enough data for many reads and partial writes.
func TestLargeDownload(t *testing.T) {
	data := strings.Repeat("0123456789abcdef", 1<<14) // 256 KiB
	srv := fakeftp.New(t, steps(welcome, typeI, epsv, retrSteps("big", data),
		epsv, storSteps("STOR big", data),
	))
	c := dialFake(t, srv, nil)
	checkRetrieve(t, c, "big", data)
	if err := c.Store(fakeCtx(t), "big", bytes.NewReader([]byte(data))); err != nil {
		t.Fatal(err)
	}
}

// checkNothingSent checks that the fake has received no line at all; any
// line arriving later is reported by the fake when the test ends.
func checkNothingSent(t *testing.T, srv *fakeftp.Server) {
	t.Helper()
	if got := srv.Received(); len(got) != 0 {
		t.Errorf("the server received %q", got)
	}
}

// TestTranscripts replays hand-written sessions shaped after real servers,
// for behaviours the recorded ones (TestRecordedTranscripts) do not reach:
// an abort's reply pair, a multi-line banner, MLSD facts.
func TestTranscripts(t *testing.T) {
	t.Run("handwritten-vsftpd", func(t *testing.T) {
		srv := fakeftp.Replay(t, "testdata/transcripts/handwritten-vsftpd.txtar")
		c := dialFake(t, srv, nil)
		ctx := fakeCtx(t)
		if err := c.Login(ctx, "", ""); err != nil {
			t.Fatal(err)
		}
		if p, err := c.CurrentDir(ctx); p != "/" || err != nil {
			t.Fatalf("CurrentDir = %q, %v", p, err)
		}
		if n, err := c.Size(ctx, "hello.txt"); n != 13 || err != nil {
			t.Fatalf("Size = %d, %v", n, err)
		}
		checkRetrieve(t, c, "hello.txt", "hello world\r\n")
		if b, err := retrieve(ctx, c, "hello.txt", 6); string(b) != "world\r\n" || err != nil {
			t.Fatalf("resumed download = %q, %v", b, err)
		}
		if err := c.Store(ctx, "up.txt", strings.NewReader("first line\r\nsecond line\r\n")); err != nil {
			t.Fatal(err)
		}
		d, err := c.Retrieve(ctx, "big.bin")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(d, make([]byte, 4)); err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.Quit(ctx); err != nil {
			t.Fatal(err)
		}
		waitFake(t, srv)
	})
	t.Run("handwritten-pureftpd", func(t *testing.T) {
		srv := fakeftp.Replay(t, "testdata/transcripts/handwritten-pureftpd.txtar")
		c := dialFake(t, srv, nil)
		ctx := fakeCtx(t)
		if w := c.Welcome(); len(w.Lines) != 4 || !strings.HasPrefix(w.Message(), "--------- Welcome to Pure-FTPd") {
			t.Errorf("Welcome = %q", w.Message())
		}
		if err := c.Login(ctx, "ftptest", "secret"); err != nil {
			t.Fatal(err)
		}
		entries, err := c.ReadDir(ctx, "")
		if err != nil || len(entries) != 1 || entries[0].Name != "hello.txt" || entries[0].Size != 12 {
			t.Fatalf("ReadDir = %+v, %v", entries, err)
		}
		checkRetrieve(t, c, "hello.txt", "hello world\r\n")
		if err := c.Quit(ctx); err != nil {
			t.Fatal(err)
		}
		waitFake(t, srv)
	})
}

// TestRecordedTranscripts replays what the real daemons said to the very
// session conformance.TranscriptSession runs, as recorded by the
// integration tests (go test ./integration -run TestRecordTranscripts
// -record): the client must send the same lines and read the same replies
// to the same end.
func TestRecordedTranscripts(t *testing.T) {
	for _, name := range []string{"vsftpd", "proftpd", "pure-ftpd", "pyftpdlib"} {
		t.Run(name, func(t *testing.T) {
			srv := fakeftp.Replay(t, "testdata/transcripts/"+name+".txtar")
			c := dialFake(t, srv, nil)
			if err := conformance.TranscriptSession(fakeCtx(t), c, "user", "password"); err != nil {
				t.Fatal(err)
			}
			waitFake(t, srv)
		})
	}
}
