package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"reflect"
	"strings"
	"time"
)

// Trace is a set of hooks that report what a Conn does on the network,
// modelled on net/http/httptrace.ClientTrace: commands and replies, raw
// control-connection lines, TLS handshakes, data connections, transfers and
// fallbacks. Any field may be nil.
//
// A Trace is attached to every call on a Conn by Dialer.Trace, or to one
// call (and everything it does, Dial included) by WithTrace. When both are
// present both are called, the Dialer's first. Hooks are called
// synchronously, from the goroutine running the Conn's method, one at a
// time for a given Conn; a slow hook slows the Conn. Each hook gets the
// context of the call it reports on, so that what a hook logs or measures
// can be tied to that call (a request ID, a span).
//
// No hook ever sees a password or account: the arguments of PASS and ACCT
// are replaced by "****" in commands, raw lines and errors.
type Trace struct {
	// CommandSent is called after a command was written to the control
	// connection, or failed to be (info.Err).
	CommandSent func(ctx context.Context, info CommandInfo)

	// ReplyReceived is called for each complete reply read on the control
	// connection, the greeting included.
	ReplyReceived func(ctx context.Context, info ReplyInfo)

	// LineSent and LineReceived are called with each raw line written to
	// or read from the control connection, without its CRLF. An abort over
	// plain FTP shows its Telnet prefix as "IAC IP IAC DM(urgent) ABOR".
	LineSent     func(ctx context.Context, line string)
	LineReceived func(ctx context.Context, line string)

	// TLSHandshakeDone is called when the control connection's TLS
	// handshake has finished (implicit TLS, or after AUTH TLS), with the
	// connection's state, or the handshake's error. Data connections are
	// reported by DataConnDone.
	TLSHandshakeDone func(ctx context.Context, state tls.ConnectionState, err error)

	// DataConnDone is called for each data connection when it is ready for
	// the transfer (connected or accepted, and under PROT P its TLS
	// handshake finished) or when that failed (info.Err).
	DataConnDone func(ctx context.Context, info DataConnInfo)

	// TransferDone is called once for each transfer (download, upload or
	// listing) when it has ended: successfully, refused by the server,
	// failed, or aborted.
	TransferDone func(ctx context.Context, info TransferInfo)

	// Fallback is called when the Conn replaces a command the server
	// cannot handle by an older one (EPSV by PASV, EPRT by PORT, MLSD or
	// "LIST -a" by LIST, HASH by XSHA256 and the like, MFMT by SITE UTIME).
	Fallback func(ctx context.Context, info FallbackInfo)

	// The hooks below report a Client's pool of connections, for metrics.
	// They come from the Client's Dialer.Trace and the Trace of the
	// context of the call that needed a connection; a connection closed
	// for idling is reported with a background context.

	// PoolDialed is called when a Client has opened and logged in a new
	// connection, or failed to (info.Err).
	PoolDialed func(ctx context.Context, info PoolDialInfo)

	// PoolGot is called when a Client's operation has got a connection:
	// a new one, an idle one, or one given back or lent while it waited.
	PoolGot func(ctx context.Context, info PoolGotInfo)

	// PoolDiscarded is called when a Client closes a connection rather
	// than keeping it: broken, closed by the server (421), idle too long,
	// failing its NOOP check, changed by its borrower, or the Client closed.
	PoolDiscarded func(ctx context.Context, info PoolDiscardInfo)

	// PoolLimitChanged is called when a Client lowers its connection limit
	// because the server refused a connection for having too many, and
	// when it raises it again.
	PoolLimitChanged func(ctx context.Context, info PoolLimitInfo)

	// Retrying is called by the layers that retry operations over
	// Conns (package transfer) after a transient failure, before they
	// wait to try again, resuming.
	Retrying func(ctx context.Context, info RetryInfo)

	// The hooks below report the files moved by package transfer, each
	// file of each call on its own: FileStarted once when its transfer
	// begins, FileProgress while its bytes move, FileDone once when it has
	// ended, successfully or not. Like Retrying, they come from the Trace
	// of the call's context (WithTrace), not from Dialer.Trace: they
	// report on a call that uses many connections, not on one. For one
	// file they are called one at a time and in that order; the files of
	// a batch, sync or plan report concurrently.

	// FileStarted is called when a file's transfer begins, with what is
	// known of it then.
	FileStarted func(ctx context.Context, info FileStartInfo)

	// FileProgress is called while a file's bytes move, at most once a
	// second for each file and never for each write: the first call comes
	// a second after FileStarted, so a file moved in less than a second
	// has none (FileDone has its figures).
	FileProgress func(ctx context.Context, info FileProgressInfo)

	// FileDone is called once for each FileStarted, when the file is in
	// place and verified, or has failed for good (after any retries).
	FileDone func(ctx context.Context, info FileDoneInfo)
}

