package ftp_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

// recorder is a slog.Handler that keeps every record, rendered as
// "LEVEL msg k=v k=v", from minLevel up.
type recorder struct {
	minLevel slog.Level
	mu       *sync.Mutex
	lines    *[]string
}

func newRecorder(level slog.Level) *recorder {
	return &recorder{minLevel: level, mu: &sync.Mutex{}, lines: new([]string)}
}

func (r *recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= r.minLevel }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler           { return r }
func (r *recorder) WithGroup(string) slog.Handler                { return r }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%v %s", rec.Level, rec.Message)
	rec.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%q", a.Key, a.Value.String())
		return true
	})
	r.mu.Lock()
	*r.lines = append(*r.lines, b.String())
	r.mu.Unlock()
	return nil
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), *r.lines...)
}

func (r *recorder) has(sub string) bool {
	for _, l := range r.all() {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

// TestTraceMasksSecrets: ftplib masks only "pass " and "PASS " and never
// ACCT. Every spelling of PASS and ACCT is masked here, at both trace levels.
func TestTraceMasksSecrets(t *testing.T) {
	secrets := []string{"Sup3rS3cret", "Acc0untS3cret", "Hunter2lower", "Hunter2Mixed", "AcctCmd5ecret"}
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER alice"), fakeftp.Reply("331 password please"),
		fakeftp.Expect("PASS "+secrets[0]), fakeftp.Reply("332 account please"),
		fakeftp.Expect("ACCT "+secrets[1]), fakeftp.Reply("230 in"),
		fakeftp.Expect("FEAT"), fakeftp.Reply("500 no"),
		fakeftp.Expect("pass "+secrets[2]), fakeftp.Reply("503 already logged in"),
		fakeftp.Expect("Pass "+secrets[3]), fakeftp.Reply("503 already logged in"),
		fakeftp.Expect("ACCT "+secrets[4]), fakeftp.Reply("202 not needed"),
		pwdSteps("/traced"),
	))
	rec := newRecorder(ftp.LevelTrace)
	d := quickDialer()
	d.Logger = slog.New(rec)
	c := dialFake(t, srv, d)
	ctx := fakeCtx(t)
	if err := c.LoginAccount(ctx, "alice", secrets[0], secrets[1]); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"pass " + secrets[2], "Pass " + secrets[3]} {
		if _, err := c.Cmd(ctx, line); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Account(ctx, secrets[4]); err != nil {
		t.Fatal(err)
	}
	checkInStep(t, c, "/traced")

	for _, l := range rec.all() {
		for _, s := range secrets {
			if strings.Contains(l, s) {
				t.Errorf("trace shows a secret: %s", l)
			}
		}
	}
	for _, want := range []string{
		`DEBUG ftp command cmd="USER alice"`,
		`DEBUG ftp command cmd="PASS ****"`,
		`DEBUG ftp command cmd="ACCT ****"`,
		`DEBUG ftp command cmd="pass ****"`,
		`DEBUG ftp command cmd="Pass ****"`,
		`DEBUG-4 ftp send line="PASS ****"`,
		`DEBUG-4 ftp send line="Pass ****"`,
		`DEBUG-4 ftp recv line="331 password please"`,
		`DEBUG ftp reply code="230" msg="in"`,
		`DEBUG-4 ftp recv line="257 \"/traced\" is the current directory"`,
	} {
		if !rec.has(want) {
			t.Errorf("trace lacks %s; have:\n%s", want, strings.Join(rec.all(), "\n"))
		}
	}
}

// TestTraceLevels: at slog.LevelDebug commands and replies are logged but
// not raw lines (ftplib's debug level 1); with no Logger nothing is.
func TestTraceLevels(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, noop()))
	rec := newRecorder(slog.LevelDebug)
	d := quickDialer()
	d.Logger = slog.New(rec)
	c := dialFake(t, srv, d)
	if err := c.NoOp(fakeCtx(t)); err != nil {
		t.Fatal(err)
	}
	if !rec.has(`ftp command cmd="NOOP"`) || !rec.has(`ftp reply code="200"`) {
		t.Errorf("missing command or reply: %q", rec.all())
	}
	if rec.has("ftp send") || rec.has("ftp recv") {
		t.Errorf("raw lines logged at LevelDebug: %q", rec.all())
	}
}

