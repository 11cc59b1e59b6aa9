package ftp

import (
	"context"
	"errors"
	"iter"
	"net"
	"time"
)

// Pipelining. RFC 959 lets a client send a command before the reply to the
// previous one: the server reads commands from the control connection in
// order and answers them in turn. RetrieveEach uses it to fetch small files
// in about two round trips each instead of three and a half: EPSV and RETR
// go out in one write, and the next file's pair goes out as soon as the
// current data connection ends, before its 226 arrives.
//
// Some servers and middleboxes drop or refuse a command that arrives before
// the previous reply. The first pipelined transfer on a Conn is therefore a
// probe: if the transfer command's reply does not come within a short window
// after the data connection opens, or comes as "use PASV/EPSV first" or a
// syntax refusal, the Conn resynchronises (ABOR, then NOOP up to its 200,
// as Abort does), remembers that the server does not queue, and sends one
// command at a time from then on.

// pipeState is what a Conn has learnt about its server's command queueing.
type pipeState uint8

const (
	pipeUnknown pipeState = iota
	pipeYes
	pipeNo
)

// probeWindow (a variable for tests) is the least time the first pipelined transfer waits for its
// command's reply once its data connection is open, before deciding that
// the server dropped the command. The round trip measured on EPSV is added
// four times over.
var probeWindow = 2 * time.Second

// canPipeline reports whether a transfer may go out pipelined: in a batch,
// passive mode with EPSV, no REST (a refused REST would turn the RETR into
// a download from the start), and a server not known to refuse it.
func (c *Conn) canPipeline(offset int64) bool {
	return c.batch && c.pipe != pipeNo && offset == 0 && !c.d.Active && !c.d.DisableEPSV && !c.noEPSV
}

// sendPipelined writes EPSV and "RETR path" in one write and records them
// as queued: their replies are read by the startTransfer for the same line.
func (c *Conn) sendPipelined(ctx context.Context, path string) error {
	line, err := commandLine("RETR", path)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return c.wrapErr(line, err) // nothing sent
	}
	err = guard(ctx, c.conn, c.d.ReplyTimeout, func() error {
		c.traceSend(ctx, "EPSV")
		c.traceSend(ctx, line)
		c.w.WriteString("EPSV\r\n")
		c.w.WriteString(line)
		c.w.WriteString("\r\n")
		return c.w.Flush()
	})
	c.traceCmd(ctx, "EPSV", err)
	c.traceCmd(ctx, line, err)
	if err != nil {
		return c.fail(c.wrapErr(line, err))
	}
	c.queued, c.queuedPath = line, path
	c.queuedAt = time.Now()
	return nil
}

// pipelinedData sends EPSV and line together (unless they went out already),
// reads EPSV's reply and dials the data port. A nil setup with a nil error
// means "send the transfer again, one command at a time": the Conn is then
// in step, the transfer command's reply having been read or resynchronised
// past.
func (c *Conn) pipelinedData(ctx context.Context, line, path string) (*dataSetup, error) {
	if c.queued != line {
		if err := c.sendPipelined(ctx, path); err != nil {
			return nil, err
		}
	}
	c.queued, c.queuedPath = "", ""
	r, err := c.readReply(ctx, "EPSV", c.d.ReplyTimeout)
	if err != nil {
		return nil, err // the Conn is broken
	}
	c.rtt = time.Since(c.queuedAt)
	if r.Code == 421 {
		// The server is closing the connection: nothing more will come.
		return nil, c.fail(checkClass("EPSV", r, 2))
	}
	if r.Code != 229 {
		// The transfer command's reply is still due: most likely "use
		// PASV first"; resynchronising reads past whatever it is.
		if err := c.resync(); err != nil {
			return nil, joinErrors(checkClass("EPSV", r, 2), err)
		}
		refusal := checkClass("EPSV", r, 2)
		switch {
		case refusal == nil:
			return nil, &UnexpectedReplyError{Cmd: "EPSV", Reply: r, Want: "229"}
		case unsupported(refusal):
			c.noEPSV = true
			c.traceFallback(ctx, "EPSV", "PASV", true, refusal)
			return nil, nil
		}
		return nil, refusal
	}
	port, err := parseEPSV(r)
	if err != nil {
		return nil, joinErrors(err, c.resync())
	}
	s := &dataSetup{}
	err = s.spend(c.d.DataTimeout, func(left time.Duration) error {
		s.conn, err = c.dialData(ctx, left, c.dataHost(c.peerIP()), port)
		return err
	})
	if err == nil {
		return s, nil
	}
	// A server that refuses the transfer command (a missing file) may
	// close its passive port before the dial arrives: its refusal is then
	// on its way, and is the answer.
	if c.replyWithin(ctx, probeWindow+4*c.rtt) {
		if _, rerr := c.preliminary(ctx, line); rerr != nil {
			return nil, rerr
		}
		// The transfer started on a port this client cannot reach.
		return nil, joinErrors(err, c.resync())
	}
	// One command at a time, dialPassive knows what to do about an
	// unreachable EPSV port (PASV, on IPv4).
	return nil, c.resync()
}

