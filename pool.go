package ftp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// pconn is one control connection owned by a Client.
type pconn struct {
	c         *Conn
	idleSince time.Time // when it was last given back
}

// The pool's state lives in Client (client.go) under Client.mu:
//
//   - open counts control connections open or being dialled; it never
//     exceeds limit except when the limit was lowered under connections
//     already in use.
//   - limit starts at MaxConns and is lowered when the server refuses a
//     connection for having too many; it grows back by one every
//     limitGrowInterval without refusal.
//   - idle is a stack: the connection given back last is reused first, so
//     that the ones at the bottom age and are closed by the janitor.
//   - waiters queue, in order, the callers that found no connection; each is
//     handed a connection, or nil meaning "a slot opened, dial one".

// limitGrowInterval is how long the limit stays lowered before it is raised
// by one. Servers count connections that are closing for a moment after the
// client closed them, so growing back fast would only provoke more refusals.
var limitGrowInterval = 30 * time.Second

// refusalBackoff is the first wait before dialling again when the server
// refuses a connection although the Client has none open (other clients
// from the same address hold the server's slots); it doubles each time, up
// to maxRefusals attempts.
const (
	refusalBackoff = 100 * time.Millisecond
	maxRefusals    = 6
)

// get returns a logged-in connection: an idle one, a new one if the limit
// allows, or the next one given back. It waits on ctx.
func (c *Client) get(ctx context.Context) (*pconn, error) {
	start := time.Now()
	refusals := 0
	// A login refused after this is this call's answer too; once one has
	// succeeded, refusals no longer matter and the lock is not taken.
	asked := 0
	if !c.loggedIn.Load() {
		asked = c.loginsRefused()
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, ErrClientClosed
		}
		c.initLocked()
		grew := c.growLocked()
		if grew > 0 {
			c.mu.Unlock()
			c.traceLimit(ctx, grew, nil)
			c.mu.Lock()
			if c.closed {
				c.mu.Unlock()
				return nil, ErrClientClosed
			}
		}
		if n := len(c.idle); n > 0 {
			pc := c.idle[n-1]
			c.idle = c.idle[:n-1]
			c.mu.Unlock()
			if err := c.check(ctx, pc); err != nil {
				continue // discarded; a slot is free
			}
			c.traceGot(ctx, true, time.Since(start))
			return pc, nil
		}
		if c.open < c.limit {
			c.open++
			c.mu.Unlock()
			pc, err := c.dial(ctx, asked)
			if err == nil {
				c.traceGot(ctx, false, time.Since(start))
				return pc, nil
			}
			wait, lowered := c.dialFailed(err, &refusals)
			if lowered > 0 {
				c.traceLimit(ctx, lowered, err)
			}
			if wait >= 0 {
				if wait > 0 {
					t := time.NewTimer(wait)
					select {
					case <-t.C:
					case <-ctx.Done():
						t.Stop()
					}
				}
				continue
			}
			return nil, err
		}
		if f := c.popParkedLocked(stealAfter); f != nil {
			// Every connection is taken, one by a File left unused for a
			// while: its download is ended and resumed later (REST), so
			// that a goroutine holding a File can use the Client too.
			c.mu.Unlock()
			if pc := f.yield(); pc != nil {
				c.traceGot(ctx, true, time.Since(start))
				return pc, nil
			}
			continue
		}
		w := make(chan *pconn, 1)
		c.waiters = append(c.waiters, w)
		var steal <-chan time.Time
		var timer *time.Timer
		if len(c.parked) > 0 {
			timer = time.NewTimer(stealAfter - time.Since(c.parked[0].parkedAt))
			steal = timer.C
		}
		c.mu.Unlock()
		var pc *pconn
		var stealing, cancelled bool
		select {
		case pc = <-w:
		case <-steal:
			stealing = true
		case <-ctx.Done():
			cancelled = true
		}
		if timer != nil {
			timer.Stop()
		}
		handed := true
		if stealing || cancelled {
			// Leave the queue, unless something was handed over already.
			pc, handed = c.dequeue(w)
		}
		switch {
		case cancelled && pc != nil:
			c.put(ctx, pc) // handed over just as ctx ended: pass it on
			return nil, ctx.Err()
		case cancelled:
			if handed {
				c.mu.Lock()
				c.wakeLocked() // pass the free slot on
				c.mu.Unlock()
			}
			return nil, ctx.Err()
		case pc != nil:
			c.traceGot(ctx, true, time.Since(start))
			return pc, nil
		}
		// A slot opened (dial), or a File has sat unused long enough to
		// lend its connection: look again.
	}
}