// TestTraceAbortAndData: an abort shows the Telnet prefix in the raw trace,
// and data connections are logged with their address.
func TestTraceAbortAndData(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"), fakeftp.SendData("x"),
		aborted("426 aborted", "226 ok"),
	))
	rec := newRecorder(ftp.LevelTrace)
	d := quickDialer()
	d.Logger = slog.New(rec)
	c := dialFake(t, srv, d)
	dl, err := c.Retrieve(fakeCtx(t), "f")
	if err != nil {
		t.Fatal(err)
	}
	if err := dl.Close(); err != nil {
		t.Fatal(err)
	}
	if !rec.has(`ftp command cmd="ABOR"`) || !rec.has(`ftp send line="IAC IP`) {
		t.Errorf("abort not traced: %q", rec.all())
	}
	if !rec.has(`ftp data connection cmd="RETR f" addr="127.0.0.1:`) {
		t.Errorf("data connection not traced: %q", rec.all())
	}
}

// TestErrorsMaskSecrets: errors name the command refused, with PASS and
// ACCT arguments masked, including the error a broken Conn repeats.
func TestErrorsMaskSecrets(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER bob"), fakeftp.Reply("331 pw"),
		fakeftp.Expect("PASS t0pS3cret"), fakeftp.Reply("332 account"),
		fakeftp.Expect("ACCT acctS3cret"), fakeftp.Reply("530 bad account"),
		fakeftp.Expect("USER bob"), fakeftp.Reply("331 pw"),
		fakeftp.Expect("PASS t0pS3cret"), fakeftp.Reply("this is not a reply"),
		fakeftp.Optional(), fakeftp.Stall(),
	))
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	err := c.LoginAccount(ctx, "bob", "t0pS3cret", "acctS3cret")
	var fe *ftp.Error
	if !errors.As(err, &fe) || fe.Cmd != "ACCT ****" {
		t.Fatalf("err = %#v, want *ftp.Error for ACCT ****", err)
	}
	err = c.Login(ctx, "bob", "t0pS3cret")
	var pe *ftp.ProtocolError
	if !errors.As(err, &pe) || pe.Cmd != "PASS ****" {
		t.Fatalf("err = %v, want *ftp.ProtocolError for PASS ****", err)
	}
	later := c.NoOp(ctx)
	for _, e := range []error{err, later, fe} {
		if s := e.Error(); strings.Contains(s, "S3cret") {
			t.Errorf("error shows a secret: %s", s)
		}
	}
}

// TestArgumentErrorsMaskSecrets: a password or account refused for holding
// a line break is not quoted back in the error.
func TestArgumentErrorsMaskSecrets(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{welcome})
	c := dialFake(t, srv, nil)
	ctx := fakeCtx(t)
	_, cmdErr := c.Cmd(ctx, "PASS S3cretCmd\r\nDELE x")
	for _, err := range []error{
		c.Login(ctx, "u", "S3cretPass\n"),
		c.LoginAccount(ctx, "u", "pw", "S3cretAcct\r"),
		c.Account(ctx, "S3cretAccount\x00"),
		cmdErr,
	} {
		if !errors.Is(err, ftp.ErrInvalidArgument) || strings.Contains(err.Error(), "S3cret") {
			t.Errorf("err = %v: want ErrInvalidArgument without the secret", err)
		}
	}
	checkNothingSent(t, srv)
}

// ctxHandler is a slog.Handler that keeps, for each record, the value of
// ctxMark in the context it was logged with.
type ctxHandler struct {
	mu   sync.Mutex
	seen []any
}

func (h *ctxHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *ctxHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *ctxHandler) WithGroup(string) slog.Handler            { return h }
func (h *ctxHandler) Handle(ctx context.Context, _ slog.Record) error {
	h.mu.Lock()
	h.seen = append(h.seen, ctx.Value(ctxMark{}))
	h.mu.Unlock()
	return nil
}

// TestSlogTraceLogsWithCallContext: the slog adapter logs each record with
// the context of the call it reports on, raw lines included, so that a
// handler can tie records to the call (a request ID, a span).
func TestSlogTraceLogsWithCallContext(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, noop()))
	h := &ctxHandler{}
	d := quickDialer()
	d.Logger = slog.New(h)
	c := dialFake(t, srv, d)
	h.mu.Lock()
	h.seen = nil // the greeting, read by Dial
	h.mu.Unlock()
	if err := c.NoOp(context.WithValue(fakeCtx(t), ctxMark{}, "noop call")); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.seen) != 4 { // command, raw line sent, raw line received, reply
		t.Fatalf("%d records for one NOOP, want 4", len(h.seen))
	}
	for i, v := range h.seen {
		if v != "noop call" {
			t.Errorf("record %d logged with another context (%v)", i, v)
		}
	}
}
