package ftp_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

// retrSteps serves RETR name with data once the data connection is set up.
func retrSteps(name, data string) []fakeftp.Step {
	return []fakeftp.Step{
		fakeftp.Expect("RETR " + name), fakeftp.Reply("150 Opening BINARY mode data connection"),
		fakeftp.SendData(data), fakeftp.CloseData(),
		fakeftp.Reply("226 Transfer complete"),
	}
}

var typeI = []fakeftp.Step{fakeftp.Expect("TYPE I"), fakeftp.Reply("200 Switching to Binary mode.")}

func checkRetrieve(t *testing.T, c *ftp.Conn, name, want string) {
	t.Helper()
	got, err := retrieve(fakeCtx(t), c, name, 0)
	if err != nil || string(got) != want {
		t.Fatalf("Retrieve(%s) = %q, %v; want %q", name, got, err, want)
	}
}

func TestPassiveEPSV(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("EPSV"), fakeftp.EPSV(), retrSteps("a", "alpha"),
		fakeftp.Expect("EPSV"), fakeftp.EPSV(), retrSteps("b", "beta"),
	))
	c := dialFake(t, srv, nil)
	checkRetrieve(t, c, "a", "alpha")
	checkRetrieve(t, c, "b", "beta")
}

// TestEPSVRefusedFallsBackToPASV: ftplib never falls back from EPSV to PASV
// (nor sends EPSV on IPv4). We try EPSV, fall back on 500-504, and remember
// the refusal so that later transfers go straight to PASV.
func TestEPSVRefusedFallsBackToPASV(t *testing.T) {
	for _, code := range []string{"500 EPSV not understood", "502 Command not supported", "504 not for this protocol"} {
		t.Run(code[:3], func(t *testing.T) {
			srv := fakeftp.New(t, steps(welcome, typeI,
				fakeftp.Expect("EPSV"), fakeftp.Reply(code),
				fakeftp.Expect("PASV"), fakeftp.PASV(), retrSteps("a", "1"),
				fakeftp.Expect("PASV"), fakeftp.PASV(), retrSteps("b", "2"),
			))
			c := dialFake(t, srv, nil)
			checkRetrieve(t, c, "a", "1")
			checkRetrieve(t, c, "b", "2")
		})
	}
}

// TestEPSVOtherRefusal: a refusal that is not "unknown command" is not a
// cue to fall back; it is the transfer's error.
func TestEPSVOtherRefusal(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("EPSV"), fakeftp.Reply("425 Cannot open passive connection"),
		pwdSteps("/epsv"),
	))
	c := dialFake(t, srv, nil)
	_, err := c.Retrieve(fakeCtx(t), "a")
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 425 {
		t.Fatalf("err = %v, want *ftp.Error 425", err)
	}
	checkInStep(t, c, "/epsv")
}

// TestEPSVPortUnreachableFallsBackToPASV: NAT devices that pass EPSV but not
// its port; PASV may still work, and is used from then on.
func TestEPSVPortUnreachableFallsBackToPASV(t *testing.T) {
	closed := refusedPort(t)
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("EPSV"), fakeftp.Reply(fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)", closed)),
		fakeftp.Expect("PASV"), fakeftp.PASV(), retrSteps("a", "via PASV"),
		fakeftp.Expect("PASV"), fakeftp.PASV(), retrSteps("b", "still PASV"),
	))
	c := dialFake(t, srv, nil)
	checkRetrieve(t, c, "a", "via PASV")
	checkRetrieve(t, c, "b", "still PASV")
}

func TestDisableEPSV(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("PASV"), fakeftp.PASV(), retrSteps("a", "pasv only"),
	))
	d := quickDialer()
	d.DisableEPSV = true
	c := dialFake(t, srv, d)
	checkRetrieve(t, c, "a", "pasv only")
}

// TestPASVAddressIgnored: the ftplib test server advertises 252.253.254.255
// while listening on loopback. The advertised address is ignored by default
// (CVE-2021-4189): the data connection goes to the control peer.
func TestPASVAddressIgnored(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("PASV"), fakeftp.Passive("227 Entering Passive Mode (252,253,254,255,{p1},{p2})."),
		retrSteps("a", "from loopback"),
	))
	d := quickDialer()
	d.DisableEPSV = true
	c := dialFake(t, srv, d)
	checkRetrieve(t, c, "a", "from loopback")
}

