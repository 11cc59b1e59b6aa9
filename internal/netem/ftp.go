package netem

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
)

// lineFunc rewrites a control connection's lines in one direction. A nil
// lineFunc relays bytes untouched.
type lineFunc interface {
	// feed takes the bytes read, with the unfinished line held from
	// before, and returns what to send on and what to hold.
	feed(held, in []byte) (out, stillHeld []byte)
}

// ftpRewriter makes the data connections of a plain-text control
// connection go through the proxy, and steps aside once TLS begins.
type ftpRewriter struct {
	p    *Proxy
	host string // the server's host, where passive data connections go
	raw  atomic.Bool
}

func newFTPRewriter(p *Proxy) *ftpRewriter {
	host, _, _ := net.SplitHostPort(p.target)
	return &ftpRewriter{p: p, host: host}
}

type direction struct {
	r          *ftpRewriter
	fromServer bool
}

func (d direction) feed(held, in []byte) ([]byte, []byte) {
	r := d.r
	if r.raw.Load() {
		return append(held, in...), nil
	}
	buf := append(held, in...)
	if len(buf) > 0 && buf[0] == 0x16 {
		// A TLS handshake record where a command was expected: implicit
		// TLS. Nothing more is readable.
		r.raw.Store(true)
		return buf, nil
	}
	var out []byte
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			break
		}
		line := string(buf[:i+1])
		buf = buf[i+1:]
		if d.fromServer {
			out = append(out, r.fromServer(line)...)
		} else {
			out = append(out, r.fromClient(line)...)
		}
		if r.raw.Load() {
			return append(out, buf...), nil
		}
	}
	return out, bytes.Clone(buf)
}

func (r *ftpRewriter) fromServer(line string) string {
	switch {
	case strings.HasPrefix(line, "234"):
		// AUTH accepted: what follows is TLS. The line itself is sent on
		// before the client can start its handshake.
		r.raw.Store(true)
	case strings.HasPrefix(line, "227 "):
		open, end := strings.IndexByte(line, '('), strings.IndexByte(line, ')')
		if open < 0 || end < open {
			return line
		}
		f := strings.Split(line[open+1:end], ",")
		if len(f) != 6 {
			return line
		}
		hi, err1 := strconv.Atoi(strings.TrimSpace(f[4]))
		lo, err2 := strconv.Atoi(strings.TrimSpace(f[5]))
		if err1 != nil || err2 != nil {
			return line
		}
		port, err := r.p.listenData(net.JoinHostPort(r.host, strconv.Itoa(hi<<8|lo)), true)
		if err != nil {
			return line
		}
		return fmt.Sprintf("227 Entering Passive Mode (127,0,0,1,%d,%d).\r\n", port>>8, port&0xff)
	case strings.HasPrefix(line, "229 "):
		open, end := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
		if open < 0 || end < open+2 {
			return line
		}
		inner := line[open+1 : end]
		f := strings.Split(inner, inner[:1])
		if len(f) != 5 {
			return line
		}
		if _, err := strconv.Atoi(f[3]); err != nil {
			return line
		}
		port, err := r.p.listenData(net.JoinHostPort(r.host, f[3]), true)
		if err != nil {
			return line
		}
		return fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)\r\n", port)
	}
	return line
}

func (r *ftpRewriter) fromClient(line string) string {
	upper := strings.ToUpper(line)
	switch {
	case strings.HasPrefix(upper, "PORT "):
		f := strings.Split(strings.TrimSpace(line[5:]), ",")
		if len(f) != 6 {
			return line
		}
		n := make([]int, 6)
		for i, s := range f {
			v, err := strconv.Atoi(s)
			if err != nil {
				return line
			}
			n[i] = v
		}
		addr := fmt.Sprintf("%d.%d.%d.%d:%d", n[0], n[1], n[2], n[3], n[4]<<8|n[5])
		port, err := r.p.listenData(addr, false)
		if err != nil {
			return line
		}
		return fmt.Sprintf("PORT 127,0,0,1,%d,%d\r\n", port>>8, port&0xff)
	case strings.HasPrefix(upper, "EPRT "):
		arg := strings.TrimSpace(line[5:])
		if arg == "" {
			return line
		}
		f := strings.Split(arg, arg[:1])
		if len(f) != 5 {
			return line
		}
		port, err := r.p.listenData(net.JoinHostPort(f[2], f[3]), false)
		if err != nil {
			return line
		}
		return fmt.Sprintf("EPRT |1|127.0.0.1|%d|\r\n", port)
	}
	return line
}
