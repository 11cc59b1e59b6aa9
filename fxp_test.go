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

// TestCopyBetween: the source goes passive, the target is told where to
// connect, STOR is sent to the target before RETR to the source (so the
// target is listening for the data first), and both final replies are read.
func TestCopyBetween(t *testing.T) {
	src := fakeftp.New(t, steps(welcome, typeI,
		// No data flows between two fakes: the port need not be open.
		fakeftp.Expect("EPSV"), fakeftp.Reply("229 Entering Extended Passive Mode (|||40123|)"),
		fakeftp.Expect("RETR a.bin"), fakeftp.Reply("150 Opening BINARY mode data connection"),
		fakeftp.Reply("226 Transfer complete"),
		pwdSteps("/src"),
	))
	dst := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("EPRT |1|127.0.0.1|40123|"), fakeftp.Reply("200 EPRT ok"),
		fakeftp.Expect("STOR b.bin"), fakeftp.Reply("150 Ok to send data"),
		fakeftp.Reply("226 Transfer complete"),
		pwdSteps("/dst"),
	))
	s, d := dialFake(t, src, nil), dialFake(t, dst, nil)
	if err := ftp.CopyBetween(fakeCtx(t), s, "a.bin", d, "b.bin"); err != nil {
		t.Fatal(err)
	}
	checkInStep(t, s, "/src")
	checkInStep(t, d, "/dst")
}

// TestCopyBetweenPASVAddressIgnored covers gh-87451: ftpcp sent the target
// the address in the source's 227 reply, letting a hostile source aim the
// target at any host. The source's control peer is sent instead, unless the
// source trusts PASV addresses.
func TestCopyBetweenPASVAddressIgnored(t *testing.T) {
	for _, trust := range []bool{false, true} {
		name := "default"
		wantHost := "127,0,0,1"
		if trust {
			name, wantHost = "trusted", "252,253,254,255"
		}
		t.Run(name, func(t *testing.T) {
			src := fakeftp.New(t, steps(welcome, typeI,
				fakeftp.Expect("EPSV"), fakeftp.Reply("500 EPSV not understood"),
				fakeftp.Expect("PASV"), fakeftp.Passive("227 Entering Passive Mode (252,253,254,255,{p1},{p2})."),
				fakeftp.Expect("RETR a"), fakeftp.Reply("150 ok"), fakeftp.Reply("226 done"),
			))
			dst := fakeftp.New(t, steps(welcome, typeI,
				// EPRT is refused, as servers that forbid FXP by EPRT do: PORT follows.
				fakeftp.ExpectMatch("EPRT |1|*|*|"), fakeftp.Reply("500 EPRT not understood"),
				fakeftp.ExpectMatch("PORT *"), fakeftp.Reply("200 PORT ok"),
				fakeftp.Expect("STOR b"), fakeftp.Reply("150 ok"), fakeftp.Reply("226 done"),
			))
			sd := quickDialer()
			sd.TrustPASVAddress = trust
			s, d := dialFake(t, src, sd), dialFake(t, dst, nil)
			if err := ftp.CopyBetween(fakeCtx(t), s, "a", d, "b"); err != nil {
				t.Fatal(err)
			}
			m := dst.Matches()
			wantIP := strings.ReplaceAll(wantHost, ",", ".")
			if m[0][0] != wantIP {
				t.Errorf("EPRT address %q, want %q", m[0][0], wantIP)
			}
			if !strings.HasPrefix(m[1][0], wantHost+",") {
				t.Errorf("PORT %q, want the address %s", m[1][0], wantHost)
			}
		})
	}
}

// TestCopyBetweenTargetRefuses: the target refuses STOR; RETR is never sent
// to the source, and both Conns stay in step.
func TestCopyBetweenTargetRefuses(t *testing.T) {
	src := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("EPSV"), fakeftp.EPSV(),
		pwdSteps("/src"),
	))
	dst := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT *"), fakeftp.Reply("200 ok"),
		fakeftp.Expect("STOR b"), fakeftp.Reply("553 Could not create file."),
		pwdSteps("/dst"),
	))
	s, d := dialFake(t, src, nil), dialFake(t, dst, nil)
	err := ftp.CopyBetween(fakeCtx(t), s, "a", d, "b")
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 553 {
		t.Fatalf("err = %v, want the target's 553", err)
	}
	checkInStep(t, s, "/src")
	checkInStep(t, d, "/dst")
}