// stealAfter is how long an open File must have sat unused between calls
// before a caller that finds every connection taken takes its connection.
// A File being read is back within microseconds; one held by a goroutine
// that went on to other work (perhaps waiting for this very caller) is
// not.
const stealAfter = 100 * time.Millisecond

// dequeue takes the waiter w off the queue. If it was not there any more,
// something was handed to it, which dequeue receives and returns: a
// connection, or nil for a free slot (handed is then true).
func (c *Client) dequeue(w chan *pconn) (pc *pconn, handed bool) {
	c.mu.Lock()
	for i, x := range c.waiters {
		if x == w {
			c.waiters = append(c.waiters[:i], c.waiters[i+1:]...)
			c.mu.Unlock()
			return nil, false
		}
	}
	c.mu.Unlock()
	// Whoever took w off the queue sends on it, perhaps a moment later.
	return <-w, true
}

// dialFailed accounts for a failed dial. It returns how long to wait
// before trying again, or -1 to give up with the error, and the new limit
// if it was lowered.
func (c *Client) dialFailed(err error, refusals *int) (wait time.Duration, lowered int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open--
	if !tooManyConnections(err) || c.closed {
		c.wakeLocked()
		return -1, 0
	}
	if established := len(c.all); established > 0 || c.open > 0 {
		// The server accepts the connections the Client has: that is
		// the limit for now (at least one, if the others are still
		// being dialled). The caller waits for one of them.
		if n := max(established, 1); n < c.limit {
			c.limit = n
			c.lowered = time.Now()
			lowered = n
		}
		return 0, lowered
	}
	// Nothing of ours is open, yet the server refuses: its slots are
	// held by others (or by our own connections it has not finished
	// closing). Wait a little and try again, a few times.
	*refusals++
	if *refusals > maxRefusals {
		c.wakeLocked()
		return -1, 0
	}
	if c.limit > 1 {
		lowered = 1
	}
	c.limit = 1
	c.lowered = time.Now()
	return refusalBackoff << (*refusals - 1), lowered
}

// tooManyConnections reports whether a dial failed because the server
// has too many connections (from us, or in all). err comes from dialling
// and logging in, where the refusals look like this: 421 at the greeting
// (vsftpd max_per_ip, Pure-FTPd, pyftpdlib), 530 to the login with a text
// that says so (ProFTPD MaxClientsPerHost: "Sorry, the maximum number of
// clients (4) from your host are already connected"), or a connection
// closed or reset before the greeting, which is how some servers (xinetd
// per_source) refuse.
func tooManyConnections(err error) bool {
	var fe *Error
	if errors.As(err, &fe) {
		if fe.Code == 421 {
			return true
		}
		if fe.Code == 530 || fe.Code == 550 {
			m := strings.ToLower(fe.Msg)
			for _, s := range []string{"too many", "maximum number", "max number", "limit", "already connected", "no more connections"} {
				if strings.Contains(m, s) {
					return true
				}
			}
		}
		return false
	}
	return errors.Is(err, errServerClosed) || errors.Is(err, syscall.ECONNRESET)
}

