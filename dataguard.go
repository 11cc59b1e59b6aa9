package ftp

import (
	"context"
	"crypto/tls"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBufferSize is the size of each read and write on a data connection
// where Dialer.BufferSize is zero.
const DefaultBufferSize = 256 << 10

// dataGuard holds a data connection's deadline and the transfer's
// cancellation hook for the whole transfer. guard, which the control
// connection uses, sets two deadlines and registers a context callback per
// call; on a data connection that cost more CPU than the copy itself. Here
// each Read or Write costs one clock read and allocates nothing.
//
// The idle timeout is kept by moving the deadline forward only once an
// eighth of it has passed since it was last moved, to timeout plus that
// eighth: a transfer that makes no progress fails after between one and
// 9/8 of the timeout. (A plain write resumed after moving data for longer
// than the timeout, see writeData, can stretch that by one timeout.)
type dataGuard struct {
	ctx      context.Context
	conn     deadliner
	timeout  time.Duration
	slack    time.Duration // how long a deadline is kept before moving it
	ctxLimit time.Time     // the context's deadline, or zero
	moved    time.Time     // when the deadline was last moved

	cancelled atomic.Bool // the context was done during the transfer
	stop      func() bool // unregisters the cancellation hook
}

// start arms g for a transfer on conn governed by ctx.
func (g *dataGuard) start(ctx context.Context, conn deadliner, timeout time.Duration) {
	g.ctx, g.conn, g.timeout, g.slack = ctx, conn, timeout, timeout/8
	g.ctxLimit, _ = ctx.Deadline()
	if ctx.Done() != nil {
		g.stop = context.AfterFunc(ctx, func() {
			// Stored before the deadline moves, so that a concurrent
			// refresh either sees it or is overridden by this deadline.
			g.cancelled.Store(true)
			conn.SetDeadline(aLongTimeAgo)
		})
	}
	g.refresh(time.Now())
}

// end unregisters the cancellation hook. The data connection is being
// closed, so a hook already running does no harm.
func (g *dataGuard) end() {
	if g.stop != nil {
		g.stop()
		g.stop = nil
	}
}

// before is called before each read or write on the data connection.
func (g *dataGuard) before() error {
	if now := time.Now(); now.Sub(g.moved) >= g.slack {
		return g.refresh(now)
	}
	return nil
}

func (g *dataGuard) refresh(now time.Time) error {
	d := now.Add(g.timeout + g.slack)
	if !g.ctxLimit.IsZero() && g.ctxLimit.Before(d) {
		d = g.ctxLimit
	}
	g.moved = now
	err := g.conn.SetDeadline(d)
	if g.cancelled.Load() {
		g.conn.SetDeadline(aLongTimeAgo)
		return g.ctx.Err()
	}
	return err
}

// wrap adds the context's error to an I/O error caused by cancellation or
// by the context's deadline, as guard does: callers check ctx.Err() to
// decide to abort rather than wait for a final reply.
func (g *dataGuard) wrap(err error) error {
	if err == nil || err == io.EOF || g.ctx == nil {
		return err
	}
	if g.cancelled.Load() {
		return joinErrors(g.ctx.Err(), err)
	}
	if !g.ctxLimit.IsZero() && !time.Now().Before(g.ctxLimit) {
		<-g.ctx.Done()
		return joinErrors(g.ctx.Err(), err)
	}
	return err
}

// tlsBufferSize caps the buffer on a TLS data connection: a TLS read
// returns at most one record (tlsRecordSize) and a write sends one record
// per system call, so a larger buffer would only take memory.
const tlsBufferSize = 32 << 10

// tlsRecordSize is the most plain text a TLS record carries.
const tlsRecordSize = 16 << 10

// The pools hold buffers of DefaultBufferSize and tlsBufferSize, so that a
// transfer allocates none, and many small files do not each allocate one.
var (
	bufferPool    = sync.Pool{New: func() any { b := make([]byte, DefaultBufferSize); return &b }}
	tlsBufferPool = sync.Pool{New: func() any { b := make([]byte, tlsBufferSize); return &b }}
)

// buffer returns a buffer for t's data connection; putBuffer takes it back.
func (t *transfer) buffer() *[]byte {
	size := t.c.d.BufferSize
	if _, ok := t.data.(*tls.Conn); ok {
		size = min(size, tlsBufferSize)
	}
	switch size {
	case DefaultBufferSize:
		return bufferPool.Get().(*[]byte)
	case tlsBufferSize:
		return tlsBufferPool.Get().(*[]byte)
	}
	b := make([]byte, size)
	return &b
}

func putBuffer(b *[]byte) {
	switch len(*b) {
	case DefaultBufferSize:
		bufferPool.Put(b)
	case tlsBufferSize:
		tlsBufferPool.Put(b)
	}
}