// FileStartInfo describes a file whose transfer begins.
type FileStartInfo struct {
	// Op is "get" for a download and "put" for an upload.
	Op string
	// Remote is the remote path; Local is the local one, "" for standard
	// input or output (or any io.Reader or io.Writer).
	Remote, Local string
	// Size is the file's size, -1 if unknown.
	Size int64
	// Resumed is how much of the file is already in place, left by an
	// earlier run, and will not be sent again.
	Resumed int64
}

// FileProgressInfo describes a file's transfer under way.
type FileProgressInfo struct {
	Op, Remote, Local string // as in FileStartInfo
	// Size is the file's size, -1 if unknown.
	Size int64
	// Bytes is how much of the file is in place: what was resumed plus
	// what was transferred.
	Bytes int64
	// Transferred is what has moved over the network since FileStarted,
	// retries included.
	Transferred int64
	// Elapsed is the time since FileStarted.
	Elapsed time.Duration
	// Rate is Transferred per second, averaged over Elapsed: over the
	// whole transfer so far, not the last instant.
	Rate float64
	// ETA is the time the rest of the file takes at Rate; -1 when the
	// size or the rate is not known.
	ETA time.Duration
}

// FileDoneInfo describes a file whose transfer has ended.
type FileDoneInfo struct {
	Op, Remote, Local string // as in FileStartInfo
	// Size is the file's size, -1 if unknown.
	Size int64
	// Transferred is what moved over the network, retries included;
	// Resumed is what was already in place from an earlier run.
	Transferred, Resumed int64
	// Restarted is set when an upload was sent again from the start
	// because the server refuses both REST+STOR and APPE.
	Restarted bool
	// Unchanged is set when nothing was moved because the destination
	// already matched.
	Unchanged bool
	// Checksum is "ALGO:hex" when the file was verified by checksum as
	// well as by size, "" otherwise.
	Checksum string
	// Duration covers the whole file: the commands that ask for its size
	// and checksum, the transfer and any retries.
	Duration time.Duration
	// Err is why the file failed, nil when it is in place and verified.
	Err error
}

// PoolDialInfo describes a connection opened by a Client.
type PoolDialInfo struct {
	// Addr is the address dialled.
	Addr string
	// Duration covers the connection, greeting, TLS and login.
	Duration time.Duration
	// Err is why it failed, if it did. A refusal for too many connections
	// is followed by PoolLimitChanged.
	Err error
}

// PoolGotInfo describes a connection handed to a Client's operation.
type PoolGotInfo struct {
	// Reused is false for a connection dialled for this operation.
	Reused bool
	// Wait is the time from asking to getting, dialling included.
	Wait time.Duration
	// Open is the number of connections the Client has open (or is
	// dialling) at that moment, and Limit the most it will open now.
	Open, Limit int
}

// PoolDiscardInfo describes a connection a Client closed.
type PoolDiscardInfo struct {
	// Reason says why: the connection's error, ErrClientClosed, or an
	// error saying it idled too long or was changed by its borrower.
	Reason error
	// Open is the number of connections left open.
	Open int
}

// PoolLimitInfo describes a change of a Client's connection limit.
type PoolLimitInfo struct {
	// Limit is the new limit; MaxConns the Client's configured maximum.
	Limit, MaxConns int
	// Reason is the refusal that lowered the limit, nil when it grows.
	Reason error
}

// RetryInfo describes a failure about to be retried.
type RetryInfo struct {
	Attempt int           // the attempt that failed, 1 for the first
	Wait    time.Duration // the pause before the next one
	Err     error         // why it failed
}

// CommandInfo describes a command written to the control connection.
type CommandInfo struct {
	// Verb is the command's name, in upper case ("RETR").
	Verb string
	// Line is the command line as sent, without CRLF, with the argument of
	// PASS and ACCT replaced by "****".
	Line string
	// Err is the write's error, if it failed.
	Err error
}