// dial opens and logs in a new connection for a call that began when
// asked logins had been refused (see login); the slot is already counted.
func (c *Client) dial(ctx context.Context, asked int) (*pconn, error) {
	start := time.Now()
	conn, err := c.Dialer.Dial(ctx, c.Addr)
	if err == nil {
		if err = c.login(ctx, conn, asked); err != nil {
			conn.Close()
		}
	}
	info := PoolDialInfo{Addr: c.Addr, Duration: time.Since(start), Err: err}
	c.hooks(ctx, func(t *Trace) {
		if t.PoolDialed != nil {
			t.PoolDialed(ctx, info)
		}
	})
	if err != nil {
		return nil, err
	}
	pc := &pconn{c: conn}
	c.mu.Lock()
	closed := c.closed
	if !closed {
		c.all[pc] = struct{}{}
	}
	c.mu.Unlock()
	if closed {
		conn.Close()
		c.mu.Lock()
		c.open--
		c.mu.Unlock()
		return nil, ErrClientClosed
	}
	return pc, nil
}

// check makes sure a connection idle for longer than the Client's
// CheckAfter is still alive (NOOP), and discards it if not.
func (c *Client) check(ctx context.Context, pc *pconn) error {
	if time.Since(pc.idleSince) < c.checkAfter() {
		return nil
	}
	err := pc.c.NoOp(ctx)
	if err != nil {
		c.discard(ctx, pc, err)
	}
	return err
}

// put gives a connection back: to the first waiter, or to the idle stack.
// A connection that is broken, busy, or whose state was changed by its
// borrower is closed instead.
func (c *Client) put(ctx context.Context, pc *pconn) {
	if err := pc.c.usable(); err != nil {
		c.discard(ctx, pc, err)
		return
	}
	if pc.c.dirty {
		c.discard(ctx, pc, errDirty)
		return
	}
	pc.c.SetASCII(false)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		c.discard(ctx, pc, ErrClientClosed)
		return
	}
	if len(c.waiters) > 0 {
		w := c.waiters[0]
		c.waiters = c.waiters[1:]
		c.mu.Unlock()
		w <- pc
		return
	}
	pc.idleSince = time.Now()
	c.idle = append(c.idle, pc)
	c.startJanitorLocked()
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// discard closes a connection and frees its slot for a waiter. ctx is
// the context of the call that found it unusable, for the trace.
func (c *Client) discard(ctx context.Context, pc *pconn, why error) {
	pc.c.Close()
	c.mu.Lock()
	_, ok := c.all[pc]
	if ok {
		delete(c.all, pc)
		c.open--
		c.wakeLocked()
	}
	info := PoolDiscardInfo{Reason: why, Open: c.open}
	c.mu.Unlock()
	if ok {
		c.hooks(ctx, func(t *Trace) {
			if t.PoolDiscarded != nil {
				t.PoolDiscarded(ctx, info)
			}
		})
	}
}

// wakeLocked tells the first waiter that a slot is free.
func (c *Client) wakeLocked() {
	if len(c.waiters) > 0 && c.open < c.limit {
		w := c.waiters[0]
		c.waiters = c.waiters[1:]
		w <- nil
	}
}

// growLocked raises a lowered limit by one per limitGrowInterval and
// returns the new limit, or 0 if unchanged.
func (c *Client) growLocked() int {
	if c.limit < c.maxConns() && time.Since(c.lowered) >= limitGrowInterval {
		c.limit++
		c.lowered = time.Now()
		return c.limit
	}
	return 0
}

func (c *Client) initLocked() {
	if c.limit == 0 {
		c.limit = c.maxConns()
		c.trace = composeTraces(c.Dialer.Trace, SlogTrace(c.Dialer.Logger))
		c.all = make(map[*pconn]struct{})
		c.kick = make(chan struct{}, 1)
		c.done = make(chan struct{})
		c.loginTurn = make(chan struct{}, 1)
	}
}

// startJanitorLocked starts the goroutine that closes idle connections, once.
func (c *Client) startJanitorLocked() {
	if c.janitor {
		return
	}
	c.janitor = true
	c.wg.Add(1)
	go c.closeIdle()
}

