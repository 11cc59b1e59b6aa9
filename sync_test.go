package ftp_test

// The tests in this file cover item 8 of the design: after any error
// between a transfer command (or any command) and its final reply, the
// pending reply is read, or the Conn is marked broken and every later call
// says so. ftplib leaves the reply unread on every one of these paths and
// reads it as the answer to the next command. Each test ends either with
// checkInStep (PWD gets its own reply, which a stale 226 or 426 could not
// pass for) or with checkBroken.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"

	"github.com/ferryftp/ftp/internal/server"
)

func TestSyncDataResetDownload(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData("part"), fakeftp.Sleep(50*time.Millisecond), fakeftp.ResetData(),
		fakeftp.Reply("426 Connection closed; transfer aborted."),
		pwdSteps("/after-reset"),
	))
	c := dialFake(t, srv, nil)
	_, err := retrieve(fakeCtx(t), c, "f", 0)
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 426 {
		t.Fatalf("err = %v, want the server's 426", err)
	}
	checkInStep(t, c, "/after-reset")
}

// TestSyncDataResetNoReply: the data connection is reset and the server
// says nothing more: after AbortTimeout the Conn is broken.
func TestSyncDataResetNoReply(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.ResetData(), fakeftp.Stall(),
	))
	d := quickDialer()
	d.AbortTimeout = 200 * time.Millisecond
	c := dialFake(t, srv, d)
	if _, err := retrieve(fakeCtx(t), c, "f", 0); err == nil {
		t.Fatal("Retrieve succeeded")
	}
	checkBroken(t, c)
	waitFake(t, srv) // Stall ends when the broken Conn closes its side
}

// TestSyncDataStall: the server stops sending mid-download. DataTimeout ends
// the wait, and the server's reply to the failed transfer is read.
func TestSyncDataStall(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData("part"), fakeftp.Sleep(500*time.Millisecond),
		fakeftp.Reply("426 Failure writing network stream."),
		pwdSteps("/after-stall"),
	))
	d := quickDialer()
	d.DataTimeout = 150 * time.Millisecond
	c := dialFake(t, srv, d)
	got, err := retrieve(fakeCtx(t), c, "f", 0)
	if string(got) != "part" {
		t.Errorf("got %q before the stall", got)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("err = %v, want a timeout", err)
	}
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 426 {
		t.Errorf("err = %v, want the server's 426 too", err)
	}
	checkInStep(t, c, "/after-stall")
}

// TestSyncFinalReplyTimeout: the data arrives but the 226 never does.
func TestSyncFinalReplyTimeout(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData("all"), fakeftp.CloseData(), fakeftp.Stall(),
	))
	d := quickDialer()
	d.ReplyTimeout = 200 * time.Millisecond
	c := dialFake(t, srv, d)
	start := time.Now()
	_, err := retrieve(fakeCtx(t), c, "f", 0)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v with ReplyTimeout 200ms", el)
	}
	checkBroken(t, c)
	waitFake(t, srv)
}

// TestSync552MidUpload: the disk fills up; the server resets the data
// connection and replies 552. ftplib reports the socket error and leaves
// the 552 for the next command. The 552 must come back as *ftp.Error.
func TestSync552MidUpload(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("STOR big"), fakeftp.Reply("150 Ok to send data."),
		fakeftp.ReadDataN(1000), fakeftp.ResetData(),
		fakeftp.Reply("552 Requested file action aborted. Exceeded storage allocation."),
		pwdSteps("/after-552"),
	))
	c := dialFake(t, srv, nil)
	err := c.Store(fakeCtx(t), "big", io.LimitReader(zeros{}, 16<<20))
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 552 {
		t.Fatalf("err = %v, want *ftp.Error 552", err)
	}
	checkInStep(t, c, "/after-552")
}

