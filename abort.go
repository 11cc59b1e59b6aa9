package ftp

import (
	"context"
	"time"
)

// Telnet commands that precede ABOR (RFC 959 section 4.1.3, RFC 854).
const (
	telnetIAC = 0xFF // interpret as command
	telnetIP  = 0xF4 // interrupt process
	telnetDM  = 0xF2 // data mark: the Synch
)

// abortGrace is how long Abort waits for a second reply after a lone 225 or
// 226. Servers differ: most answer an abort with the transfer's reply (426
// or 226) and then ABOR's own (225 or 226); some send one reply only.
const abortGrace = 300 * time.Millisecond

// Abort aborts the transfer in progress, if any (ABOR, preceded by Telnet IP
// and Synch sent as TCP urgent data so that a server busy sending still
// sees it), and reads every reply the abort brings: 426 then 226 (or 225),
// or a 225 or 226 alone. With no transfer open it sends ABOR and expects
// one 225 or 226. If the server does not answer within the abort timeout,
// the Conn is broken.
func (c *Conn) Abort(ctx context.Context) error {
	if c.busy != nil {
		return c.busy.abortCtx(ctx)
	}
	if err := c.usable(); err != nil {
		return err
	}
	if err := c.sendAbort(ctx); err != nil {
		return c.fail(c.wrapErr("ABOR", err))
	}
	r, err := c.readReply(ctx, "ABOR", c.d.AbortTimeout)
	if err != nil {
		return err
	}
	return checkClass("ABOR", r, 2)
}

// abort aborts t on behalf of a cancelled context or an early Close, with a
// fresh deadline: the caller's context may be done already.
func (t *transfer) abort() error {
	return t.abortCtx(context.Background())
}

func (t *transfer) abortCtx(ctx context.Context) error {
	c := t.c
	ctx, cancel := context.WithTimeout(ctx, c.d.AbortTimeout)
	defer cancel()
	defer func() { c.busy = nil }()
	err := c.sendAbort(ctx)
	// The data connection is closed whether or not the server got ABOR:
	// closing it also ends the transfer for servers that ignore ABOR.
	t.closeData()
	if err != nil {
		return c.fail(c.wrapErr("ABOR", err))
	}
	first, err := c.readReply(ctx, "ABOR", c.d.AbortTimeout)
	if err != nil {
		return err
	}
	t.final = first
	if first.Class() == 2 {
		// Either the transfer's own 226 (ABOR's reply still to come) or the
		// one reply some servers send for both.
		if !c.replyPending(abortGrace) {
			return nil
		}
	}
	// After a 426 (or a 5xx from a server that does not know ABOR) the
	// other reply is due; once it is read the connection is in step.
	_, err = c.readReply(ctx, "ABOR", c.d.AbortTimeout)
	return err
}

// replyPending reports whether reply bytes arrive within wait.
func (c *Conn) replyPending(wait time.Duration) bool {
	if c.rr.buffered() > 0 {
		return true
	}
	c.conn.SetReadDeadline(time.Now().Add(wait))
	defer c.conn.SetReadDeadline(time.Time{})
	_, err := c.rr.text.R.Peek(1)
	return err == nil
}

// sendAbort writes IAC IP, the Synch (IAC DM, urgent), and ABOR. Under TLS
// urgent data cannot be sent (it would bypass the TLS stream) and the Telnet
// bytes would only confuse the server's TLS layer, so plain ABOR is sent.
func (c *Conn) sendAbort(ctx context.Context) error {
	c.traceCmd("ABOR")
	return guard(ctx, c.tcp, c.d.AbortTimeout, func() error {
		if c.tls.active {
			c.traceSend("ABOR")
			c.w.WriteString("ABOR\r\n")
			return c.w.Flush()
		}
		if err := c.w.Flush(); err != nil {
			return err
		}
		c.traceSend("IAC IP IAC (urgent) DM ABOR")
		// As BSD ftp does: the urgent pointer marks the IAC that starts the
		// Synch, and the DM follows in band with the command.
		if err := sendUrgent(c.tcp, []byte{telnetIAC, telnetIP, telnetIAC}); err != nil {
			return err
		}
		c.w.WriteByte(telnetDM)
		c.w.WriteString("ABOR\r\n")
		return c.w.Flush()
	})
}
