package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// transfer is one data transfer between its command and its final reply.
// While it is open the Conn is busy: FTP has one transfer at a time per
// control connection, and its final reply must be read before anything else.
type transfer struct {
	c      *Conn
	cmd    string   // the transfer command, for errors
	data   net.Conn // the data connection, TLS-wrapped under PROT P
	size   int64    // the size the server announced, or -1
	n      int64    // bytes moved on the data connection
	ascii  bool
	hs     *dataHandshake // how the data connection's TLS handshake went
	prelim *Reply         // the preliminary (1xx) reply
	final  *Reply         // the final reply, once read
	err    error          // the transfer's outcome, once known
	guard  dataGuard

	// For Trace.TransferDone.
	ctx    context.Context // the context the transfer was started with
	verb   string
	path   string
	offset int64
	start  time.Time
	traced bool // TransferDone was called

	// writeFailed is set when a write on the data connection failed. A
	// TLS write that fails still counts its record as sent, so TLS's
	// close_notify would then reach the server with the wrong sequence
	// number ("bad record mac": ProFTPD drops the whole session for it);
	// closeData closes the TCP connection under it instead.
	writeFailed bool
}

// startTransfer runs everything up to an open data connection: TYPE, EPSV or
// PASV (or EPRT/PORT), REST, the command and its preliminary reply, then the
// data connection's accept and TLS handshake. On failure no reply is left
// pending: either all were read or the Conn is broken.
func (c *Conn) startTransfer(ctx context.Context, verb, arg string, offset int64, typ string) (_ *transfer, err error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	start := time.Now()
	retried := false // a fallback from pipelining traces its own outcome
	defer func() {
		if err != nil && !retried {
			t := &transfer{c: c, ctx: ctx, verb: verb, path: arg, offset: offset, start: start}
			t.traceDone(replyCode(err), err)
		}
	}()
	line, err := commandLine(verb, arg)
	if err != nil {
		return nil, err
	}
	if c.queued != "" && (c.queued != line || typ != "" && typ != c.typ) {
		if err := c.dropQueued(); err != nil {
			return nil, err
		}
	}
	pipelined := c.queued == line || verb == "RETR" && c.canPipeline(offset)
	if typ != "" && c.queued != line { // a queued command was sent under the type in force
		if err := c.setType(ctx, typ); err != nil {
			return nil, err
		}
	}
	var setup *dataSetup
	if pipelined {
		if setup, err = c.pipelinedData(ctx, line, arg); err != nil {
			return nil, err
		}
		pipelined = setup != nil // else one command at a time
	}
	if !pipelined {
		if setup, err = c.prepareData(ctx); err != nil {
			return nil, err
		}
		if offset > 0 {
			if _, err := c.cmd(ctx, 3, "REST", strconv.FormatInt(offset, 10)); err != nil {
				setup.close()
				return nil, err
			}
		}
		if err := ctx.Err(); err != nil {
			setup.close()
			return nil, c.wrapErr(line, err)
		}
		if err := c.send(ctx, line); err != nil {
			setup.close()
			return nil, c.fail(c.wrapErr(line, err))
		}
	}
	// The data connection is finished (accepted, TLS handshake done) while
	// the preliminary reply is awaited: servers differ on whether they send
	// 150 before or after the data connection is up, and waiting for either
	// first would deadlock with some of them.
	replied := make(chan struct{})
	ready, stop := c.finishData(ctx, setup, replied)
	t := &transfer{c: c, cmd: redact(line), size: -1, ascii: typ == "A", hs: &setup.hs,
		ctx: ctx, verb: verb, path: arg, offset: offset, start: start}
	probing := pipelined && c.pipe == pipeUnknown
	if probing && !c.replyWithin(ctx, probeWindow+4*c.rtt) {
		// The server seems to have dropped the command sent early.
		stop()
		c.pipe = pipeNo
		if err := c.resync(); err != nil {
			return nil, err
		}
		retried = true
		return c.startTransfer(ctx, verb, arg, offset, typ)
	}
	r, err := c.preliminary(ctx, line)
	if err != nil {
		// Refused: stop, before any TLS handshake begins.
		stop() // after this, setup.hs is settled
		if probing && probeFailed(err) {
			c.pipe = pipeNo
			retried = true
			return c.startTransfer(ctx, verb, arg, offset, typ)
		}
		if probing && c.broken == nil {
			c.pipe = pipeYes // refused in turn, about the file itself
		}
		return nil, c.dataRefusal(err, t.hs)
	}
	close(replied)
	if pipelined {
		c.pipe = pipeYes
	}
	var res dataResult
	if r.Class() == 2 {
		// 225/226/250 with no 1xx: the server says the transfer is over
		// already (some do this for an empty listing). Take whatever data
		// it sent, but do not wait long for a data connection it may never
		// open.
		t.final = r
		select {
		case res = <-ready:
		case <-time.After(finalGrace):
			stop()
		}
	} else {
		t.prelim = r
		t.size = parse150Size(r)
		res = <-ready
	}
	stop()
	c.traceDataResult(ctx, t.cmd, setup, res)
	if res.err != nil {
		if t.final != nil {
			return nil, res.err
		}
		// The server is now failing the transfer: its reply says why
		// (vsftpd: 522 when the TLS session was not resumed).
		return nil, &acceptedFailure{c.closeFailed(t, res.err)}
	}
	t.data = res.conn
	if res.conn != nil { // nil: the server ended the transfer without one
		t.guard.start(ctx, res.conn, c.d.DataTimeout)
	}
	c.mu.Lock()
	c.data = res.conn
	c.mu.Unlock()
	c.busy = t
	return t, nil
}