// TestSyncFailureReplyAfterData: the data moved but the final reply is a
// failure: it is returned, and the transfer counts as failed.
func TestSyncFailureReplyAfterData(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData("all of it"), fakeftp.CloseData(),
		fakeftp.Reply("451 Requested action aborted: local error in processing."),
		epsv, storSteps("STOR g", "up")[0], fakeftp.Reply("150 go"),
		fakeftp.ExpectData("up"), fakeftp.CloseData(), fakeftp.Reply("550 Permission denied on close"),
		pwdSteps("/after-451"),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	_, err := retrieve(ctx, c, "f", 0)
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 451 || !ftp.IsTransient(err) {
		t.Fatalf("err = %v, want *ftp.Error 451", err)
	}
	if err := c.Store(ctx, "g", strings.NewReader("up")); !errors.As(err, &fe) || fe.Code != 550 {
		t.Fatalf("Store err = %v, want *ftp.Error 550", err)
	}
	checkInStep(t, c, "/after-451")
}

// TestSyncCancelDownload: cancelling the context mid-download returns
// promptly with context.Canceled, sends ABOR after the Telnet IP and Synch,
// reads both replies (426 for the transfer, 226 for ABOR) and leaves the
// Conn usable.
func TestSyncCancelDownload(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData("part"),
		aborted("426 Connection closed; transfer aborted.", "226 Abort successful"),
		pwdSteps("/after-cancel"),
	))
	c := dialFake(t, srv, nil)
	ctx, cancel := context.WithCancel(fakeCtx(t))
	d, err := c.Retrieve(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(d, buf); err != nil || string(buf) != "part" {
		t.Fatalf("first read: %q, %v", buf, err)
	}
	var cancelled time.Time
	time.AfterFunc(50*time.Millisecond, func() { cancelled = time.Now(); cancel() })
	_, err = d.Read(buf) // blocks: the server sends nothing more
	if el := time.Since(cancelled); el > time.Second {
		t.Errorf("Read returned %v after the cancellation", el)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("Close after the abort: %v", err)
	}
	checkInStep(t, c, "/after-cancel")
	checkUrgentABOR(t, srv)
}

// aborted is the server's side of an abort: ABOR after the Telnet IP and
// Synch, the given replies, then the NOOP the client sends to find the end
// of them, whatever their number.
func aborted(replies ...string) []fakeftp.Step {
	return []fakeftp.Step{
		fakeftp.ExpectUrgent("ABOR"), fakeftp.Reply(replies...),
		fakeftp.Expect("NOOP"), fakeftp.Reply("200 NOOP ok"),
	}
}

// checkUrgentABOR checks the ABOR line carried RFC 959's IAC IP IAC DM
// prefix (ftplib sends ABOR alone, as urgent data).
func checkUrgentABOR(t *testing.T, srv *fakeftp.Server) {
	t.Helper()
	for _, l := range srv.Received() {
		if strings.HasSuffix(l, "ABOR") {
			if l != fakeftp.IPSynch+"ABOR" {
				t.Errorf("ABOR line %q, want %q", l, fakeftp.IPSynch+"ABOR")
			}
			return
		}
	}
	t.Error("no ABOR received")
}

// TestSyncCancelUpload: the same for an upload blocked on a server that
// stopped reading.
func TestSyncCancelUpload(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("STOR f"), fakeftp.Reply("150 Ok to send data."),
		aborted("426 Transfer aborted.", "226 ABOR successful"),
		pwdSteps("/after-cancel"),
	))
	c := dialFake(t, srv, nil)
	ctx, cancel := context.WithCancel(fakeCtx(t))
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err := c.Store(ctx, "f", zeros{}) // endless
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 1500*time.Millisecond {
		t.Errorf("Store returned after %v", el)
	}
	checkInStep(t, c, "/after-cancel")
	checkUrgentABOR(t, srv)
}

// TestSyncDeadlineDownload: a context deadline mid-transfer is reported as
// context.DeadlineExceeded and handled like a cancellation.
func TestSyncDeadlineDownload(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData("part"),
		// Some servers send only one reply to an aborted transfer.
		aborted("226 Abort successful"),
		pwdSteps("/after-deadline"),
	))
	c := dialFake(t, srv, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := retrieve(ctx, c, "f", 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	checkInStep(t, c, "/after-deadline")
}

// TestSyncCancelNoAbortReply: the server ignores ABOR; after AbortTimeout
// the Conn is broken rather than left waiting or out of step.
func TestSyncCancelNoAbortReply(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData("part"), fakeftp.Stall(),
	))
	d := quickDialer()
	d.AbortTimeout = 200 * time.Millisecond
	c := dialFake(t, srv, d)
	ctx, cancel := context.WithTimeout(fakeCtx(t), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := retrieve(ctx, c, "f", 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
	checkBroken(t, c)
	waitFake(t, srv)
}

func TestSyncMalformedFinalReply(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData("all"), fakeftp.CloseData(),
		fakeftp.Reply("Transfer complete"),
		fakeftp.Optional(), fakeftp.Stall(),
	))
	c := dialFake(t, srv, nil)
	_, err := retrieve(fakeCtx(t), c, "f", 0)
	var pe *ftp.ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want *ftp.ProtocolError", err)
	}
	checkBroken(t, c)
}

