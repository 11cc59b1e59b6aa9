package ftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
)

// dataSetup is a data connection being made before the transfer command is
// sent: connected already (passive) or waiting for the server (active).
type dataSetup struct {
	conn net.Conn      // passive: connected
	ln   net.Listener  // active: listening
	hs   dataHandshake // under PROT P: how the TLS handshake went
	// waitedOut: the TLS handshake began before the server replied to
	// the transfer command (see handshakeWait).
	waitedOut bool

	// rejected holds the addresses of connections from other hosts that
	// accept closed, for the trace; written by the goroutine accepting.
	rejected []string
}

func (s *dataSetup) close() {
	if s.conn != nil {
		s.conn.Close()
	}
	if s.ln != nil {
		s.ln.Close()
	}
}

// prepareData opens the data connection's first half: it dials the server's
// passive port, or listens for it in active mode.
func (c *Conn) prepareData(ctx context.Context) (*dataSetup, error) {
	if c.d.Active {
		return c.listenActive(ctx)
	}
	return c.dialPassive(ctx)
}

// isSyntaxRefusal reports a reply saying the command is unknown or not
// implemented (500-504): the cue to fall back to an older command.
func isSyntaxRefusal(err error) bool {
	var fe *Error
	return asError(err, &fe) && fe.Code >= 500 && fe.Code <= 504
}

// peerIP is the control connection's remote IP, the only host data
// connections go to or are accepted from.
func (c *Conn) peerIP() net.IP {
	if a, ok := c.tcp.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP
	}
	return nil
}

// dialPassive tries EPSV (RFC 2428), then PASV, remembering a refusal of
// EPSV so that later transfers go straight to PASV.
func (c *Conn) dialPassive(ctx context.Context) (*dataSetup, error) {
	peer := c.peerIP()
	if !c.noEPSV && !c.d.DisableEPSV {
		r, err := c.cmd(ctx, 2, "EPSV")
		switch {
		case err == nil && r.Code == 229:
			port, err := parseEPSV(r)
			if err != nil {
				return nil, err
			}
			conn, err := c.dialData(ctx, c.dataHost(peer), port)
			if err == nil {
				return &dataSetup{conn: conn}, nil
			}
			if peer != nil && peer.To4() == nil {
				return nil, err
			}
			// Some NAT devices pass EPSV but not its port; PASV may work.
			c.noEPSV = true
			c.traceFallback(ctx, "EPSV", "PASV", true, err)
		case err == nil:
			return nil, &UnexpectedReplyError{Cmd: "EPSV", Reply: r, Want: "229"}
		case isSyntaxRefusal(err):
			c.noEPSV = true
			c.traceFallback(ctx, "EPSV", "PASV", true, err)
		default:
			return nil, err
		}
	}
	if peer != nil && peer.To4() == nil {
		return nil, errors.New("ftp: the server refused EPSV, and PASV cannot address an IPv6 server")
	}
	r, err := c.cmd(ctx, 2, "PASV")
	if err != nil {
		return nil, err
	}
	if r.Code != 227 {
		return nil, &UnexpectedReplyError{Cmd: "PASV", Reply: r, Want: "227"}
	}
	ip, port, err := parsePASV(r)
	if err != nil {
		return nil, err
	}
	host := c.dataHost(peer)
	if c.d.TrustPASVAddress && !ip.IsUnspecified() {
		host = ip.String()
	}
	conn, err := c.dialData(ctx, host, port)
	if err != nil {
		return nil, err
	}
	return &dataSetup{conn: conn}, nil
}

// dataHost is where passive data connections go: the control connection's
// peer, or the host name when a custom dial function (a proxy) is in use,
// since the peer seen locally is then the proxy.
func (c *Conn) dataHost(peer net.IP) string {
	if c.d.DialContext != nil || peer == nil {
		return c.host
	}
	return peer.String()
}

func (c *Conn) dialData(ctx context.Context, host string, port int) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.d.DataTimeout)
	defer cancel()
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	d := c.d
	if a, ok := d.LocalAddr.(*net.TCPAddr); ok {
		d.LocalAddr = &net.TCPAddr{IP: a.IP, Zone: a.Zone} // any port: the control connection holds its own
	}
	conn, err := d.dial(ctx, "tcp", addr)
	if err != nil {
		err = fmt.Errorf("ftp: data connection to %s: %w", addr, err)
		c.traceDataConn(ctx, DataConnInfo{Addr: addr, Passive: true, Err: err})
		return nil, err
	}
	return conn, nil
}

// listenActive listens on the control connection's local address (not on
// every interface, as ftplib does) and tells the server where with EPRT,
// falling back to PORT.
func (c *Conn) listenActive(ctx context.Context) (*dataSetup, error) {
	local, ok := c.tcp.LocalAddr().(*net.TCPAddr)
	if !ok {
		return nil, errors.New("ftp: active mode needs a direct TCP control connection")
	}
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: local.IP, Zone: local.Zone})
	if err != nil {
		return nil, fmt.Errorf("ftp: active mode: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ip4 := local.IP.To4()
	if !c.noEPRT && !c.d.DisableEPSV {
		af := "2"
		if ip4 != nil {
			af = "1"
		}
		_, err := c.cmd(ctx, 2, "EPRT", "|"+af+"|"+local.IP.String()+"|"+strconv.Itoa(port)+"|")
		switch {
		case err == nil:
			return &dataSetup{ln: ln}, nil
		case isSyntaxRefusal(err) && ip4 != nil:
			c.noEPRT = true
			c.traceFallback(ctx, "EPRT", "PORT", true, err)
		default:
			ln.Close()
			return nil, err
		}
	}
	if ip4 == nil {
		ln.Close()
		return nil, errors.New("ftp: active mode: PORT cannot give an IPv6 address")
	}
	arg := fmt.Sprintf("%d,%d,%d,%d,%d,%d", ip4[0], ip4[1], ip4[2], ip4[3], port>>8, port&0xff)
	if _, err := c.cmd(ctx, 2, "PORT", arg); err != nil {
		ln.Close()
		return nil, err
	}
	return &dataSetup{ln: ln}, nil
}

// accept waits for the server's data connection in active mode. A
// connection from any host but the control connection's peer is closed and
// waited past: otherwise anyone who guesses the port could feed or steal the
// data (ftplib accepts whoever comes first).
func (c *Conn) accept(ctx context.Context, s *dataSetup) (net.Conn, error) {
	tl := s.ln.(*net.TCPListener)
	peer := c.peerIP()
	var conn net.Conn
	err := guard(ctx, tl, c.d.DataTimeout, func() error {
		for {
			nc, err := tl.Accept()
			if err != nil {
				return err
			}
			ra, _ := nc.RemoteAddr().(*net.TCPAddr)
			if ra != nil && peer != nil && ra.IP.Equal(peer) {
				conn = nc
				return nil
			}
			s.rejected = append(s.rejected, nc.RemoteAddr().String())
			nc.Close()
		}
	})
	if err != nil {
		return nil, fmt.Errorf("ftp: waiting for the server's data connection: %w", err)
	}
	return conn, nil
}
