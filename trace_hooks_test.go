package ftp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
	"github.com/ferryftp/ftp/internal/ftptest"
)

// hookLog records every call of every hook of a Trace, by hook name, with
// the info rendered by %+v and the context the hook was given.
type hookLog struct {
	mu    sync.Mutex
	calls []hookCall
}

type hookCall struct {
	hook string
	info string
	ctx  context.Context
}

// trace returns a Trace whose every func field records into l: built by
// reflection so that a hook added to Trace is recorded (and checked for
// secrets) without changing this test.
func (l *hookLog) trace() *ftp.Trace {
	tr := new(ftp.Trace)
	v := reflect.ValueOf(tr).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		ft := v.Field(i).Type()
		v.Field(i).Set(reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
			var b strings.Builder
			var ctx context.Context
			for j, a := range args {
				if j == 0 && ft.In(0) == reflect.TypeFor[context.Context]() {
					ctx, _ = a.Interface().(context.Context)
					continue
				}
				fmt.Fprintf(&b, "%+v ", a.Interface())
			}
			l.mu.Lock()
			l.calls = append(l.calls, hookCall{hook: name, info: b.String(), ctx: ctx})
			l.mu.Unlock()
			return nil
		}))
	}
	return tr
}

func (l *hookLog) all() []hookCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls)
}

// of returns the infos recorded for hook.
func (l *hookLog) of(hook string) []string {
	var out []string
	for _, c := range l.all() {
		if c.hook == hook {
			out = append(out, c.info)
		}
	}
	return out
}

func (l *hookLog) has(hook, sub string) bool {
	for _, info := range l.of(hook) {
		if strings.Contains(info, sub) {
			return true
		}
	}
	return false
}

func (l *hookLog) dump() string {
	var b strings.Builder
	for _, c := range l.all() {
		fmt.Fprintf(&b, "%s: %s\n", c.hook, c.info)
	}
	return b.String()
}

type ctxMark struct{}

// TestTraceHooks: every hook a plain session can cause is called, with the
// call's context and typed facts, and never with a secret.
func TestTraceHooks(t *testing.T) {
	secrets := []string{"Sup3rS3cret", "Acc0untS3cret"}
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER alice"), fakeftp.Reply("331 password please"),
		fakeftp.Expect("PASS "+secrets[0]), fakeftp.Reply("332 account please"),
		fakeftp.Expect("ACCT "+secrets[1]), fakeftp.Reply("230 in"),
		fakeftp.Expect("FEAT"), fakeftp.Reply("500 no"),
		fakeftp.Expect("TYPE I"), fakeftp.Reply("200 binary"),
		fakeftp.Expect("EPSV"), fakeftp.Reply("502 EPSV not implemented"),
		fakeftp.Expect("PASV"), fakeftp.PASV(),
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening (5 bytes)"), fakeftp.SendData("hello"),
		fakeftp.CloseData(), fakeftp.Reply("226 done"),
		fakeftp.Expect("PASV"), fakeftp.PASV(),
		fakeftp.Expect("RETR missing"), fakeftp.Reply("550 no such file"),
		pwdSteps("/traced"),
	))
	var log hookLog
	d := quickDialer()
	d.Trace = log.trace()
	c := dialFake(t, srv, d)
	ctx := context.WithValue(fakeCtx(t), ctxMark{}, "the call")
	if err := c.LoginAccount(ctx, "alice", secrets[0], secrets[1]); err != nil {
		t.Fatal(err)
	}
	b, err := retrieve(ctx, c, "f", 0)
	if err != nil || string(b) != "hello" {
		t.Fatalf("retrieve = %q, %v", b, err)
	}
	if _, err := retrieve(ctx, c, "missing", 0); err == nil {
		t.Fatal("RETR of a missing file succeeded")
	}
	marked := len(log.all())
	checkInStep(t, c, "/traced")

	for _, call := range log.all() {
		for _, s := range secrets {
			if strings.Contains(call.info, s) {
				t.Errorf("%s got a secret: %s", call.hook, call.info)
			}
		}
	}
	for _, want := range [][2]string{
		{"CommandSent", "Verb:USER Line:USER alice"},
		{"CommandSent", "Verb:PASS Line:PASS ****"},
		{"CommandSent", "Verb:ACCT Line:ACCT ****"},
		{"ReplyReceived", "Command: Code:220 Message:welcome"},
		{"ReplyReceived", "Command:PASS **** Code:332 Message:account please"},
		{"LineSent", "PASS ****"},
		{"LineSent", "ACCT ****"},
		{"LineReceived", "226 done"},
		{"Fallback", "From:EPSV To:PASV Remembered:true Reason:ftp: EPSV: 502"},
		{"DataConnDone", "Command:RETR f Addr:127.0.0.1:"},
		{"DataConnDone", "Passive:true TLS:<nil> Err:<nil>"},
		{"TransferDone", "Command:RETR Path:f Offset:0 Bytes:5 "},
		{"TransferDone", "Code:226 Err:<nil>"},
		{"TransferDone", "Command:RETR Path:missing Offset:0 Bytes:0 "},
		{"TransferDone", "Code:550 Err:ftp: RETR missing: 550 no such file"},
	} {
		if !log.has(want[0], want[1]) {
			t.Errorf("no %s with %q; trace:\n%s", want[0], want[1], log.dump())
		}
	}
	if n := len(log.of("TransferDone")); n != 2 {
		t.Errorf("TransferDone called %d times for 2 transfers", n)
	}
	// Every hook of this session's calls got the call's own context, raw
	// lines read included.
	for _, call := range log.all()[2:marked] { // the greeting was read by Dial
		if call.ctx == nil || call.ctx.Value(ctxMark{}) != "the call" {
			t.Errorf("%s got another context than the call's", call.hook)
		}
	}
}

