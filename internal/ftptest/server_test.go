package ftptest

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"
	"go.uber.org/goleak"
)

func TestPlainSession(t *testing.T) {
	s := New(t, Options{})
	c := dial(t, s, nil)
	c.login("alice", "whatever")

	payload := bytes.Repeat([]byte("ferry\n"), 10000)
	if r := c.transfer("STOR up.txt", payload, false); r.mark != 150 || r.code != 226 || r.dataErr != nil {
		t.Fatalf("STOR: %+v", r)
	}
	got, err := afero.ReadFile(s.FS(), "/up.txt")
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("stored file: %d bytes, err %v; want %d bytes", len(got), err, len(payload))
	}
	if r := c.transfer("RETR up.txt", nil, true); r.code != 226 || !bytes.Equal(r.data, payload) {
		t.Fatalf("RETR over PASV: code %d, %d bytes", r.code, len(r.data))
	}
	if msg := c.cmd(213, "SIZE up.txt"); msg != strconv.Itoa(len(payload)) {
		t.Fatalf("SIZE = %q", msg)
	}
	if r := c.transfer("LIST", nil, false); r.code != 226 || !strings.Contains(string(r.data), "up.txt") {
		t.Fatalf("LIST: %d %q", r.code, r.data)
	}
	if r := c.transfer("MLSD", nil, false); r.code != 226 || !strings.Contains(strings.ToLower(string(r.data)), "type=file;") {
		t.Fatalf("MLSD: %d %q", r.code, r.data)
	}
	c.cmd(257, "MKD sub")
	c.cmd(250, "CWD sub")
	c.quit()

	conns := s.DataConns()
	if len(conns) != 4 {
		t.Fatalf("DataConns: %d records, want 4: %+v", len(conns), conns)
	}
	for i, want := range []string{"STOR", "RETR", "LIST", "MLSD"} {
		dc := conns[i]
		if dc.Command != want || dc.Control != 1 || !dc.Passive || dc.TLS || dc.Refused {
			t.Errorf("DataConns[%d] = %+v, want plain passive %s on control 1", i, dc, want)
		}
	}
	if n := s.ControlConns(); n != 1 {
		t.Errorf("ControlConns = %d, want 1", n)
	}
}

func TestPassiveListenerStaysOnServerIP(t *testing.T) {
	s := New(t, Options{})
	c := dial(t, s, nil)
	c.login("u", "p")
	port := epsvPort(t, c.cmd(229, "EPSV"))
	// Had the announced port been bound on every interface, binding it on
	// another loopback address would fail with "address already in use".
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.2", strconv.Itoa(port)))
	if errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("announced passive port %d is bound beyond 127.0.0.1: %v", port, err)
	}
	if err != nil {
		t.Skipf("cannot bind 127.0.0.2 here: %v", err)
	}
	_ = ln.Close()
}

func TestActiveMode(t *testing.T) {
	s := New(t, Options{})
	if err := afero.WriteFile(s.FS(), "/a.bin", []byte("active data"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s, nil)
	c.login("u", "p")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c.cmd(200, "EPRT |1|127.0.0.1|%d|", ln.Addr().(*net.TCPAddr).Port)
	c.cmd(150, "RETR a.bin")
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(ioTimeout))
	dc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(dc)
	_ = dc.Close()
	c.expect(226)
	if buf.String() != "active data" {
		t.Fatalf("RETR over EPRT = %q", buf.String())
	}
}

func TestReadOnly(t *testing.T) {
	s := New(t, Options{ReadOnly: true})
	if err := afero.WriteFile(s.FS(), "/keep.txt", []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s, nil)
	c.login("u", "p")
	if r := c.transfer("STOR new.txt", []byte("x"), false); r.code != 550 {
		t.Fatalf("STOR on read-only server: %+v", r)
	}
	c.cmd(550, "DELE keep.txt")
	c.cmd(550, "MKD dir")
	if r := c.transfer("RETR keep.txt", nil, false); r.code != 226 || string(r.data) != "keep" {
		t.Fatalf("RETR on read-only server: %+v", r)
	}
	if ok, _ := afero.Exists(s.FS(), "/new.txt"); ok {
		t.Fatal("read-only server created new.txt")
	}
}

func TestUsers(t *testing.T) {
	s := New(t, Options{Users: map[string]string{"bob": "s3cret"}, Anonymous: true})
	tests := []struct {
		user, pass string
		want       int
	}{
		{"bob", "s3cret", 230},
		{"bob", "wrong", 530},
		{"eve", "s3cret", 530},
		{"anonymous", "me@example.org", 230},
		{"ftp", "", 230},
	}
	for _, tt := range tests {
		c := dial(t, s, nil)
		c.cmd(331, "USER %s", tt.user)
		if code, msg, err := c.send("PASS %s", tt.pass); err != nil || code != tt.want {
			t.Errorf("login %s: got %d %s (%v), want %d", tt.user, code, msg, err, tt.want)
		}
	}

	noAnon := New(t, Options{Users: map[string]string{"bob": "s3cret"}})
	c := dial(t, noAnon, nil)
	c.cmd(331, "USER anonymous")
	c.cmd(530, "PASS x")
}

