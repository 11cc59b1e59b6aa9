package ftp

import (
	"context"
	"fmt"
)

// Telnet commands that precede ABOR (RFC 959 section 4.1.3, RFC 854).
const (
	telnetIAC = 0xFF // interpret as command
	telnetIP  = 0xF4 // interrupt process
	telnetDM  = 0xF2 // data mark: the Synch
)

// maxAbortReplies bounds the replies read while resynchronising after ABOR.
const maxAbortReplies = 8

// Abort aborts the transfer in progress, if any: it sends ABOR preceded by
// Telnet IP and Synch (IAC IP, then IAC DM as TCP urgent data, so that a
// server busy sending still notices), closes the data connection, and reads
// every reply the abort brings.
//
// Servers disagree on those replies. RFC 959 asks for 426 and then 226;
// many send 226 (the transfer had ended) and then 225 or 226; some send one
// reply; Pure-FTPd, given urgent data, may answer nothing or a reply with a
// wrong code. Waiting "a little" for a second reply is how ftplib and
// others lose sync, so Abort does not guess: after the first reply it sends
// NOOP and reads every reply up to NOOP's 200. Then the connection is in
// step, whatever the server did. If the replies do not come within
// Dialer.AbortTimeout the Conn is broken.
func (c *Conn) Abort(ctx context.Context) error {
	if c.busy != nil {
		return c.busy.abortCtx(ctx)
	}
	if err := c.dropQueued(); err != nil {
		return err
	}
	if err := c.usable(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.d.AbortTimeout)
	defer cancel()
	first, err := c.abortExchange(ctx, nil)
	if err != nil {
		return err
	}
	return checkClass("ABOR", first, 2)
}

// abort aborts t on behalf of a cancelled context or an early Close, with a
// fresh deadline: the caller's context may be done already.
func (t *transfer) abort() error {
	return t.abortCtx(context.WithoutCancel(t.ctx))
}

func (t *transfer) abortCtx(ctx context.Context) error {
	c := t.c
	ctx, cancel := context.WithTimeout(ctx, c.d.AbortTimeout)
	defer cancel()
	defer func() { c.busy = nil }()
	t.traceDone(0, fmt.Errorf("ftp: %s: aborted", t.cmd))
	first, err := c.abortExchange(ctx, t)
	if err == nil {
		t.final = first
	}
	return err
}

// abortExchange sends ABOR, closes t's data connection (closing it also
// ends the transfer for servers that ignore ABOR), reads the first reply,
// and resynchronises with NOOP. It returns the first reply.
func (c *Conn) abortExchange(ctx context.Context, t *transfer) (*Reply, error) {
	err := c.sendAbort(ctx)
	if t != nil {
		t.closeData()
	}
	if err != nil {
		return nil, c.fail(c.wrapErr("ABOR", err))
	}
	first, err := c.readReply(ctx, "ABOR", c.d.AbortTimeout)
	if err != nil {
		return nil, err
	}
	if err := c.send(ctx, "NOOP"); err != nil {
		return nil, c.fail(c.wrapErr("NOOP", err))
	}
	for i := 0; i < maxAbortReplies; i++ {
		r, err := c.readReply(ctx, "NOOP", c.d.AbortTimeout)
		if err != nil {
			return nil, err
		}
		if r.Code == 200 {
			return first, nil
		}
	}
	return nil, c.fail(&ProtocolError{Cmd: "ABOR", Msg: "no reply to NOOP after aborting"})
}

// sendAbort writes IAC IP, the Synch (IAC DM, the DM as urgent data), and
// ABOR. Under TLS urgent data cannot be sent (it would bypass the TLS
// stream) and Telnet bytes would only confuse the server, so plain ABOR is
// sent.
func (c *Conn) sendAbort(ctx context.Context) error {
	err := guard(ctx, c.tcp, c.d.AbortTimeout, func() error {
		if c.tls.active {
			c.traceSend(ctx, "ABOR")
			c.w.WriteString("ABOR\r\n")
			return c.w.Flush()
		}
		c.traceSend(ctx, "IAC IP IAC DM(urgent) ABOR")
		c.w.Write([]byte{telnetIAC, telnetIP})
		if err := c.w.Flush(); err != nil {
			return err
		}
		if err := sendUrgent(c.tcp, []byte{telnetIAC, telnetDM}); err != nil {
			return err
		}
		c.w.WriteString("ABOR\r\n")
		return c.w.Flush()
	})
	c.traceCmd(ctx, "ABOR", err)
	return err
}
