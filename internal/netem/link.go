package netem

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// link relays one connection, in both directions, through the shape and
// the fault.
type link struct {
	client, server net.Conn
	shape          Shape

	mu     sync.Mutex
	fault  *Fault // nil once struck (or when none)
	counts [3]int64
	dead   chan struct{}
	once   sync.Once
}

func newLink(client, server net.Conn, shape Shape, f *Fault) *link {
	l := &link{client: client, server: server, shape: shape, fault: f, dead: make(chan struct{})}
	if f != nil && f.After == 0 && f.Kind != Stall {
		// Strikes before the first byte, whichever side speaks first.
		l.fault = nil
		l.kill(f.Kind)
	}
	return l
}

// run relays until both directions have ended, then closes both sides.
// up and down, when not nil, rewrite the control connection's lines.
func (l *link) run(up, down lineFunc) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); l.pipe(l.client, l.server, Upstream, up) }()
	go func() { defer wg.Done(); l.pipe(l.server, l.client, Downstream, down) }()
	wg.Wait()
	l.client.Close()
	l.server.Close()
}

// kill ends the link for good: Close with FINs, Reset with resets.
func (l *link) kill(kind FaultKind) {
	l.once.Do(func() {
		close(l.dead)
		if kind == Reset {
			reset(l.client)
			reset(l.server)
			return
		}
		l.server.Close()
		l.client.Close()
	})
}

type chunk struct {
	data []byte
	at   time.Time // when it may be delivered
}

var errStruck = errors.New("netem: fault struck")

// pipe copies src to dst through the delay, the rate cap and the fault,
// then passes on the end: a FIN as a FIN, anything else as a reset.
func (l *link) pipe(src, dst net.Conn, dir Dir, lines lineFunc) {
	delay := l.shape.RoundTrip / 2
	shaped := delay > 0 || l.shape.Rate > 0
	var queue chan chunk
	writerDone := make(chan error, 1)
	if shaped {
		queue = make(chan chunk, 256)
		go func() { writerDone <- l.deliver(dst, dir, queue) }()
	}
	emit := func(b []byte) error {
		if len(b) == 0 {
			return nil
		}
		if !shaped {
			return l.write(dst, dir, b)
		}
		select {
		case queue <- chunk{data: bytes.Clone(b), at: time.Now().Add(delay)}:
			return nil
		case <-l.dead:
			return errStruck
		}
	}

	var held []byte // a control line not yet ended
	buf := make([]byte, 32<<10)
	var readErr, emitErr error
	for emitErr == nil {
		n, err := src.Read(buf)
		if n > 0 {
			out := buf[:n]
			if lines != nil {
				out, held = lines.feed(held, out)
			}
			emitErr = emit(out)
		}
		if err != nil {
			readErr = err
			break
		}
	}
	if emitErr == nil && len(held) > 0 {
		emitErr = emit(held)
	}
	if shaped {
		close(queue)
		if err := <-writerDone; emitErr == nil {
			emitErr = err
		}
	}
	switch {
	case emitErr != nil:
		l.kill(Reset)
	case errors.Is(readErr, io.EOF):
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		} else {
			dst.Close()
		}
	default:
		l.kill(Reset)
	}
}

// deliver writes the queued chunks when their time has come.
func (l *link) deliver(dst net.Conn, dir Dir, queue <-chan chunk) error {
	var failed error
	for c := range queue {
		if failed != nil {
			continue // drain, so that the reader is never stuck
		}
		if d := time.Until(c.at); d > 0 {
			select {
			case <-time.After(d):
			case <-l.dead:
				failed = errStruck
				continue
			}
		}
		failed = l.write(dst, dir, c.data)
	}
	return failed
}

// write sends b to dst at the capped rate, striking the fault when its
// byte count is reached.
func (l *link) write(dst net.Conn, dir Dir, b []byte) error {
	for len(b) > 0 {
		n := len(b)
		if l.shape.Rate > 0 {
			// Pieces of about 20 ms at the cap keep the pace even.
			n = min(n, max(int(l.shape.Rate/50), 1024))
		}
		piece := b[:n]
		allowed, f := l.take(dir, int64(len(piece)))
		if allowed > 0 {
			if err := l.paced(dst, piece[:allowed]); err != nil {
				return err
			}
		}
		if f != nil {
			switch f.Kind {
			case Stall:
				var wait <-chan time.Time
				if f.Stall > 0 {
					wait = time.After(f.Stall)
				}
				select {
				case <-wait:
				case <-l.dead:
					return errStruck
				}
			default:
				l.kill(f.Kind)
				return errStruck
			}
		}
		b = b[allowed:]
	}
	return nil
}

// take counts n bytes of dir and returns how many may go before the
// fault strikes, with the fault when it strikes now.
func (l *link) take(dir Dir, n int64) (int64, *Fault) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.fault
	if f == nil || (f.Dir != Any && f.Dir != dir) {
		l.counts[dir] += n
		l.counts[Any] += n
		return n, nil
	}
	left := f.After - l.counts[f.Dir]
	if left > n {
		l.counts[dir] += n
		l.counts[Any] += n
		return n, nil
	}
	l.counts[dir] += left
	l.counts[Any] += left
	l.fault = nil
	return left, f
}

func (l *link) paced(dst net.Conn, b []byte) error {
	if l.shape.Rate > 0 {
		d := time.Duration(int64(len(b)) * int64(time.Second) / l.shape.Rate)
		select {
		case <-time.After(d):
		case <-l.dead:
			return errStruck
		}
	}
	_, err := dst.Write(b)
	return err
}