// TestTraceHooksTLS: the control connection's handshake and each TLS data
// connection are reported with version, cipher suite and resumption, against
// a server that requires session reuse.
func TestTraceHooksTLS(t *testing.T) {
	srv := ftptest.New(t, ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true})
	if err := writeFile(srv, "/f.bin", "0123456789"); err != nil {
		t.Fatal(err)
	}
	var log hookLog
	var states []*tls.ConnectionState
	var mu sync.Mutex
	tr := log.trace()
	d := ftp.Dialer{TLS: ftp.TLSExplicit, Trace: tr}
	recordData := tr.DataConnDone
	tr.DataConnDone = func(ctx context.Context, info ftp.DataConnInfo) {
		mu.Lock()
		states = append(states, info.TLS)
		mu.Unlock()
		recordData(ctx, info)
	}
	c := dialLogin(t, srv, d)
	ctx := fakeCtx(t)
	for range 2 {
		if b, err := retrieve(ctx, c, "f.bin", 0); err != nil || string(b) != "0123456789" {
			t.Fatalf("retrieve = %q, %v", b, err)
		}
	}
	if !log.has("TLSHandshakeDone", "HandshakeComplete:true") || !log.has("TLSHandshakeDone", " <nil> ") {
		t.Errorf("control handshake not traced:\n%s", log.dump())
	}
	if len(states) != 2 {
		t.Fatalf("DataConnDone called %d times for 2 downloads:\n%s", len(states), log.dump())
	}
	for i, st := range states {
		if st == nil || st.Version == 0 || st.CipherSuite == 0 || !st.DidResume {
			t.Errorf("data connection %d: TLS state %+v, want a resumed session with version and cipher", i, st)
		}
	}
}

// TestTraceDialerAndContext: a Trace in the context is called beside the
// Dialer's, for that call only; WithTrace over a context with a Trace keeps
// both.
func TestTraceDialerAndContext(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, noop(), noop()))
	var dialerLog, outerLog, innerLog hookLog
	d := quickDialer()
	d.Trace = dialerLog.trace()
	c := dialFake(t, srv, d)
	base := fakeCtx(t)
	if ftp.ContextTrace(base) != nil {
		t.Fatal("ContextTrace of a bare context is not nil")
	}
	outer := ftp.WithTrace(base, outerLog.trace())
	ctx := ftp.WithTrace(outer, innerLog.trace())
	if ftp.WithTrace(base, nil) != base {
		t.Error("WithTrace(ctx, nil) made a new context")
	}
	if err := c.NoOp(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.NoOp(base); err != nil {
		t.Fatal(err)
	}
	if n := len(dialerLog.of("CommandSent")); n != 2 {
		t.Errorf("Dialer.Trace saw %d commands, want both NOOPs", n)
	}
	for name, l := range map[string]*hookLog{"outer": &outerLog, "inner": &innerLog} {
		if n := len(l.of("CommandSent")); n != 1 {
			t.Errorf("%s context trace saw %d commands, want the first NOOP only", name, n)
		}
		if n := len(l.of("ReplyReceived")); n != 1 {
			t.Errorf("%s context trace saw %d replies, want 1", name, n)
		}
	}
	// The Dialer's trace is not called twice when the context carries it too.
	var same hookLog
	tr := same.trace()
	srv2 := fakeftp.New(t, steps(welcome, noop()))
	d2 := quickDialer()
	d2.Trace = tr
	c2 := dialFake(t, srv2, d2)
	if err := c2.NoOp(ftp.WithTrace(base, tr)); err != nil {
		t.Fatal(err)
	}
	if n := len(same.of("CommandSent")); n != 1 {
		t.Errorf("a Trace both in Dialer and context was called %d times per command", n)
	}
}