// preliminary reads the reply to a transfer command: 1xx, or a completion
// 2xx; a 200 (or another 2xx) before the 150 is skipped (some servers answer
// TYPE-like 200s first on LIST and STOR).
func (c *Conn) preliminary(ctx context.Context, line string) (*Reply, error) {
	for i := 0; ; i++ {
		r, err := c.readReply(ctx, line, c.d.ReplyTimeout)
		if err != nil {
			return nil, err
		}
		switch {
		case r.Class() == 1:
			return r, nil
		case r.Code == 225 || r.Code == 226 || r.Code == 250:
			return r, nil
		case r.Class() == 2 && i < 2:
			continue
		case r.Class() == 4 || r.Class() == 5:
			return nil, &Error{Code: r.Code, Msg: r.Message(), Cmd: redact(line)}
		default:
			// A 3xx leaves the server waiting for something we never send.
			return nil, c.fail(&UnexpectedReplyError{Cmd: redact(line), Reply: r, Want: "1xx"})
		}
	}
}

type dataResult struct {
	conn net.Conn
	err  error
}

// finalGrace is how long a transfer answered at once with 226 (no 1xx)
// waits for the data connection the server may still open.
const finalGrace = time.Second

// handshakeWait is how long a data connection's TLS handshake waits for
// the reply to the transfer command before it begins anyway.
//
// The wait keeps the ClientHello from reaching the server before the
// command it belongs to has been read: the two travel on different
// connections, and pyftpdlib drops a data connection whose handshake it
// sees first (through a relay, one transfer in ten failed so). It is short
// because waiting for the reply itself costs a round trip or more per
// transfer on a distant server; on a near one the reply comes first, and a
// command refused outright then costs no handshake at all.
const handshakeWait = 10 * time.Millisecond

// finishData accepts (active mode) and wraps in TLS (PROT P) in the
// background, so that it can overlap the wait for the preliminary reply;
// replied is closed when that reply has been read. stop, which may be
// called more than once, ends that work if it is still going and closes
// everything unless a result was taken from the channel.
func (c *Conn) finishData(ctx context.Context, s *dataSetup, replied <-chan struct{}) (ready <-chan dataResult, stop func()) {
	ch := make(chan dataResult, 1)
	if s.ln == nil && !c.tls.protP {
		ch <- dataResult{conn: s.conn}
		return ch, func() {
			if len(ch) > 0 {
				s.close() // the result was never taken
			}
		}
	}
	gctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn := s.conn
		if s.ln != nil {
			var err error
			conn, err = c.accept(gctx, s)
			if err != nil {
				ch <- dataResult{err: err}
				return
			}
		}
		if c.tls.protP {
			wait := time.NewTimer(handshakeWait)
			select {
			case <-replied:
			case <-wait.C:
			case <-gctx.Done():
				// Refused or abandoned before the handshake began: the
				// server never sees a ClientHello.
				wait.Stop()
				conn.Close()
				ch <- dataResult{err: gctx.Err()}
				return
			}
			wait.Stop()
			var tc net.Conn
			err := s.spend(c.d.DataTimeout, func(left time.Duration) error {
				var err error
				tc, err = c.dataTLS(gctx, conn, left, &s.hs)
				return err
			})
			if err != nil {
				conn.Close()
				ch <- dataResult{err: err}
				return
			}
			conn = tc
		}
		ch <- dataResult{conn: conn}
	}()
	return ch, func() {
		cancel()
		<-done
		if s.ln != nil {
			s.ln.Close()
		}
		select {
		case res := <-ch: // never taken: nobody else will close it
			if res.conn != nil {
				res.conn.Close()
			} else if s.conn != nil {
				s.conn.Close()
			}
		default:
		}
	}
}

