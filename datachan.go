package ftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// dataSetup is a data connection being made before the transfer command is
// sent: connected already (passive) or waiting for the server (active).
type dataSetup struct {
	conn net.Conn      // passive: connected
	ln   net.Listener  // active: listening
	hs   dataHandshake // under PROT P: how the TLS handshake went
	// rejected holds the addresses of connections from other hosts that
	// accept closed, for the trace; written by the goroutine accepting.
	rejected []string

	// spent is how much of DataTimeout making this connection has taken so
	// far (dials, accept, TLS handshake; waits for replies excepted).
	spent time.Duration
}

// spend runs fn with what is left of the data connection's DataTimeout and
// counts the time it took: a data connection that never completes costs one
// DataTimeout per transfer attempt, not one per step (EPSV's dial, PASV's,
// the accept, the TLS handshake).
func (s *dataSetup) spend(full time.Duration, fn func(timeout time.Duration) error) error {
	start := time.Now()
	err := fn(max(full-s.spent, time.Millisecond))
	s.spent += time.Since(start)
	return err
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

// isSyntaxRefusal reports a reply saying the command or its arguments are
// not understood or out of turn (500-504), vsftpd's "500 OOPS" aside.
func isSyntaxRefusal(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Code >= 500 && fe.Code <= 504 && !fe.serverFailure()
}

// unsupported reports a reply meaning the server does not know or does
// not offer the command itself (500, 502, 504): the only kind of refusal a Conn
// remembers, falling back to an older command for good. Any other refusal
// (501 or 550 about a path, 4xx) is about this one call. vsftpd's
// "500 OOPS: ..." is its session failing, not a verdict on the command.
func unsupported(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && (fe.Code == 500 || fe.Code == 502 || fe.Code == 504) && !fe.serverFailure()
}

// peerIP is the control connection's remote IP, the only host data
// connections go to or are accepted from.
func (c *Conn) peerIP() net.IP {
	if a, ok := c.tcp.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP
	}
	return nil
}

// dialPassive tries EPSV (RFC 2428), then PASV. EPSV refused as not
// implemented (500, 502, 504) or for its network protocol (522), or whose
// port cannot be reached (a NAT device that passes EPSV but not its port),
// is not sent again on this Conn; another refusal (501, 503) sends this one
// transfer to PASV. Both dials share one DataTimeout, EPSV's taking at most
// half of it when PASV could follow.
func (c *Conn) dialPassive(ctx context.Context) (*dataSetup, error) {
	peer := c.peerIP()
	canPASV := peer == nil || peer.To4() != nil
	s := &dataSetup{}
	if !c.noEPSV && !c.d.DisableEPSV {
		r, err := c.cmd(ctx, 2, "EPSV")
		var fe *Error
		switch {
		case err == nil && r.Code == 229:
			port, err := parseEPSV(r)
			if err != nil {
				return nil, err
			}
			share := c.d.DataTimeout
			if canPASV {
				share /= 2
			}
			err = s.spend(c.d.DataTimeout, func(left time.Duration) error {
				s.conn, err = c.dialData(ctx, min(left, share), c.dataHost(peer), port)
				return err
			})
			if err == nil {
				return s, nil
			}
			if !canPASV || ctx.Err() != nil {
				return nil, err
			}
			// Some NAT devices pass EPSV but not its port; PASV may work.
			c.noEPSV = true
			c.traceFallback(ctx, "EPSV", "PASV", true, err)
		case err == nil:
			return nil, &UnexpectedReplyError{Cmd: "EPSV", Reply: r, Want: "229"}
		case !canPASV:
			return nil, err
		case unsupported(err) || errors.As(err, &fe) && fe.Code == 522:
			c.noEPSV = true
			c.traceFallback(ctx, "EPSV", "PASV", true, err)
		case isSyntaxRefusal(err):
			c.traceFallback(ctx, "EPSV", "PASV", false, err)
		default:
			return nil, err
		}
	}
	if !canPASV {
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
	err = s.spend(c.d.DataTimeout, func(left time.Duration) error {
		s.conn, err = c.dialData(ctx, left, host, port)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
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

func (c *Conn) dialData(ctx context.Context, timeout time.Duration, host string, port int) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
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
		var fe *Error
		switch {
		case err == nil:
			return &dataSetup{ln: ln}, nil
		case ip4 != nil && (unsupported(err) || errors.As(err, &fe) && fe.Code == 522):
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
	err := s.spend(c.d.DataTimeout, func(left time.Duration) error {
		return guard(ctx, tl, left, func() error {
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
	})
	if err != nil {
		return nil, fmt.Errorf("ftp: waiting for the server's data connection: %w", err)
	}
	return conn, nil
}