// ReplyInfo describes a reply read on the control connection.
type ReplyInfo struct {
	// Command is the command line the reply answers, masked like
	// CommandInfo.Line; "" for the greeting.
	Command string
	// Code is the reply code; Message is its text (Reply.Message).
	Code    int
	Message string
	// Elapsed is the time since the command was sent: the server's
	// round trip for most commands, the transfer's time for the final
	// reply of a transfer.
	Elapsed time.Duration
}

// DataConnInfo describes a data connection.
type DataConnInfo struct {
	// Command is the transfer command it serves, masked like
	// CommandInfo.Line; "" when the connection failed before that command
	// was sent (a passive port that could not be reached).
	Command string
	// Addr is the server's end: the passive address dialled, or the
	// address the server connected from in active mode.
	Addr string
	// Passive is true for EPSV/PASV connections, false for EPRT/PORT.
	Passive bool
	// TLS is the connection's TLS state under PROT P, nil for a clear
	// data connection. TLS.DidResume reports whether the control
	// connection's session was resumed, which servers such as vsftpd and
	// ProFTPD require.
	TLS *tls.ConnectionState
	// Err says why the connection could not be used, if it could not.
	Err error
}

// TransferInfo describes a finished transfer.
type TransferInfo struct {
	// Command is the transfer command's verb: RETR, STOR, STOU, APPE,
	// LIST, NLST or MLSD.
	Command string
	// Path is the command's argument ("" for none).
	Path string
	// Offset is where the transfer started (REST), 0 for the start.
	Offset int64
	// Bytes is how many bytes went over the data connection.
	Bytes int64
	// Duration runs from the start of the transfer (its first command) to
	// its end (its final reply, or its failure).
	Duration time.Duration
	// Code is the code of the transfer's final reply, or of the reply
	// that refused it; 0 if none was read.
	Code int
	// Err is the transfer's error; nil when the server confirmed it and
	// everything it announced arrived. An aborted transfer has an error
	// too.
	Err error
}

// FallbackInfo describes a command replaced by an older one.
type FallbackInfo struct {
	// From and To name the commands ("EPSV", "PASV").
	From, To string
	// Remembered is true when the Conn uses To from now on, false when it
	// does so for this one call.
	Remembered bool
	// Reason is the error from the command given up.
	Reason error
}

type traceKey struct{}

// WithTrace returns a context based on ctx that makes every call made with
// it report to t. If ctx already carries a Trace, both are called, t's
// hooks first.
func WithTrace(ctx context.Context, t *Trace) context.Context {
	if t == nil {
		return ctx
	}
	if old := ContextTrace(ctx); old != nil {
		t = composeTraces(t, old)
	}
	return context.WithValue(ctx, traceKey{}, t)
}

// ContextTrace returns the Trace carried by ctx, or nil.
func ContextTrace(ctx context.Context) *Trace {
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}

// composeTraces returns a Trace whose hooks call a's and then b's. Either
// may be nil. It works on every func field by reflection, as httptrace's
// compose does, so that a hook added to Trace is composed without more code.
func composeTraces(a, b *Trace) *Trace {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	out := new(Trace)
	av, bv, ov := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem(), reflect.ValueOf(out).Elem()
	for i := range ov.NumField() {
		af, bf := av.Field(i), bv.Field(i)
		switch {
		case af.IsNil():
			ov.Field(i).Set(bf)
		case bf.IsNil():
			ov.Field(i).Set(af)
		default:
			ov.Field(i).Set(reflect.MakeFunc(af.Type(), func(args []reflect.Value) []reflect.Value {
				af.Call(args)
				return bf.Call(args)
			}))
		}
	}
	return out
}

// traces returns the Trace of the Conn and that of ctx, either nil, and
// the second nil when it is the first.
func (c *Conn) traces(ctx context.Context) [2]*Trace {
	x := ContextTrace(ctx)
	if x == c.trace {
		x = nil
	}
	return [2]*Trace{c.trace, x}
}

func (c *Conn) traceCmd(ctx context.Context, line string, err error) {
	c.sentAt = time.Now()
	traces := c.traces(ctx)
	if traces == [2]*Trace{} {
		return
	}
	verb, _, _ := strings.Cut(line, " ")
	info := CommandInfo{Verb: strings.ToUpper(verb), Line: redact(line), Err: err}
	for _, t := range traces {
		if t != nil && t.CommandSent != nil {
			t.CommandSent(ctx, info)
		}
	}
}