// TestSyncPreliminary3xx: a 3xx to RETR leaves the server waiting for
// something the client never sends; the Conn cannot continue.
func TestSyncPreliminary3xx(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("350 what now?"),
		fakeftp.Optional(), fakeftp.Stall(),
	))
	c := dialFake(t, srv, nil)
	_, err := c.Retrieve(fakeCtx(t), "f")
	var ue *ftp.UnexpectedReplyError
	if !errors.As(err, &ue) || ue.Reply.Code != 350 {
		t.Fatalf("err = %v", err)
	}
	checkBroken(t, c)
}

// TestSyncControlClosedMidTransfer: the server drops the control
// connection before the final reply.
func TestSyncControlClosedMidTransfer(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"),
		fakeftp.SendData("all"), fakeftp.CloseData(), fakeftp.CloseControl(),
	))
	c := dialFake(t, srv, nil)
	_, err := retrieve(fakeCtx(t), c, "f", 0)
	if err == nil || !ftp.IsTransient(err) {
		t.Fatalf("err = %v, want a transient error", err)
	}
	checkBroken(t, c)
}

// TestSyncOverLongReply: ftplib raises on a line over 8 KiB and reads the
// rest of it as the next replies. Here the Conn is broken instead.
func TestSyncOverLongReply(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("NOOP"),
		fakeftp.Reply("200 "+strings.Repeat("x", ftp.DefaultMaxLineLength)+" 200 forged"),
		fakeftp.Optional(), fakeftp.Stall(),
	))
	c := dialFake(t, srv, nil)
	err := c.NoOp(fakeCtx(t))
	var pe *ftp.ProtocolError
	if !errors.As(err, &pe) || pe.Cmd != "NOOP" {
		t.Fatalf("err = %v, want *ftp.ProtocolError for NOOP", err)
	}
	checkBroken(t, c)
	if err := c.NoOp(fakeCtx(t)); !errors.As(err, &pe) {
		t.Errorf("the broken error %v does not carry the cause", err)
	}
}

func TestSyncReplyTimeout(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("PWD"), fakeftp.Stall()))
	d := quickDialer()
	d.ReplyTimeout = 200 * time.Millisecond
	c := dialFake(t, srv, d)
	_, err := c.CurrentDir(fakeCtx(t))
	if !errors.Is(err, os.ErrDeadlineExceeded) || !ftp.IsTransient(err) {
		t.Fatalf("err = %v, want a transient timeout", err)
	}
	checkBroken(t, c)
	waitFake(t, srv)
}