// closeFailed reads the final reply of a transfer that failed on the data
// side and returns cause together with what the server said. If no reply
// comes in time the Conn is broken.
func (c *Conn) closeFailed(t *transfer, cause error) error {
	r, err := c.readReply(context.WithoutCancel(t.ctx), t.cmd, c.d.AbortTimeout)
	if err != nil {
		return joinErrors(cause, err)
	}
	if r.Class() == 4 || r.Class() == 5 {
		return joinErrors(c.dataRefusal(&Error{Code: r.Code, Msg: r.Message(), Cmd: t.cmd}, t.hs), cause)
	}
	return cause
}

// finish ends a transfer whose data connection is done: it reads the final
// reply (unless it came early) and checks that it is 2xx and that nothing is
// missing.
func (t *transfer) finish(ctx context.Context) (err error) {
	if t.final == nil && ctx.Err() != nil {
		// Cancelled as the data ended (the cancellation hook had not yet
		// cut the data connection): reading the final reply under ctx
		// would fail at once and break the Conn; abort instead, as for a
		// cancellation mid-stream, so that it stays in step.
		return t.dataFailed(ctx, io.EOF)
	}
	c := t.c
	defer func() { t.traceDone(0, err) }()
	t.closeData()
	r := t.final
	if r == nil {
		var err error
		r, err = c.readReply(ctx, t.cmd, c.d.ReplyTimeout)
		c.busy = nil
		if err != nil {
			return err
		}
		t.final = r
	}
	c.busy = nil
	if err := checkClass(t.cmd, r, 2); err != nil {
		return c.dataRefusal(err, t.hs)
	}
	if !t.ascii && t.size >= 0 && t.n < t.size {
		return fmt.Errorf("ftp: %s: got %d of %d bytes: %w", t.cmd, t.n, t.size, ErrShortTransfer)
	}
	return nil
}

func (t *transfer) closeData() {
	c := t.c
	c.mu.Lock()
	if c.data == t.data {
		c.data = nil
	}
	c.mu.Unlock()
	if t.data != nil {
		t.guard.end()
		if tc, ok := t.data.(*tls.Conn); ok && t.writeFailed {
			tc.NetConn().Close()
			return
		}
		t.data.Close()
	}
}

// dataFailed ends a transfer after an error on its data connection: a
// cancelled context aborts it (ABOR); any other failure closes the data
// connection and reads the final reply, which usually says why (426, 451,
// 552). Either way the control connection stays in step or is broken.
func (t *transfer) dataFailed(ctx context.Context, cause error) (err error) {
	c := t.c
	defer func() { t.traceDone(0, err) }()
	if ctx.Err() != nil {
		err := fmt.Errorf("ftp: %s: %w", t.cmd, ctx.Err())
		t.traceDone(0, err) // before abort's own report
		if aerr := t.abort(); aerr != nil {
			return joinErrors(err, aerr)
		}
		return err
	}
	t.closeData()
	c.busy = nil
	cause = fmt.Errorf("ftp: %s: data connection: %w", t.cmd, cause)
	if t.final != nil {
		return cause // the final reply came before the data: none is due
	}
	return c.closeFailed(t, cause)
}

// readData reads from the data connection, within the idle timeout and
// the transfer's context.
func (t *transfer) readData(p []byte) (int, error) {
	if t.data == nil {
		return 0, io.EOF // the server ended the transfer without opening one
	}
	if err := t.guard.before(); err != nil {
		return 0, err
	}
	n, err := t.data.Read(p)
	t.n += int64(n)
	return n, t.guard.wrap(err)
}

// writeData writes to the data connection, within the idle timeout and the
// transfer's context.
func (t *transfer) writeData(p []byte) error {
	if t.data == nil {
		return errors.New("the server ended the transfer before any data was sent")
	}
	for {
		if err := t.guard.before(); err != nil {
			return err
		}
		n, err := t.data.Write(p)
		t.n += int64(n)
		if err == nil {
			return nil
		}
		// A large write on a slow link can outlast the deadline while
		// moving data all along: it was not idle. A plain TCP write that
		// timed out after moving some bytes is resumed with the deadline
		// moved on (before does that); a TLS write cannot be resumed, and
		// its buffer is small (tlsBufferSize).
		var ne net.Error
		if _, plain := t.data.(*net.TCPConn); plain && n > 0 && errors.As(err, &ne) && ne.Timeout() && !t.guard.cancelled.Load() {
			p = p[n:]
			continue
		}
		t.writeFailed = true
		return t.guard.wrap(err)
	}
}

// acceptedFailure is a transfer that failed after the server answered its
// command with 1xx: for an upload, the server may have opened the file.
type acceptedFailure struct{ err error }

func (e *acceptedFailure) Error() string { return e.err.Error() }
func (e *acceptedFailure) Unwrap() error { return e.err }