// closeIdle closes connections idle for longer than IdleTimeout until the
// Client is closed.
func (c *Client) closeIdle() {
	defer c.wg.Done()
	timeout := c.idleTimeout()
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		c.mu.Lock()
		var expired []*pconn
		next := time.Duration(-1)
		i := 0
		for ; i < len(c.idle); i++ {
			// Oldest at the bottom of the stack.
			age := time.Since(c.idle[i].idleSince)
			if age < timeout {
				next = timeout - age
				break
			}
			expired = append(expired, c.idle[i])
		}
		c.idle = append(c.idle[:0], c.idle[i:]...)
		c.mu.Unlock()
		for _, pc := range expired {
			c.quit(pc, errIdleTimeout)
		}
		if next < 0 {
			select {
			case <-c.kick:
				next = timeout
			case <-c.done:
				return
			}
		}
		t.Reset(next)
		select {
		case <-t.C:
		case <-c.kick: // a connection went idle: recompute
		case <-c.done:
			return
		}
	}
}

var (
	errIdleTimeout = errors.New("ftp: connection idle for longer than the Client's IdleTimeout")
	errDirty       = errors.New("ftp: connection's state changed by its borrower (working directory, TYPE, PROT, login)")
)

// quit says goodbye (QUIT) to an idle connection, briefly, and discards it.
func (c *Client) quit(pc *pconn, why error) {
	ctx, cancel := context.WithTimeout(context.Background(), quitTimeout)
	pc.c.Quit(ctx)
	cancel()
	c.discard(context.Background(), pc, why)
}

// quitTimeout bounds the QUIT sent to a connection the pool closes.
const quitTimeout = 2 * time.Second

// Close closes every connection of the Client, idle or in use (saying QUIT
// to the idle ones), fails the callers waiting for one, and stops the
// Client's goroutine. Operations still running fail with ErrClientClosed
// or ErrClosed. Close waits for nothing else and may be called more than
// once.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	idle := c.idle
	c.idle = nil
	waiters := c.waiters
	c.waiters = nil
	var busy []*pconn
	for pc := range c.all {
		if !slices.Contains(idle, pc) {
			busy = append(busy, pc)
		}
	}
	c.parked = nil
	if c.done != nil {
		close(c.done)
	}
	c.mu.Unlock()
	for _, w := range waiters {
		w <- nil // they find the Client closed
	}
	var wg sync.WaitGroup
	for _, pc := range idle {
		wg.Go(func() { c.quit(pc, ErrClientClosed) })
	}
	for _, pc := range busy {
		pc.c.Close() // unblocks whoever uses it; they discard it
	}
	wg.Wait()
	c.wg.Wait()
	return nil
}

// hooks calls fn with each Trace that wants the Client's pool events: the
// Dialer's (Trace and Logger) and ctx's.
func (c *Client) hooks(ctx context.Context, fn func(*Trace)) {
	x := ContextTrace(ctx)
	if c.trace != nil {
		fn(c.trace)
	}
	if x != nil && x != c.trace {
		fn(x)
	}
}

func (c *Client) traceGot(ctx context.Context, reused bool, wait time.Duration) {
	c.mu.Lock()
	info := PoolGotInfo{Reused: reused, Wait: wait, Open: c.open, Limit: c.limit}
	c.mu.Unlock()
	c.hooks(ctx, func(t *Trace) {
		if t.PoolGot != nil {
			t.PoolGot(ctx, info)
		}
	})
}

func (c *Client) traceLimit(ctx context.Context, limit int, reason error) {
	info := PoolLimitInfo{Limit: limit, MaxConns: c.maxConns(), Reason: reason}
	c.hooks(ctx, func(t *Trace) {
		if t.PoolLimitChanged != nil {
			t.PoolLimitChanged(ctx, info)
		}
	})
}
