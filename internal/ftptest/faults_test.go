package ftptest

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
)

var kilobyte = bytes.Repeat([]byte("0123456789abcdef"), 64)

// faultServer serves /k.bin (1 KiB) to a logged-in plain client.
func faultServer(t *testing.T, opts Options) (*Server, *rawClient) {
	t.Helper()
	s := New(t, opts)
	if err := afero.WriteFile(s.FS(), "/k.bin", kilobyte, 0o644); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s, nil)
	c.login("u", "p")
	return s, c
}

func TestFaultTruncate(t *testing.T) {
	s, c := faultServer(t, Options{Faults: Faults{Transfer: Truncate, After: 100}})
	if r := c.transfer("RETR k.bin", nil, false); r.code != 226 || !bytes.Equal(r.data, kilobyte[:100]) {
		t.Fatalf("RETR: code %d, %d bytes", r.code, len(r.data))
	}
	if r := c.transfer("STOR up.bin", kilobyte, false); r.code != 226 {
		t.Fatalf("STOR: %+v", r)
	}
	if got, _ := afero.ReadFile(s.FS(), "/up.bin"); !bytes.Equal(got, kilobyte[:100]) {
		t.Fatalf("stored %d bytes, want 100", len(got))
	}
	// Listings and HASH are not transfers of file content.
	if r := c.transfer("LIST", nil, false); r.code != 226 || !strings.Contains(string(r.data), "k.bin") {
		t.Fatalf("LIST: %+v", r)
	}
}

func TestFaultTruncateSparesHASH(t *testing.T) {
	_, c := faultServer(t, Options{EnableHASH: true, Faults: Faults{Transfer: Truncate, After: 1}})
	sum := sha256.Sum256(kilobyte)
	if msg := c.cmd(250, "XSHA256 k.bin"); !strings.Contains(strings.ToLower(msg), hex.EncodeToString(sum[:])) {
		t.Fatalf("XSHA256 = %q, want the whole file's hash", msg)
	}
}

func TestFaultFail(t *testing.T) {
	s, c := faultServer(t, Options{})
	if err := s.SetFaults(Faults{Transfer: Fail, After: 100}); err != nil {
		t.Fatal(err)
	}
	r := c.transfer("RETR k.bin", nil, false)
	if r.code != 550 || !bytes.Equal(r.data, kilobyte[:100]) || !strings.Contains(r.msg, ErrInjected.Error()) {
		t.Fatalf("RETR: code %d %q, %d bytes", r.code, r.msg, len(r.data))
	}
	if r := c.transfer("STOR up.bin", kilobyte, false); r.code != 550 {
		t.Fatalf("STOR: %+v", r)
	}
	// The session survives an injected failure.
	c.cmd(200, "NOOP")
	if err := s.SetFaults(Faults{}); err != nil {
		t.Fatal(err)
	}
	if r := c.transfer("RETR k.bin", nil, false); r.code != 226 || len(r.data) != len(kilobyte) {
		t.Fatalf("RETR after clearing faults: %+v", r)
	}
}

// openRETR starts RETR k.bin over EPSV and returns the data connection.
func openRETR(t *testing.T, c *rawClient) net.Conn {
	t.Helper()
	port := epsvPort(t, c.cmd(229, "EPSV"))
	dc, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dc.Close() })
	c.cmd(150, "RETR k.bin")
	return dc
}

// expectStalled reads n bytes and then checks that nothing more comes.
func expectStalled(t *testing.T, dc net.Conn, n int) {
	t.Helper()
	_ = dc.SetReadDeadline(time.Now().Add(ioTimeout))
	head := make([]byte, n)
	if _, err := io.ReadFull(dc, head); err != nil || !bytes.Equal(head, kilobyte[:n]) {
		t.Fatalf("reading the first %d bytes: %v", n, err)
	}
	_ = dc.SetReadDeadline(time.Now().Add(150 * time.Millisecond))
	var one [1]byte
	var ne net.Error
	if _, err := dc.Read(one[:]); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past the stall point: %v, want a timeout", err)
	}
}

func TestFaultStallResume(t *testing.T) {
	resume := make(chan struct{})
	_, c := faultServer(t, Options{Faults: Faults{Transfer: Stall, After: 100, Resume: resume}})
	dc := openRETR(t, c)
	expectStalled(t, dc, 100)
	close(resume)
	_ = dc.SetReadDeadline(time.Now().Add(ioTimeout))
	rest, err := io.ReadAll(dc)
	if err != nil || !bytes.Equal(rest, kilobyte[100:]) {
		t.Fatalf("after resume: %d bytes, %v", len(rest), err)
	}
	c.expect(226)
}

func TestFaultStallABOR(t *testing.T) {
	_, c := faultServer(t, Options{Faults: Faults{Transfer: Stall, After: 10}})
	dc := openRETR(t, c)
	expectStalled(t, dc, 10)
	c.cmd(426, "ABOR")
	c.expect(226)
	// The stalled transfer let go, so the session takes commands again.
	c.cmd(200, "NOOP")
}

func TestFaultStallReleasedByClose(t *testing.T) {
	s, err := Start(Options{Faults: Faults{Transfer: Stall}})
	if err != nil {
		t.Fatal(err)
	}
	if err := afero.WriteFile(s.FS(), "/k.bin", kilobyte, 0o644); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s, nil)
	c.login("u", "p")
	dc := openRETR(t, c)
	expectStalled(t, dc, 0)
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close with a stalled transfer took %v", d)
	}
}

