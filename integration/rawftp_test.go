package integration

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// This file is a deliberately small FTP client built on net/textproto and
// crypto/tls only. It proves the harness's daemon configurations without
// depending on the project's own client, and shows in few lines what FTPS
// needs from crypto/tls.

// dataMode is how rawClient opens a data connection.
type dataMode int

const (
	modeEPSV   dataMode = iota // extended passive (RFC 2428)
	modePASV                   // passive
	modeActive                 // EPRT: the server connects to us
)

var dataModes = []dataMode{modeEPSV, modePASV, modeActive}

func (m dataMode) String() string {
	return [...]string{"EPSV", "PASV", "active"}[m]
}

// ioTimeout bounds every network step, so a daemon that stops answering
// fails a test instead of hanging it.
const ioTimeout = 10 * time.Second

// rawClient is one logged-in control connection.
type rawClient struct {
	conn    net.Conn // the control connection, *tls.Conn when protected
	tp      *textproto.Conn
	tlsConf *tls.Config // nil on plain instances
}

// dialRaw connects to in and logs in. With mode Explicit or Implicit it
// protects the control and data connections with TLS at most maxVersion;
// mode is normally in.TLS.
func dialRaw(in *Instance, mode TLSMode, maxVersion uint16) (_ *rawClient, err error) {
	raw, err := net.DialTimeout("tcp", in.Addr, ioTimeout)
	if err != nil {
		return nil, err
	}
	c := &rawClient{conn: raw}
	defer func() {
		if err != nil {
			c.conn.Close()
		}
	}()
	if mode != Plain {
		// One configuration, and so one session cache, per control
		// connection: data connections resume its session.
		c.tlsConf = in.TLSConfig()
		c.tlsConf.MinVersion = tls.VersionTLS12
		c.tlsConf.MaxVersion = maxVersion
	}
	if mode == Implicit {
		if err := c.startTLS(); err != nil {
			return nil, err
		}
	} else {
		c.tp = textproto.NewConn(raw)
	}
	c.deadline()
	if _, _, err := c.tp.ReadResponse(220); err != nil {
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if mode == Explicit {
		if _, err := c.cmd(234, "AUTH TLS"); err != nil {
			return nil, err
		}
		// Bytes after the 234 would be read as if they had been protected.
		if n := c.tp.R.Buffered(); n > 0 {
			return nil, fmt.Errorf("%d unexpected bytes after 234", n)
		}
		if err := c.startTLS(); err != nil {
			return nil, err
		}
	}
	code, err := c.cmd(0, "USER %s", in.User)
	if err != nil {
		return nil, err
	}
	switch code {
	case 230:
	case 331:
		if _, err := c.cmd(230, "PASS %s", in.Password); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("USER: unexpected reply %d", code)
	}
	if c.tlsConf != nil {
		if _, err := c.cmd(200, "PBSZ 0"); err != nil {
			return nil, err
		}
		if _, err := c.cmd(200, "PROT P"); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// startTLS makes the control connection a TLS client connection.
func (c *rawClient) startTLS() error {
	tc := tls.Client(c.conn, c.tlsConf)
	tc.SetDeadline(time.Now().Add(ioTimeout))
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("control TLS handshake: %w", err)
	}
	c.conn = tc
	c.tp = textproto.NewConn(tc)
	return nil
}

func (c *rawClient) deadline() { c.conn.SetDeadline(time.Now().Add(ioTimeout)) }

// cmd sends a command and reads its reply, which must have code expect
// (or, if expect is 0, any code).
func (c *rawClient) cmd(expect int, format string, args ...any) (int, error) {
	c.deadline()
	if err := c.tp.PrintfLine(format, args...); err != nil {
		return 0, err
	}
	code, msg, err := c.tp.ReadResponse(expect)
	if err != nil {
		verb, _, _ := strings.Cut(format, " ")
		return code, fmt.Errorf("%s: %w (%d %s)", verb, err, code, msg)
	}
	return code, nil
}

// transfer runs a transfer command (LIST, RETR, STOR) over a new data
// connection. For STOR it sends upload and returns nil data; otherwise it
// returns what it read. state is the data connection's TLS state, if any.
func (c *rawClient) transfer(mode dataMode, upload []byte, format string, args ...any) (data []byte, state *tls.ConnectionState, err error) {
	dc, accept, err := c.openData(mode)
	if err != nil {
		return nil, nil, err
	}
	if accept != nil {
		defer accept.Close()
	}
	defer func() {
		if dc != nil {
			dc.Close()
		}
	}()
	c.deadline()
	if err := c.tp.PrintfLine(format, args...); err != nil {
		return nil, nil, err
	}
	// Handshake and accept only after the 1xx: before it some daemons have
	// not started on the data connection, and on an error reply there is
	// no connection to wait for.
	if _, msg, err := c.tp.ReadResponse(1); err != nil {
		return nil, nil, fmt.Errorf("%s: %w (%s)", format, err, msg)
	}
	if accept != nil {
		accept.(*net.TCPListener).SetDeadline(time.Now().Add(ioTimeout))
		if dc, err = accept.Accept(); err != nil {
			return nil, nil, fmt.Errorf("accept data connection: %w", err)
		}
	}
	dc.SetDeadline(time.Now().Add(ioTimeout))
	if c.tlsConf != nil {
		tc := tls.Client(dc, c.tlsConf)
		dc = tc
		if err := tc.Handshake(); err != nil {
			return nil, nil, fmt.Errorf("data TLS handshake: %w", err)
		}
		s := tc.ConnectionState()
		state = &s
	}
	if upload != nil {
		err = sendAndClose(dc, upload)
	} else {
		data, err = io.ReadAll(dc)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("data connection: %w", err)
	}
	dc.Close()
	dc = nil
	c.deadline()
	if _, msg, err := c.tp.ReadResponse(2); err != nil {
		return nil, nil, fmt.Errorf("%s completion: %w (%s)", format, err, msg)
	}
	return data, state, nil
}

// sendAndClose writes an upload and ends it the way vsftpd over TLS 1.3
// needs: close_notify, then read until the server closes. vsftpd sends
// session tickets on the data connection; leaving them unread makes the
// kernel answer with RST, and vsftpd reports 426.
func sendAndClose(dc net.Conn, upload []byte) error {
	if _, err := dc.Write(upload); err != nil {
		return err
	}
	type closeWriter interface{ CloseWrite() error }
	if cw, ok := dc.(closeWriter); ok {
		if err := cw.CloseWrite(); err != nil {
			return err
		}
	}
	_, err := io.Copy(io.Discard, dc)
	return err
}

// openData prepares a data connection: a dialed one for passive modes, a
// listener for active mode.
func (c *rawClient) openData(mode dataMode) (net.Conn, net.Listener, error) {
	switch mode {
	case modeEPSV:
		_, msg, err := c.reply(229, "EPSV")
		if err != nil {
			return nil, nil, err
		}
		port, err := parseEPSV(msg)
		if err != nil {
			return nil, nil, err
		}
		// EPSV keeps the control connection's host.
		host, _, _ := net.SplitHostPort(c.conn.RemoteAddr().String())
		dc, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), ioTimeout)
		return dc, nil, err
	case modePASV:
		_, msg, err := c.reply(227, "PASV")
		if err != nil {
			return nil, nil, err
		}
		addr, err := parsePASV(msg)
		if err != nil {
			return nil, nil, err
		}
		dc, err := net.DialTimeout("tcp", addr, ioTimeout)
		return dc, nil, err
	case modeActive:
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		if _, _, err := c.reply(200, "EPRT |1|127.0.0.1|%d|", port); err != nil {
			l.Close()
			return nil, nil, err
		}
		return nil, l, nil
	}
	return nil, nil, fmt.Errorf("unknown data mode %d", mode)
}