func (c *Conn) traceReply(ctx context.Context, cmd string, r *Reply) {
	traces := c.traces(ctx)
	if traces == [2]*Trace{} {
		return
	}
	info := ReplyInfo{Command: redact(cmd), Code: r.Code, Message: r.Message()}
	if cmd != "" && !c.sentAt.IsZero() {
		info.Elapsed = time.Since(c.sentAt)
	}
	for _, t := range traces {
		if t != nil && t.ReplyReceived != nil {
			t.ReplyReceived(ctx, info)
		}
	}
}

func (c *Conn) traceSend(ctx context.Context, line string) {
	for _, t := range c.traces(ctx) {
		if t != nil && t.LineSent != nil {
			t.LineSent(ctx, redact(line))
		}
	}
}

// traceRecv reports a raw line read; the context is that of the read in
// progress (see readReply).
func (c *Conn) traceRecv(line string) {
	ctx := c.readCtx
	for _, t := range c.traces(ctx) {
		if t != nil && t.LineReceived != nil {
			t.LineReceived(ctx, line)
		}
	}
}

func (c *Conn) traceTLS(ctx context.Context, st tls.ConnectionState, err error) {
	for _, t := range c.traces(ctx) {
		if t != nil && t.TLSHandshakeDone != nil {
			t.TLSHandshakeDone(ctx, st, err)
		}
	}
}

func (c *Conn) traceDataConn(ctx context.Context, info DataConnInfo) {
	for _, t := range c.traces(ctx) {
		if t != nil && t.DataConnDone != nil {
			t.DataConnDone(ctx, info)
		}
	}
}

func (c *Conn) traceFallback(ctx context.Context, from, to string, remembered bool, reason error) {
	info := FallbackInfo{From: from, To: to, Remembered: remembered, Reason: reason}
	for _, t := range c.traces(ctx) {
		if t != nil && t.Fallback != nil {
			t.Fallback(ctx, info)
		}
	}
}

// traceDone reports the end of t once; later calls do nothing.
func (t *transfer) traceDone(code int, err error) {
	if t.traced {
		return
	}
	t.traced = true
	if t.c.traces(t.ctx) == [2]*Trace{} {
		return
	}
	if code == 0 && t.final != nil {
		code = t.final.Code
	}
	info := TransferInfo{
		Command:  t.verb,
		Path:     t.path,
		Offset:   t.offset,
		Bytes:    t.n,
		Duration: time.Since(t.start),
		Code:     code,
		Err:      err,
	}
	for _, tr := range t.c.traces(t.ctx) {
		if tr != nil && tr.TransferDone != nil {
			tr.TransferDone(t.ctx, info)
		}
	}
}

// traceDataResult reports the data connection of a transfer, and any
// connection from another host refused while waiting for it (active mode).
func (c *Conn) traceDataResult(ctx context.Context, cmd string, s *dataSetup, res dataResult) {
	if c.trace == nil && ContextTrace(ctx) == nil {
		return
	}
	for _, addr := range s.rejected {
		c.traceDataConn(ctx, DataConnInfo{Command: cmd, Addr: addr, Err: errForeignDataConn})
	}
	passive := s.ln == nil
	switch {
	case res.conn != nil:
		info := DataConnInfo{Command: cmd, Addr: res.conn.RemoteAddr().String(), Passive: passive}
		if tc, ok := res.conn.(*tls.Conn); ok {
			st := tc.ConnectionState()
			info.TLS = &st
		}
		c.traceDataConn(ctx, info)
	case res.err != nil:
		info := DataConnInfo{Command: cmd, Passive: passive, Err: res.err}
		if s.conn != nil {
			info.Addr = s.conn.RemoteAddr().String()
		}
		c.traceDataConn(ctx, info)
	}
}

// errForeignDataConn is DataConnInfo.Err for a connection to the active-mode
// listener from a host other than the server, closed unread.
var errForeignDataConn = errors.New("ftp: data connection from another host than the server's refused")

// replyCode is the code of the reply behind err, or 0.
func replyCode(err error) int {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	var ue *UnexpectedReplyError
	if errors.As(err, &ue) && ue.Reply != nil {
		return ue.Reply.Code
	}
	return 0
}