// TestTrustPASVAddress: with TrustPASVAddress the advertised address is
// dialled. The recorder refuses it, so nothing leaves the machine.
func TestTrustPASVAddress(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("PASV"), fakeftp.Passive("227 Entering Passive Mode (252,253,254,255,{p1},{p2})."),
		// 0.0.0.0 means "the address you reached me at", even when trusted.
		fakeftp.Expect("PASV"), fakeftp.Passive("227 Entering Passive Mode (0,0,0,0,{p1},{p2})."),
		retrSteps("b", "peer"),
		pwdSteps("/trust"),
	))
	rec := &dialRecorder{refuse: func(addr string) error {
		if strings.HasPrefix(addr, "252.") {
			return errors.New("refused by the test")
		}
		return nil
	}}
	d := quickDialer()
	d.DisableEPSV = true
	d.TrustPASVAddress = true
	d.DialContext = rec.dial
	c := dialFake(t, srv, d)
	if _, err := c.Retrieve(fakeCtx(t), "a"); err == nil || !strings.Contains(err.Error(), "252.253.254.255") {
		t.Fatalf("Retrieve = %v, want a failure to reach 252.253.254.255", err)
	}
	checkRetrieve(t, c, "b", "peer")
	addrs := rec.dialled()
	if len(addrs) != 3 || !strings.HasPrefix(addrs[1], "252.253.254.255:") || !strings.HasPrefix(addrs[2], "127.0.0.1:") {
		t.Errorf("dialled %q", addrs)
	}
	checkInStep(t, c, "/trust")
}

// TestPASVMalformed: a port over 65535 (ftplib wraps it and connects to
// another port), port 0, or no address: each is a *ProtocolError before any
// data connection, and the Conn stays in step. Spaces after the commas are
// accepted (ftplib refuses them).
func TestPASVMalformed(t *testing.T) {
	for _, reply := range []string{
		"227 Entering Passive Mode (127,0,0,1,300,1)",
		"227 Entering Passive Mode (127,0,0,1,0,0)",
		"227 Entering Passive Mode",
		"227 Entering Passive Mode (127,0,0,1,4)",
	} {
		t.Run(reply[25:], func(t *testing.T) {
			srv := fakeftp.New(t, steps(welcome, typeI,
				fakeftp.Expect("PASV"), fakeftp.Passive(reply),
				pwdSteps("/pasv"),
			))
			rec := &dialRecorder{}
			d := quickDialer()
			d.DisableEPSV = true
			d.DialContext = rec.dial
			c := dialFake(t, srv, d)
			_, err := c.Retrieve(fakeCtx(t), "a")
			var pe *ftp.ProtocolError
			if !errors.As(err, &pe) || pe.Cmd != "PASV" {
				t.Fatalf("err = %v, want *ftp.ProtocolError", err)
			}
			if n := len(rec.dialled()); n != 1 {
				t.Errorf("%d data connections attempted", n-1)
			}
			checkInStep(t, c, "/pasv")
		})
	}
}

func TestPASVWithSpaces(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("PASV"), fakeftp.Passive("227 Entering Passive Mode (127, 0, 0, 1, {p1}, {p2})"),
		retrSteps("a", "spaced"),
	))
	d := quickDialer()
	d.DisableEPSV = true
	c := dialFake(t, srv, d)
	checkRetrieve(t, c, "a", "spaced")
}

// TestEPSVMalformed: ftplib lets a garbage 229 port escape all_errors as a
// ValueError. Here it is a typed *ProtocolError and the Conn stays in step.
func TestEPSVMalformed(t *testing.T) {
	for _, reply := range []string{
		"229 Entering Extended Passive Mode (|||abc|)",
		"229 Entering Extended Passive Mode (|||70000|)",
		"229 Entering Extended Passive Mode (||||)",
		"229 Entering Extended Passive Mode |||{port}|",
		"229 Entering Extended Passive Mode (|1|10.9.8.7|{port}|x|)",
	} {
		t.Run(reply[35:], func(t *testing.T) {
			srv := fakeftp.New(t, steps(welcome, typeI,
				fakeftp.Expect("EPSV"), fakeftp.Passive(reply),
				pwdSteps("/epsv"),
			))
			c := dialFake(t, srv, nil)
			_, err := c.Retrieve(fakeCtx(t), "a")
			var pe *ftp.ProtocolError
			if !errors.As(err, &pe) || pe.Cmd != "EPSV" {
				t.Fatalf("err = %v, want *ftp.ProtocolError for EPSV", err)
			}
			checkInStep(t, c, "/epsv")
		})
	}
}

// TestPassiveDataConnectTimeout: a data port that never answers costs
// DataTimeout; nothing was sent for the transfer, so the Conn is in step.
func TestPassiveDataConnectTimeout(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.Expect("PASV"), fakeftp.PASV(),
		pwdSteps("/after-timeout"),
	))
	d := quickDialer()
	d.DisableEPSV = true
	d.DataTimeout = 200 * time.Millisecond
	control := true
	d.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if control {
			control = false
			var nd net.Dialer
			return nd.DialContext(ctx, network, addr)
		}
		<-ctx.Done() // a SYN dropped by a firewall
		return nil, ctx.Err()
	}
	c := dialFake(t, srv, d)
	start := time.Now()
	_, err := c.Retrieve(fakeCtx(t), "a")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v with DataTimeout 200ms", el)
	}
	if !ftp.IsTransient(err) {
		t.Errorf("IsTransient(%v) = false", err)
	}
	checkInStep(t, c, "/after-timeout")
}

func activeDialer() *ftp.Dialer {
	d := quickDialer()
	d.Active = true
	return d
}

