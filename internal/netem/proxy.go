package netem

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Shape is what the relay does to every connection's bytes.
type Shape struct {
	// RoundTrip is the round-trip time added: each direction is delayed
	// by half of it.
	RoundTrip time.Duration
	// Rate caps each direction of each connection, in bytes per second.
	// Zero is no cap.
	Rate int64
}

// Proxy relays connections to one server. Make one with New; the zero
// value is not usable.
type Proxy struct {
	target string // host:port of the server's control port
	shape  Shape
	ln     net.Listener

	mu           sync.Mutex
	dataFault    *Fault
	controlFault *Fault
	refuseUntil  time.Time
	controls     map[*link]struct{}
	datas        map[*link]struct{}
	closed       bool
	stats        Stats

	wg sync.WaitGroup
}

// Stats counts the connections a Proxy has relayed.
type Stats struct {
	Control, Data           int // open now
	PeakControl, PeakData   int // most open at once
	TotalControl, TotalData int
	Refused                 int // connections reset by RefuseFor
}

// New starts a proxy on 127.0.0.1 that relays to target (host:port) with
// the given shape. Close it when done.
func New(target string, shape Shape) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, shape: shape, ln: ln, controls: map[*link]struct{}{}, datas: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.acceptControl()
	return p, nil
}

// Addr is the address to connect a control connection to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Target is the server's address, as given to New.
func (p *Proxy) Target() string { return p.target }

// Stats returns the connection counts so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// FaultData arms f for the next data connection. The zero Fault disarms
// a fault that has not struck yet.
func (p *Proxy) FaultData(f Fault) {
	p.mu.Lock()
	p.dataFault = armed(f)
	p.mu.Unlock()
}

// FaultControl arms f for the next control connection. The zero Fault
// disarms a fault that has not struck yet.
func (p *Proxy) FaultControl(f Fault) {
	p.mu.Lock()
	p.controlFault = armed(f)
	p.mu.Unlock()
}

func armed(f Fault) *Fault {
	if f.Kind == 0 {
		return nil
	}
	return &f
}

// CutControl resets every control connection open now, as a NAT gateway
// that forgets a session does.
func (p *Proxy) CutControl() {
	p.mu.Lock()
	links := make([]*link, 0, len(p.controls))
	for l := range p.controls {
		links = append(links, l)
	}
	p.mu.Unlock()
	for _, l := range links {
		l.kill(Reset)
	}
}

// RefuseFor makes the proxy reset every new control connection at once,
// before any greeting, for d: a server at its connection limit, or one
// restarting.
func (p *Proxy) RefuseFor(d time.Duration) {
	p.mu.Lock()
	p.refuseUntil = time.Now().Add(d)
	p.mu.Unlock()
}

// Close stops the proxy, cuts every connection it relays and waits for
// its goroutines to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	links := make([]*link, 0, len(p.controls)+len(p.datas))
	for l := range p.controls {
		links = append(links, l)
	}
	for l := range p.datas {
		links = append(links, l)
	}
	p.mu.Unlock()
	err := p.ln.Close()
	for _, l := range links {
		l.kill(Reset)
	}
	p.wg.Wait()
	return err
}

// DialContext opens a connection to addr through the relay, for
// ftp.Dialer.DialContext. A dial to the proxy's target is a control
// connection (relayed without rewriting: the library is told nothing of the
// proxy, and its data connections come through DialContext too); any other
// address is a data connection.
func (p *Proxy) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	upstream, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	// A real socket pair, so that the caller gets a *net.TCPConn with
	// CloseWrite, deadlines and sendfile, exactly as without the proxy.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		upstream.Close()
		return nil, err
	}
	defer ln.Close()
	type accepted struct {
		c   net.Conn
		err error
	}
	ch := make(chan accepted, 1)
	go func() {
		c, err := ln.Accept()
		ch <- accepted{c, err}
	}()
	client, err := (&net.Dialer{}).DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		ln.Close()
		<-ch
		upstream.Close()
		return nil, err
	}
	a := <-ch
	if a.err != nil {
		client.Close()
		upstream.Close()
		return nil, a.err
	}
	if addr == p.target {
		if !p.startControl(a.c, upstream, false) {
			client.Close()
			return nil, fmt.Errorf("netem: proxy closed")
		}
	} else {
		p.startData(a.c, upstream)
	}
	return client, nil
}

func (p *Proxy) acceptControl() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			upstream, err := net.DialTimeout("tcp", p.target, 10*time.Second)
			if err != nil {
				c.Close()
				return
			}
			p.startControl(c, upstream, true)
		}()
	}
}

// startControl relays a control connection, or resets it when the proxy
// is refusing connections. It reports false when the proxy is closed.
func (p *Proxy) startControl(client, upstream net.Conn, rewrite bool) bool {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		client.Close()
		upstream.Close()
		return false
	}
	if time.Now().Before(p.refuseUntil) {
		p.stats.Refused++
		p.mu.Unlock()
		upstream.Close()
		reset(client)
		return true
	}
	f := p.controlFault
	p.controlFault = nil
	l := newLink(client, upstream, p.shape, f)
	p.controls[l] = struct{}{}
	p.stats.Control++
	p.stats.TotalControl++
	p.stats.PeakControl = max(p.stats.PeakControl, p.stats.Control)
	p.mu.Unlock()

	var up, down lineFunc
	if rewrite {
		r := newFTPRewriter(p)
		up, down = direction{r, false}, direction{r, true}
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		l.run(up, down)
		p.mu.Lock()
		delete(p.controls, l)
		p.stats.Control--
		p.mu.Unlock()
	}()
	return true
}

func (p *Proxy) startData(client, upstream net.Conn) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		client.Close()
		upstream.Close()
		return
	}
	f := p.dataFault
	p.dataFault = nil
	l := newLink(client, upstream, p.shape, f)
	p.datas[l] = struct{}{}
	p.stats.Data++
	p.stats.TotalData++
	p.stats.PeakData = max(p.stats.PeakData, p.stats.Data)
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		l.run(nil, nil)
		p.mu.Lock()
		delete(p.datas, l)
		p.stats.Data--
		p.mu.Unlock()
	}()
}

// listenData opens a one-shot listener for a data connection that the
// proxy relays to addr: the client connects to it for passive mode
// (toServer), the server for active mode.
func (p *Proxy) listenData(addr string, toServer bool) (port int, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		ln.Close()
		return 0, errors.New("netem: proxy closed")
	}
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		defer ln.Close()
		// The peer has a minute to come; then the listener goes, as a
		// server's passive port does.
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(time.Minute))
		done := make(chan struct{})
		defer close(done)
		go func() {
			// Close with the proxy, so that Close does not wait a minute.
			t := time.NewTicker(50 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					p.mu.Lock()
					closed := p.closed
					p.mu.Unlock()
					if closed {
						ln.Close()
						return
					}
				}
			}
		}()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		other, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			c.Close()
			return
		}
		if toServer {
			p.startData(c, other)
		} else {
			p.startData(other, c)
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