// TestTraceComposeEveryHook: WithTrace over a context that has a Trace
// calls both for every hook, including hooks added to Trace later.
func TestTraceComposeEveryHook(t *testing.T) {
	var first, second hookLog
	ctx := ftp.WithTrace(ftp.WithTrace(context.Background(), second.trace()), first.trace())
	tr := ftp.ContextTrace(ctx)
	v := reflect.ValueOf(tr).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		args := make([]reflect.Value, f.Type().NumIn())
		for j := range args {
			args[j] = reflect.Zero(f.Type().In(j))
		}
		args[0] = reflect.ValueOf(ctx)
		f.Call(args)
	}
	n := v.NumField()
	if len(first.all()) != n || len(second.all()) != n {
		t.Errorf("composed Trace called %d and %d hooks of %d", len(first.all()), len(second.all()), n)
	}
	if first.all()[0].hook != second.all()[0].hook {
		t.Error("hooks called out of order")
	}
}

// TestTraceTransferEnds: TransferDone is called once per transfer however
// it ends: aborted by Close, failed on the data connection, refused.
func TestTraceTransferEnds(t *testing.T) {
	srv := fakeftp.New(t, steps(welcome, typeI, epsv,
		fakeftp.Expect("RETR f"), fakeftp.Reply("150 Opening"), fakeftp.SendData("x"),
		aborted("426 aborted", "226 ok"),
		epsv,
		fakeftp.Expect("STOR up"), fakeftp.Reply("150 go"), fakeftp.ReadData(), fakeftp.CloseData(), fakeftp.Reply("226 stored"),
		epsv,
		fakeftp.Expect("LIST"), fakeftp.Reply("150 here"), fakeftp.SendData("a\r\nb\r\n"), fakeftp.CloseData(), fakeftp.Reply("451 local error"),
		pwdSteps("/ends"),
	))
	var log hookLog
	ctx := ftp.WithTrace(fakeCtx(t), log.trace())
	c := dialFake(t, srv, quickDialer())
	dl, err := c.Retrieve(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	if err := dl.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(ctx, "up", strings.NewReader("12345678")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.List(ctx, ""); err == nil {
		t.Fatal("LIST answered 451 succeeded")
	}
	checkInStep(t, c, "/ends")
	got := log.of("TransferDone")
	if len(got) != 3 {
		t.Fatalf("TransferDone called %d times for 3 transfers:\n%s", len(got), log.dump())
	}
	for i, want := range []string{
		"Command:RETR Path:f Offset:0 Bytes:",
		"Command:STOR Path:up Offset:0 Bytes:8 ",
		"Command:LIST Path: Offset:0 Bytes:6 ",
	} {
		if !strings.Contains(got[i], want) {
			t.Errorf("TransferDone %d = %s, want %s", i, got[i], want)
		}
	}
	if !strings.Contains(got[0], "aborted") || !strings.Contains(got[1], "Err:<nil>") || !strings.Contains(got[2], "Code:451") {
		t.Errorf("outcomes wrong:\n%s", strings.Join(got, "\n"))
	}
	// ABOR and its replies, sent after the caller's Close, still reach the
	// context's Trace.
	if !log.has("CommandSent", "Line:ABOR") || !log.has("ReplyReceived", "Command:ABOR Code:426") {
		t.Errorf("abort not traced through the transfer's context:\n%s", log.dump())
	}
}

func writeFile(srv *ftptest.Server, name, content string) error {
	f, err := srv.FS().Create(name)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, content)
	return errors.Join(err, f.Close())
}