// TestCopyBetweenPORTRefused: servers that forbid FXP refuse a PORT to a
// host other than the client's; that refusal is the target's *Error.
func TestCopyBetweenPORTRefused(t *testing.T) {
	src := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("EPSV"), fakeftp.EPSV(), pwdSteps("/src"),
	))
	dst := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT *"), fakeftp.Reply("500 Illegal EPRT command"),
		fakeftp.ExpectMatch("PORT *"), fakeftp.Reply("500 Illegal PORT command"),
		pwdSteps("/dst"),
	))
	s, d := dialFake(t, src, nil), dialFake(t, dst, nil)
	var fe *ftp.Error
	if err := ftp.CopyBetween(fakeCtx(t), s, "a", d, "b"); !errors.As(err, &fe) || fe.Code != 500 {
		t.Fatalf("err = %v, want the target's 500", err)
	}
	checkInStep(t, s, "/src")
	checkInStep(t, d, "/dst")
}

// TestCopyBetweenSourceRefuses: the source refuses RETR after the target
// accepted STOR and waits for a connection. The target's transfer is
// aborted, and both of its replies (426 for STOR, 226 for ABOR) are read.
func TestCopyBetweenSourceRefuses(t *testing.T) {
	src := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("EPSV"), fakeftp.EPSV(),
		fakeftp.Expect("RETR a"), fakeftp.Reply("550 a: No such file or directory"),
		pwdSteps("/src"),
	))
	dst := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT *"), fakeftp.Reply("200 ok"),
		fakeftp.Expect("STOR b"), fakeftp.Reply("150 Ok to send data"),
		fakeftp.ExpectUrgent("ABOR"),
		fakeftp.Reply("426 Connection closed; transfer aborted.", "226 Abort successful"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("200 NOOP ok"),
		pwdSteps("/dst"),
	))
	s, d := dialFake(t, src, nil), dialFake(t, dst, nil)
	err := ftp.CopyBetween(fakeCtx(t), s, "a", d, "b")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want the source's 550", err)
	}
	checkInStep(t, s, "/src")
	checkInStep(t, d, "/dst")
}

func TestCopyBetweenBadPath(t *testing.T) {
	src := fakeftp.New(t, steps(welcome, typeI))
	dst := fakeftp.New(t, steps(welcome, typeI))
	s, d := dialFake(t, src, nil), dialFake(t, dst, nil)
	if err := ftp.CopyBetween(fakeCtx(t), s, "a\r\nDELE x", d, "b"); !errors.Is(err, ftp.ErrInvalidArgument) {
		t.Fatalf("err = %v", err)
	}
	waitFake(t, src)
	waitFake(t, dst)
}

// TestCopyBetweenNoPreliminary: a server that answers the transfer command
// with its final reply at once (no 1xx) has nothing more to say; waiting
// for another reply would time out and break the Conn.
func TestCopyBetweenNoPreliminary(t *testing.T) {
	src := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("EPSV"), fakeftp.Reply("229 Entering Extended Passive Mode (|||40124|)"),
		fakeftp.Expect("RETR a"), fakeftp.Reply("226 Transfer complete"),
		pwdSteps("/src"),
	))
	dst := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("EPRT |1|127.0.0.1|40124|"), fakeftp.Reply("200 EPRT ok"),
		fakeftp.Expect("STOR b"), fakeftp.Reply("250 Transfer complete"),
		pwdSteps("/dst"),
	))
	d := quickDialer()
	d.ReplyTimeout = time.Second
	s, t2 := dialFake(t, src, d), dialFake(t, dst, d)
	if err := ftp.CopyBetween(fakeCtx(t), s, "a", t2, "b"); err != nil {
		t.Fatal(err)
	}
	checkInStep(t, s, "/src")
	checkInStep(t, t2, "/dst")
}