// reply is cmd that also returns the reply text.
func (c *rawClient) reply(expect int, format string, args ...any) (int, string, error) {
	c.deadline()
	if err := c.tp.PrintfLine(format, args...); err != nil {
		return 0, "", err
	}
	code, msg, err := c.tp.ReadResponse(expect)
	if err != nil {
		return code, msg, fmt.Errorf("%s: %w", format, err)
	}
	return code, msg, nil
}

// quit ends the session politely and closes the connection.
func (c *rawClient) quit() error {
	_, err := c.cmd(221, "QUIT")
	return errors.Join(err, c.conn.Close())
}

func (c *rawClient) close() { c.conn.Close() }

// parseEPSV reads the port from "Entering Extended Passive Mode (|||port|)".
func parseEPSV(msg string) (int, error) {
	open := strings.IndexByte(msg, '(')
	end := strings.LastIndexByte(msg, ')')
	if open < 0 || end < open {
		return 0, fmt.Errorf("malformed EPSV reply %q", msg)
	}
	fields := strings.Split(msg[open+1:end], "|")
	if len(fields) != 5 {
		return 0, fmt.Errorf("malformed EPSV reply %q", msg)
	}
	port, err := strconv.Atoi(fields[3])
	if err != nil || port <= 0 || port > 65535 {
		return 0, fmt.Errorf("malformed EPSV port in %q", msg)
	}
	return port, nil
}

// parsePASV reads host:port from "Entering Passive Mode (h1,h2,h3,h4,p1,p2)".
func parsePASV(msg string) (string, error) {
	open := strings.IndexByte(msg, '(')
	end := strings.LastIndexByte(msg, ')')
	if open < 0 || end < open {
		return "", fmt.Errorf("malformed PASV reply %q", msg)
	}
	parts := strings.Split(msg[open+1:end], ",")
	if len(parts) != 6 {
		return "", fmt.Errorf("malformed PASV reply %q", msg)
	}
	var n [6]int
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 || v > 255 {
			return "", fmt.Errorf("malformed PASV number in %q", msg)
		}
		n[i] = v
	}
	host := fmt.Sprintf("%d.%d.%d.%d", n[0], n[1], n[2], n[3])
	return net.JoinHostPort(host, strconv.Itoa(n[4]*256+n[5])), nil
}