// resync brings the Conn back in step after pipelined commands whose
// replies are not all known: ABOR, then NOOP and every reply up to its
// 200. A pending transfer command ends either way: refused, aborted, or
// answered before the ABOR arrived.
func (c *Conn) resync() error {
	ctx, cancel := context.WithTimeout(context.Background(), c.d.AbortTimeout)
	defer cancel()
	_, err := c.abortExchange(ctx, nil)
	return err
}

// replyWithin reports whether a reply starts arriving within d. Only a plain
// timeout says no; any other failure is left for the read that follows.
func (c *Conn) replyWithin(ctx context.Context, d time.Duration) bool {
	err := guard(ctx, c.conn, d, func() error {
		_, err := c.rr.text.R.Peek(1)
		return err
	})
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil)
}

// probeFailed reports a refusal of a pipelined transfer command that means
// the server did not take it in turn: "use PORT or PASV first" (425),
// "bad sequence" (503) or a syntax error.
func probeFailed(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && (fe.Code == 425 || isSyntaxRefusal(err))
}

// pipelineNext sends the next file's commands as t's data connection
// ends, before t's final reply, if the server is known to queue them.
func (c *Conn) pipelineNext(ctx context.Context, path string) {
	if c.batch && c.pipe == pipeYes && c.canPipeline(0) && c.broken == nil && c.queued == "" {
		c.sendPipelined(ctx, path) // a failure breaks the Conn, and the final reply's read reports it
	}
}

// dropQueued ends a transfer that was sent pipelined but will not be
// wanted: it is opened and aborted, so the Conn stays in step.
func (c *Conn) dropQueued() error {
	if c.queued == "" || c.broken != nil || c.closed.Load() {
		return nil
	}
	// The caller may be cancelled already; the abort's own bound applies.
	ctx, cancel := context.WithTimeout(context.Background(), c.d.AbortTimeout)
	defer cancel()
	t, err := c.startTransfer(ctx, "RETR", c.queuedPath, 0, "")
	if err != nil {
		if c.broken != nil {
			return err
		}
		return nil // refused: nothing to abort
	}
	return t.abort()
}

// RetrieveEach downloads the files paths yields, one after the other on
// this Conn, calling fn for each in order with its open Download, or with
// the error that kept it from opening (a missing file, say). fn reads the
// Download (a Download read to its end sends the next file's commands at
// once, before its own final reply arrives); RetrieveEach closes it when fn
// returns, aborting it if it was not read to the end. If fn returns an
// error, RetrieveEach stops and returns it; else it goes on to the next
// path. An error that leaves the Conn unusable also stops it.
//
// paths is read one ahead: the next path is taken before the current file
// is fetched, so that its commands can go out as soon as the current data
// ends. A path taken but never handed to fn (RetrieveEach stopped first)
// was not tried. Pass slices.Values for a fixed list; several Conns can
// share one queue of work through their sequences, each taking the next
// file when it is ready, so that none of them waits for a batch's end.
//
// RFC 959 lets a server queue commands, so EPSV and RETR go out in one
// write, and the next file's pair as soon as the data connection ends: a
// small file costs about two round trips instead of three and a half. A
// server that does not queue them is detected on the first file (no timely
// reply, or a refusal such as 425 "use PASV first"), the Conn is brought
// back in step with ABOR and NOOP, and the Conn sends one command at a time
// from then on. Pipelining needs passive mode with EPSV; otherwise each
// file is a plain Retrieve. Any other command sent from fn first opens and
// aborts the next file's transfer if its commands went out already, which
// costs that file a few round trips: use another Conn for other work
// meanwhile.
func (c *Conn) RetrieveEach(ctx context.Context, paths iter.Seq[string], fn func(path string, d *Download, err error) error) (err error) {
	if err := c.usable(); err != nil {
		return err
	}
	c.batch = true
	defer func() {
		c.batch = false
		if derr := c.dropQueued(); derr != nil {
			err = joinErrors(err, derr)
		}
	}()
	var cur string
	have := false
	for path := range paths {
		if have {
			if stop, err := c.retrieveOne(ctx, cur, path, fn); stop {
				return err
			}
		}
		cur, have = path, true
	}
	if have {
		_, err = c.retrieveOne(ctx, cur, "", fn)
	}
	return err
}

// retrieveOne is one file of RetrieveEach, next ("" for none) the path
// whose commands follow its data. It reports whether the batch stops, and
// why.
func (c *Conn) retrieveOne(ctx context.Context, path, next string, fn func(path string, d *Download, err error) error) (stop bool, err error) {
	d, err := c.Retrieve(ctx, path)
	if err == nil {
		d.next = next
	}
	ferr := fn(path, d, err)
	if d != nil {
		d.Close()
	}
	if ferr != nil {
		return true, ferr
	}
	if c.closed.Load() || c.broken != nil {
		return true, c.usable()
	}
	return false, nil
}