func TestActiveEPRT(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT |1|127.0.0.1|*|"), fakeftp.Reply("200 EPRT command successful."),
		fakeftp.Expect("RETR a"), fakeftp.Reply("150 Opening"), fakeftp.Connect(),
		fakeftp.SendData("active"), fakeftp.CloseData(), fakeftp.Reply("226 done"),
	))
	c := dialFake(t, srv, activeDialer())
	checkRetrieve(t, c, "a", "active")
	if p, err := strconv.Atoi(srv.Matches()[0][0]); err != nil || p <= 0 || p > 65535 {
		t.Errorf("EPRT port %q", srv.Matches()[0][0])
	}
}

// TestActiveEPRTRefusedFallsBackToPORT: ftplib sends PORT only on IPv4, so
// it has no fallback in either direction. We send EPRT, fall back to PORT
// on 500-504, and remember it.
func TestActiveEPRTRefusedFallsBackToPORT(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT |1|127.0.0.1|*|"), fakeftp.Reply("500 EPRT not understood"),
		fakeftp.ExpectMatch("PORT 127,0,0,1,*"), fakeftp.Reply("200 PORT command successful."),
		fakeftp.Expect("RETR a"), fakeftp.Reply("150 Opening"), fakeftp.Connect(),
		fakeftp.SendData("one"), fakeftp.CloseData(), fakeftp.Reply("226 done"),
		fakeftp.ExpectMatch("PORT 127,0,0,1,*"), fakeftp.Reply("200 PORT command successful."),
		fakeftp.Expect("RETR b"), fakeftp.Reply("150 Opening"), fakeftp.Connect(),
		fakeftp.SendData("two"), fakeftp.CloseData(), fakeftp.Reply("226 done"),
	))
	c := dialFake(t, srv, activeDialer())
	checkRetrieve(t, c, "a", "one")
	checkRetrieve(t, c, "b", "two")
}

func TestActivePORTRefused(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT *"), fakeftp.Reply("500 EPRT not understood"),
		fakeftp.ExpectMatch("PORT *"), fakeftp.Reply("500 Illegal PORT command"),
		pwdSteps("/port"),
	))
	c := dialFake(t, srv, activeDialer())
	var fe *ftp.Error
	if _, err := c.Retrieve(fakeCtx(t), "a"); !errors.As(err, &fe) || fe.Code != 500 {
		t.Fatalf("err = %v", err)
	}
	checkInStep(t, c, "/port")
}

func TestActiveDisableEPSVUsesPORT(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("PORT 127,0,0,1,*,*"), fakeftp.Reply("200 PORT ok"),
		fakeftp.Expect("RETR a"), fakeftp.Reply("150 Opening"), fakeftp.Connect(),
		fakeftp.SendData("port"), fakeftp.CloseData(), fakeftp.Reply("226 done"),
	))
	d := activeDialer()
	d.DisableEPSV = true
	c := dialFake(t, srv, d)
	checkRetrieve(t, c, "a", "port")
	m := srv.Matches()[0]
	p1, _ := strconv.Atoi(m[0])
	p2, _ := strconv.Atoi(m[1])
	if p1 < 0 || p1 > 255 || p2 < 0 || p2 > 255 || p1<<8|p2 == 0 {
		t.Errorf("PORT port fields %q", m)
	}
}

// TestActiveRefusesOtherPeer: ftplib accepts whoever connects to its
// active-mode port first. A connection from another address is closed and
// the server's own is waited for.
func TestActiveRefusesOtherPeer(t *testing.T) {
	if ln, err := net.Listen("tcp", "127.0.0.2:0"); err != nil {
		t.Skipf("no 127.0.0.2 on this host: %v", err)
	} else {
		ln.Close()
	}
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT |1|127.0.0.1|*|"), fakeftp.Reply("200 EPRT ok"),
		fakeftp.Expect("RETR a"), fakeftp.Reply("150 Opening"),
		fakeftp.ConnectFrom("127.0.0.2"),
		fakeftp.Sleep(100*time.Millisecond), // let the client see the intruder first
		fakeftp.Connect(),
		fakeftp.SendData("genuine"), fakeftp.CloseData(), fakeftp.Reply("226 done"),
	))
	c := dialFake(t, srv, activeDialer())
	checkRetrieve(t, c, "a", "genuine")
}

// TestActiveDataConnectTimeout: a server that never connects back costs
// DataTimeout; its final reply (425) is read and returned with the timeout.
func TestActiveDataConnectTimeout(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI,
		fakeftp.ExpectMatch("EPRT *"), fakeftp.Reply("200 EPRT ok"),
		fakeftp.Expect("RETR a"), fakeftp.Reply("150 Opening"),
		fakeftp.Sleep(400*time.Millisecond),
		fakeftp.Reply("425 Failed to establish connection."),
		pwdSteps("/active"),
	))
	d := activeDialer()
	d.DataTimeout = 200 * time.Millisecond
	c := dialFake(t, srv, d)
	start := time.Now()
	_, err := c.Retrieve(fakeCtx(t), "a")
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 425 {
		t.Fatalf("err = %v, want the server's 425 with the timeout", err)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v does not say it timed out", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
	checkInStep(t, c, "/active")
}