func TestFaultStallUpload(t *testing.T) {
	resume := make(chan struct{})
	s, c := faultServer(t, Options{Faults: Faults{Transfer: Stall, After: 100, Resume: resume}})
	done := make(chan result, 1)
	go func() { done <- c.transfer("STOR up.bin", kilobyte, false) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("upload finished through a stall: %+v", r)
	default:
	}
	close(resume)
	if r := <-done; r.code != 226 {
		t.Fatalf("STOR after resume: %+v", r)
	}
	if got, _ := afero.ReadFile(s.FS(), "/up.bin"); !bytes.Equal(got, kilobyte) {
		t.Fatalf("stored %d bytes, want %d", len(got), len(kilobyte))
	}
}

func TestFaultReplyDelay(t *testing.T) {
	const delay = 300 * time.Millisecond
	_, c := faultServer(t, Options{Faults: Faults{ReplyDelay: delay}})
	dc := openRETR(t, c)
	_ = dc.SetReadDeadline(time.Now().Add(ioTimeout))
	if data, err := io.ReadAll(dc); err != nil || len(data) != len(kilobyte) {
		t.Fatalf("RETR data: %d bytes, %v", len(data), err)
	}
	eof := time.Now()
	c.expect(226)
	if d := time.Since(eof); d < delay-20*time.Millisecond {
		t.Fatalf("226 came %v after the data ended, want about %v", d, delay)
	}
}

func TestFaultHangupOn(t *testing.T) {
	s, a := faultServer(t, Options{Faults: Faults{HangupOn: "noop"}})
	a.cmd(200, "TYPE I") // other verbs pass
	a.cmd(421, "NOOP")
	if _, _, err := a.read(); err == nil {
		t.Fatal("connection still open after 421")
	}
	b := dial(t, s, nil)
	b.login("u", "p")
	b.cmd(200, "NOOP") // one-shot: already fired

	if err := s.SetFaults(Faults{HangupOn: "*"}); err != nil {
		t.Fatal(err)
	}
	b.cmd(421, "PWD")
	if err := s.SetFaults(Faults{HangupOn: "bad verb"}); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("SetFaults with a bad verb: %v", err)
	}
}

func TestFaultHangupOverTLS(t *testing.T) {
	s := New(t, Options{TLS: TLSExplicit})
	c := tlsClient(t, s, clientConfig(s, tls.NewLRUClientSessionCache(4)))
	if err := s.SetFaults(Faults{HangupOn: "RETR"}); err != nil {
		t.Fatal(err)
	}
	if r := c.transfer("RETR nothing", nil, false); r.mark != 421 {
		t.Fatalf("RETR: %+v", r)
	}
}

func TestFaultDropThenResume(t *testing.T) {
	s, c := faultServer(t, Options{Faults: Faults{Transfer: Drop, After: 100}})
	r := c.transfer("RETR k.bin", nil, false)
	if r.code != 426 || !bytes.Equal(r.data, kilobyte[:100]) {
		t.Fatalf("RETR: code %d %q, %d bytes", r.code, r.msg, len(r.data))
	}
	if _, _, err := c.read(); err == nil {
		t.Fatal("control connection still open after 426")
	}
	if err := s.SetFaults(Faults{}); err != nil {
		t.Fatal(err)
	}
	c = dial(t, s, nil)
	c.login("u", "p")
	c.cmd(350, "REST 100")
	if r := c.transfer("RETR k.bin", nil, false); r.code != 226 || !bytes.Equal(r.data, kilobyte[100:]) {
		t.Fatalf("resumed RETR: code %d, %d bytes", r.code, len(r.data))
	}
}

func TestFaultDropUploadOverTLS(t *testing.T) {
	s := New(t, Options{TLS: TLSExplicit, Faults: Faults{Transfer: Drop, After: 10}})
	c := tlsClient(t, s, clientConfig(s, tls.NewLRUClientSessionCache(4)))
	if r := c.transfer("STOR up.bin", kilobyte, false); r.code != 426 {
		t.Fatalf("STOR: %+v", r)
	}
	if got, _ := afero.ReadFile(s.FS(), "/up.bin"); !bytes.Equal(got, kilobyte[:10]) {
		t.Fatalf("stored %d bytes, want 10", len(got))
	}
}

// TestFaultHangupBeforeCommandRuns: HangupOn answers 421 and hangs up
// before the command reaches ftpserverlib (the file DELE names survives),
// in every TLS mode: the kit reads the command in plain text on its own
// side of the control connection, even under TLS, and needs no log records.
func TestFaultHangupBeforeCommandRuns(t *testing.T) {
	for _, mode := range []TLSMode{TLSNone, TLSExplicit, TLSImplicit} {
		t.Run(mode.String(), func(t *testing.T) {
			s := New(t, Options{TLS: mode})
			if err := afero.WriteFile(s.FS(), "/keep.txt", []byte("keep"), 0o644); err != nil {
				t.Fatal(err)
			}
			var c *rawClient
			switch mode {
			case TLSNone:
				c = dial(t, s, nil)
				c.login("u", "p")
			case TLSExplicit:
				c = tlsClient(t, s, clientConfig(s, tls.NewLRUClientSessionCache(4)))
			case TLSImplicit:
				c = dial(t, s, clientConfig(s, tls.NewLRUClientSessionCache(4)))
				c.login("u", "p")
			}
			if err := s.SetFaults(Faults{HangupOn: "DELE"}); err != nil {
				t.Fatal(err)
			}
			if code, msg, _ := c.send("DELE keep.txt"); code != 421 {
				t.Fatalf("DELE answered %d %s, want 421", code, msg)
			}
			expectHangup(t, c)
			if _, err := s.FS().Stat("/keep.txt"); err != nil {
				t.Errorf("the command ran before the hang-up: %v", err)
			}
		})
	}
}