// TestSyncCancelWhileWaitingForReply: the command was sent, so its reply is
// due: a cancellation must break the Conn.
func TestSyncCancelWhileWaitingForReply(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, fakeftp.Expect("PWD"), fakeftp.Stall()))
	c := dialFake(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.CurrentDir(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v", el)
	}
	checkBroken(t, c)
	if err := c.NoOp(fakeCtx(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("the broken error %v does not carry the cause", err)
	}
	waitFake(t, srv)
}

// TestSyncCancelledBeforeSend: nothing was sent, so nothing is due.
func TestSyncCancelledBeforeSend(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, pwdSteps("/fine")))
	c := dialFake(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.CurrentDir(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.Retrieve(ctx, "f"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	checkInStep(t, c, "/fine")
}

// TestSyncLocalReadError: the local source fails mid-upload; the transfer
// is aborted so that the server does not keep a partial file as complete.
func TestSyncLocalReadError(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("STOR f"), fakeftp.Reply("150 Ok to send data."),
		fakeftp.ReadData(),
		aborted("426 Transfer aborted.", "226 ABOR ok"),
		pwdSteps("/after-local-error"),
	))
	c := dialFake(t, srv, nil)
	boom := errors.New("disk read error")
	src := io.MultiReader(strings.NewReader("some data"), errReader{boom})
	if err := c.Store(fakeCtx(t), "f", src); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the local error", err)
	}
	checkInStep(t, c, "/after-local-error")
	if up := srv.Uploaded(); len(up) != 1 || string(up[0]) != "some data" {
		t.Errorf("uploaded %q", up)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// --- TLS: data connection handshake failures and errors mid-stream ---

// tlsFront puts TLS in front of the fake: the Conn dials through it (as
// Dialer.DialContext), and it terminates TLS and relays plain bytes to the
// fake. Data connections can be made to fail.
type tlsFront struct {
	t    *testing.T
	cfg  *tls.Config
	wg   sync.WaitGroup
	mu   sync.Mutex
	n    int                   // dials so far; the first is the control connection
	data func(n int) dataFault // what to do to data connection n (1, 2, ...)
}

type dataFault int

const (
	dataOK        dataFault = iota
	dataNotTLS              // answer the handshake with plain text
	dataCorrupted           // handshake, then write bytes that are not a TLS record
	dataClear               // relay without TLS (PROT C)
)

func newTLSFront(t *testing.T) (*tlsFront, *x509.CertPool) {
	t.Helper()
	cert, err := server.NewCertificate(server.CertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pool := cert.Pool
	f := &tlsFront{t: t, cfg: &tls.Config{Certificates: []tls.Certificate{cert.TLS}}}
	t.Cleanup(f.wg.Wait)
	return f, pool
}

func (f *tlsFront) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	f.mu.Lock()
	n := f.n
	f.n++
	fault := dataOK
	if n > 0 && f.data != nil {
		fault = f.data(n)
	}
	f.mu.Unlock()
	var nd net.Dialer
	back, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	client, server := net.Pipe()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		f.relay(server, back, fault)
	}()
	return client, nil
}