func TestHASHAndFeatures(t *testing.T) {
	s := New(t, Options{EnableHASH: true, DisableMLSD: true, DisableMLST: true})
	content := []byte("hash me")
	if err := afero.WriteFile(s.FS(), "/h.txt", content, 0o644); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s, nil)
	c.login("u", "p")
	feat := c.cmd(211, "FEAT")
	// ftpserverlib v0.32.3 lists the HASH algorithms without the "HASH"
	// keyword (" SHA-256*;SHA-512;..."), so match the algorithm line.
	if !strings.Contains(feat, "SHA-256*") || !strings.Contains(feat, "XSHA256") ||
		strings.Contains(feat, "MLSD") || strings.Contains(feat, "MLST") {
		t.Fatalf("FEAT = %q", feat)
	}
	sum := sha256.Sum256(content)
	if msg := c.cmd(213, "HASH h.txt"); !strings.Contains(strings.ToLower(msg), hex.EncodeToString(sum[:])) {
		t.Fatalf("HASH = %q, want SHA-256 %x", msg, sum)
	}
	if code, _, _ := c.send("MLSD"); code/100 != 5 {
		t.Fatalf("MLSD with DisableMLSD: got %d, want 5xx", code)
	}
}

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		field string
	}{
		{"unknown TLS mode", Options{TLS: 7}, "TLS"},
		{"TLSRequired without TLS", Options{TLSRequired: true}, "TLSRequired"},
		{"reuse without TLS", Options{RequireSessionReuse: true}, "RequireSessionReuse"},
		{"min above max", Options{TLS: TLSExplicit, TLSMinVersion: 0x0304, TLSMaxVersion: 0x0303}, "TLSMinVersion"},
		{"bogus version", Options{TLS: TLSExplicit, TLSMaxVersion: 0x9999}, "TLSMinVersion/TLSMaxVersion"},
		{"empty user", Options{Users: map[string]string{"": "x"}}, "Users"},
		{"negative After", Options{Faults: Faults{Transfer: Fail, After: -1}}, "Faults.After"},
		{"unknown fault", Options{Faults: Faults{Transfer: 42}}, "Faults.Transfer"},
		{"hangup with space", Options{Faults: Faults{HangupOn: "RETR x"}}, "Faults.HangupOn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Start(tt.opts)
			if err == nil {
				_ = s.Close()
				t.Fatal("Start succeeded")
			}
			var oe *OptionsError
			if !errors.Is(err, ErrInvalidOptions) || !errors.As(err, &oe) || oe.Field != tt.field {
				t.Fatalf("Start: %v, want *OptionsError for %s", err, tt.field)
			}
		})
	}
	if _, err := Start(Options{Addr: "256.0.0.1:0"}); err == nil || errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("Start with a bad address: %v, want a listen error", err)
	}
}

func TestCloseEndsSessions(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, s, nil)
	c.login("u", "p")
	idle := dial(t, s, nil) // connected, never logged in
	if n := s.OpenControlConns(); n != 2 {
		t.Errorf("OpenControlConns = %d, want 2", n)
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	for _, cl := range []*rawClient{c, idle} {
		if _, _, err := cl.send("NOOP"); err == nil {
			t.Error("control connection still answers after Close")
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		t.Error("server still accepts after Close")
	}
}

func TestLoggerRedactsPasswords(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := New(t, Options{Logger: logger})
	c := dial(t, s, nil)
	c.login("u", "hunter2")
	c.quit()
	out := buf.String()
	if strings.Contains(out, "hunter2") {
		t.Fatalf("log contains the password:\n%s", out)
	}
	if !strings.Contains(out, "PASS ****") || !strings.Contains(out, "USER u") {
		t.Fatalf("log lacks the command records:\n%s", out)
	}
}

func BenchmarkStart(b *testing.B) {
	for _, mode := range []TLSMode{TLSNone, TLSExplicit} {
		b.Run(mode.String(), func(b *testing.B) {
			for b.Loop() {
				s, err := Start(Options{TLS: mode})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestNoGoroutinesAfterClose is the per-test pattern other packages use:
// the leak check is registered first, so it runs after New's cleanup.
func TestNoGoroutinesAfterClose(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	s := New(t, Options{TLS: TLSExplicit, RequireSessionReuse: true, Faults: Faults{Transfer: Stall, After: 1}})
	if err := afero.WriteFile(s.FS(), "/f", []byte("stalls after one byte"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := tlsClient(t, s, clientConfig(s, tls.NewLRUClientSessionCache(4)))
	c.transfer("LIST", nil, false)
	port := epsvPort(t, c.cmd(229, "EPSV"))
	dc, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dc.Close() })
	c.cmd(150, "RETR f")
	// Leave the transfer stalled and the client connected: Close must end both.
}

// TestNoGoroutinesAfterCloseImplicit: the relay the kit runs on every
// implicit-TLS control connection ends with Close, including that of a
// client that connected and never finished its handshake.
func TestNoGoroutinesAfterCloseImplicit(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	s := New(t, Options{TLS: TLSImplicit, RequireSessionReuse: true})
	c := dial(t, s, clientConfig(s, tls.NewLRUClientSessionCache(4)))
	c.login("u", "p")
	if r := c.transfer("LIST", nil, false); r.code != 226 {
		t.Fatalf("LIST: %+v", r)
	}
	silent, err := net.DialTimeout("tcp", s.Addr(), ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close() // after Close: the server must not wait for it
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v with a silent client", d)
	}
}