func (f *tlsFront) relay(raw, back net.Conn, fault dataFault) {
	defer back.Close()
	defer raw.Close()
	if fault == dataNotTLS {
		raw.SetDeadline(time.Now().Add(fakeTimeout))
		go io.Copy(io.Discard, raw) // drain the ClientHello; ends when raw closes
		io.WriteString(raw, "550 this is not TLS\r\n")
		return
	}
	var tc net.Conn = raw
	if fault != dataClear {
		tsc := tls.Server(raw, f.cfg)
		if err := tsc.Handshake(); err != nil {
			return
		}
		tc = tsc
	}
	if fault == dataCorrupted {
		raw.Write([]byte("\x17\x03\x03\x00\x10garbage-garbage!"))
		io.Copy(io.Discard, tc)
		return
	}
	done := make(chan struct{})
	go func() {
		io.Copy(back, tc) // the client's close_notify ends the upload
		back.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(tc, back)
	tc.Close()
	<-done
}

// tlsLogin is Login over TLS: PBSZ and PROT follow USER/PASS.
func tlsLogin() []fakeftp.Step {
	return []fakeftp.Step{
		fakeftp.Expect("USER anonymous"), fakeftp.Reply("230 ok"),
		fakeftp.Expect("PBSZ 0"), fakeftp.Reply("200 PBSZ=0"),
		fakeftp.Expect("PROT P"), fakeftp.Reply("200 Protection level set to P"),
		fakeftp.Expect("FEAT"), fakeftp.Reply("502 no"),
	}
}

func dialTLSFake(t *testing.T, srv *fakeftp.Server, front *tlsFront, pool *x509.CertPool) *ftp.Conn {
	t.Helper()
	d := quickDialer()
	d.Timeout = fakeTimeout // handshakes are slow under -race on a loaded machine
	d.TLS = ftp.TLSImplicit
	d.TLSConfig = &tls.Config{RootCAs: pool}
	d.DialContext = front.dial
	c := dialFake(t, srv, d)
	if st, ok := c.TLSConnectionState(); !ok || !st.HandshakeComplete {
		t.Fatal("control connection is not TLS")
	}
	if err := c.Login(fakeCtx(t), "", ""); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSyncTLSDataHandshakeFailure: the data connection's TLS handshake fails
// (vsftpd refusing a data connection that does not resume the session). The
// server's 522 is read; ftplib leaves it unread (gh-63699).
func TestSyncTLSDataHandshakeFailure(t *testing.T) {
	front, pool := newTLSFront(t)
	front.data = func(n int) dataFault {
		if n == 1 {
			return dataNotTLS
		}
		return dataOK
	}
	srv := fakeftp.New(t, steps(welcome, tlsLogin(), typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening BINARY mode data connection"),
		fakeftp.Reply("522 SSL connection failed: session reuse required"),
		epsv, retrSteps("g", "secret data"),
		pwdSteps("/after-tls"),
	))
	c := dialTLSFake(t, srv, front, pool)
	_, err := retrieve(fakeCtx(t), c, "f", 0)
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 522 {
		t.Fatalf("err = %v, want the server's 522", err)
	}
	if !strings.Contains(err.Error(), "TLS") {
		t.Errorf("err = %v does not mention TLS", err)
	}
	checkRetrieve(t, c, "g", "secret data")
	checkInStep(t, c, "/after-tls")
}

// TestSyncTLSDataCorrupted: a TLS error after the handshake, mid-stream.
func TestSyncTLSDataCorrupted(t *testing.T) {
	front, pool := newTLSFront(t)
	front.data = func(int) dataFault { return dataCorrupted }
	srv := fakeftp.New(t, steps(welcome, tlsLogin(), typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening BINARY mode data connection"),
		fakeftp.Sleep(100*time.Millisecond),
		fakeftp.Reply("426 Failure reading network stream."),
		pwdSteps("/after-tls"),
	))
	c := dialTLSFake(t, srv, front, pool)
	_, err := retrieve(fakeCtx(t), c, "f", 0)
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Code != 426 {
		t.Fatalf("err = %v, want the server's 426", err)
	}
	checkInStep(t, c, "/after-tls")
}

// TestTLSTransfers runs a download and an upload over protected data
// connections, and a cancelled download: under TLS, ABOR goes in band and
// without Telnet bytes, which the TLS layer would not pass.
func TestTLSTransfers(t *testing.T) {
	front, pool := newTLSFront(t)
	srv := fakeftp.New(t, steps(welcome, tlsLogin(), typeI,
		epsv, retrSteps("f", "over tls"),
		epsv, storSteps("STOR g", "uploaded over tls"),
		epsv, fakeftp.Expect("RETR h"), fakeftp.Reply("150 Opening"), fakeftp.SendData("part"),
		fakeftp.Expect("ABOR"), fakeftp.Reply("426 aborted", "226 ABOR ok"),
		fakeftp.Expect("NOOP"), fakeftp.Reply("200 NOOP ok"),
		pwdSteps("/tls"),
	))
	c := dialTLSFake(t, srv, front, pool)
	ctx := fakeCtx(t)
	checkRetrieve(t, c, "f", "over tls")
	if err := c.Store(ctx, "g", strings.NewReader("uploaded over tls")); err != nil {
		t.Fatal(err)
	}
	d, err := c.Retrieve(ctx, "h")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(d, buf); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close mid-download: %v", err)
	}
	checkInStep(t, c, "/tls")
}

var _ = syscall.ECONNRESET

// TestSyncDataFailureAfterEarlyFinal: the server sent its final 226 at once
// (no 1xx) and the data connection then fails. No reply is due any more:
// the Conn must neither wait for one nor be broken.
func TestSyncDataFailureAfterEarlyFinal(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("226 Transfer complete"),
		fakeftp.SendData("part"), fakeftp.Sleep(50*time.Millisecond), fakeftp.ResetData(),
		pwdSteps("/early"),
	))
	c := dialFake(t, srv, nil)
	start := time.Now()
	if _, err := retrieve(fakeCtx(t), c, "f", 0); err == nil {
		t.Fatal("a reset data connection was not reported")
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v: waited for a reply that was not due", el)
	}
	checkInStep(t, c, "/early")
}
