package ftptest

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

// RawConn is a deliberately small FTP client built on net/textproto and
// crypto/tls only: the project's one raw test client. It tests servers (the
// embedded server, the real daemons of the integration tests) without
// depending on the client package, and shows in few lines what FTPS needs
// from crypto/tls. Every step is bounded by RawTimeout.
type RawConn struct {
	// DataTLS, if set, is the TLS configuration of data connections
	// instead of the control connection's: to present another session than
	// the control connection's, say.
	DataTLS *tls.Config

	conn  net.Conn // the control connection, *tls.Conn once protected
	text  *textproto.Conn
	tls   *tls.Config // control and data connections' TLS; one session cache
	protP bool        // data connections are TLS
}

// RawTimeout bounds every network step of a RawConn, so that a server that
// stops answering fails a test instead of hanging it.
const RawTimeout = 10 * time.Second

// DialRaw connects to addr and reads the 220 greeting. With implicit, TLS
// starts at once with cfg; otherwise cfg is kept for AuthTLS. Data
// connections use cfg too (after ProtectData, or at once with implicit),
// so that they can resume the control connection's session.
func DialRaw(addr string, cfg *tls.Config, implicit bool) (*RawConn, error) {
	conn, err := net.DialTimeout("tcp", addr, RawTimeout)
	if err != nil {
		return nil, err
	}
	c := &RawConn{conn: conn, tls: cfg}
	if implicit {
		if err := c.startTLS(); err != nil {
			conn.Close()
			return nil, err
		}
		c.protP = true
	}
	c.text = textproto.NewConn(c.conn)
	if _, err := c.Expect(220); err != nil {
		conn.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	return c, nil
}

func (c *RawConn) deadline() { _ = c.conn.SetDeadline(time.Now().Add(RawTimeout)) }

func (c *RawConn) startTLS() error {
	if c.tls == nil {
		return errors.New("no TLS configuration")
	}
	tc := tls.Client(c.conn, c.tls)
	_ = tc.SetDeadline(time.Now().Add(RawTimeout))
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("control TLS handshake: %w", err)
	}
	c.conn = tc
	return nil
}

// Send writes a command line and reads its reply, whatever its code. The
// error is for a failure to send or read a reply.
func (c *RawConn) Send(format string, args ...any) (code int, msg string, err error) {
	c.deadline()
	if err := c.text.PrintfLine(format, args...); err != nil {
		return 0, "", err
	}
	return c.Read()
}

// Read reads one reply, whatever its code.
func (c *RawConn) Read() (code int, msg string, err error) {
	c.deadline()
	code, msg, err = c.text.ReadResponse(0)
	var terr *textproto.Error
	if errors.As(err, &terr) {
		err = nil // a reply, just not a success
	}
	return code, msg, err
}

// Expect reads one reply and checks its code.
func (c *RawConn) Expect(want int) (string, error) {
	code, msg, err := c.Read()
	if err == nil && code != want {
		err = fmt.Errorf("got %d %s, want %d", code, msg, want)
	}
	return msg, err
}

// Cmd sends a command and checks that its reply has code want. Errors name
// the command, with the argument of PASS masked.
func (c *RawConn) Cmd(want int, format string, args ...any) (string, error) {
	code, msg, err := c.Send(format, args...)
	if err == nil && code != want {
		err = fmt.Errorf("got %d %s, want %d", code, msg, want)
	}
	if err != nil {
		return msg, fmt.Errorf("%s: %w", maskPass(fmt.Sprintf(format, args...)), err)
	}
	return msg, nil
}

func maskPass(line string) string {
	verb, _, ok := strings.Cut(line, " ")
	if ok && strings.EqualFold(verb, "PASS") {
		return verb + " ****"
	}
	return line
}

// AuthTLS upgrades the control connection (AUTH TLS). Bytes that arrive
// after the 234, before the handshake, are refused: they would be read as if
// they had been protected.
func (c *RawConn) AuthTLS() error {
	if _, err := c.Cmd(234, "AUTH TLS"); err != nil {
		return err
	}
	if n := c.text.R.Buffered(); n > 0 {
		return fmt.Errorf("%d unexpected bytes after 234", n)
	}
	if err := c.startTLS(); err != nil {
		return err
	}
	c.text = textproto.NewConn(c.conn)
	return nil
}

// ProtectData sends PBSZ 0 and PROT P: data connections are TLS from now on.
func (c *RawConn) ProtectData() error {
	if _, err := c.Cmd(200, "PBSZ 0"); err != nil {
		return err
	}
	if _, err := c.Cmd(200, "PROT P"); err != nil {
		return err
	}
	c.protP = true
	return nil
}

// Login sends USER, and PASS when asked (331); it must end in 230.
func (c *RawConn) Login(user, pass string) error {
	code, msg, err := c.Send("USER %s", user)
	switch {
	case err != nil:
		return fmt.Errorf("USER: %w", err)
	case code == 230:
		return nil
	case code != 331:
		return fmt.Errorf("USER: got %d %s, want 230 or 331", code, msg)
	}
	_, err = c.Cmd(230, "PASS %s", pass)
	return err
}

// Quit sends QUIT, checks the 221 and closes the connection.
func (c *RawConn) Quit() error {
	_, err := c.Cmd(221, "QUIT")
	return errors.Join(err, c.Close())
}

// TLSState returns the control connection's TLS state, and false if it is
// not encrypted.
func (c *RawConn) TLSState() (tls.ConnectionState, bool) {
	if tc, ok := c.conn.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// Close closes the control connection without a word.
func (c *RawConn) Close() error { return c.conn.Close() }

// DataMode is how a RawConn opens a data connection.
type DataMode int

const (
	EPSV DataMode = iota // extended passive (RFC 2428)
	PASV                 // passive, to the address in the 227 reply
	EPRT                 // active: the server connects to the client
)

func (m DataMode) String() string {
	switch m {
	case EPSV:
		return "EPSV"
	case PASV:
		return "PASV"
	case EPRT:
		return "active"
	}
	return fmt.Sprintf("DataMode(%d)", int(m))
}

// Transfer is the outcome of a transfer command.
type Transfer struct {
	Mark    int                  // the 1xx reply, or the refusal when no 1xx came
	Code    int                  // the final reply (the refusal when no 1xx came)
	Msg     string               // its text
	Data    []byte               // what was downloaded
	TLS     *tls.ConnectionState // the data connection's TLS, nil if clear
	DataErr error                // the data connection's handshake, read or write failed
	ReadErr error                // reading the final reply failed (a hang-up)
}

// Transfer runs command over a data connection opened with mode: it sends
// upload if not nil, and otherwise reads what the server sends. The error is
// for the steps before the command (EPSV refused, no connection); the
// server's replies and data-connection failures are in the Transfer.
func (c *RawConn) Transfer(mode DataMode, upload []byte, command string) (*Transfer, error) {
	dial, ln, err := c.openData(mode)
	if err != nil {
		return nil, err
	}
	var dc net.Conn
	defer func() {
		if ln != nil {
			ln.Close()
		}
		if dc != nil {
			dc.Close()
		}
	}()
	if dial != nil {
		dc = dial
	}
	r := &Transfer{}
	code, msg, err := c.Send("%s", command)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	r.Mark = code
	if code/100 != 1 {
		r.Code, r.Msg = code, msg
		return r, nil
	}
	// Accept and handshake only after the 1xx: before it some servers have
	// not started on the data connection, and after an error reply there
	// is no connection to wait for.
	if ln != nil {
		_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(RawTimeout))
		if dc, err = ln.Accept(); err != nil {
			return nil, fmt.Errorf("%s: accepting the data connection: %w", command, err)
		}
	}
	_ = dc.SetDeadline(time.Now().Add(RawTimeout))
	if c.protP {
		cfg := c.tls
		if c.DataTLS != nil {
			cfg = c.DataTLS
		}
		tc := tls.Client(dc, cfg)
		dc = tc
		if r.DataErr = tc.Handshake(); r.DataErr == nil {
			st := tc.ConnectionState()
			r.TLS = &st
		}
	}
	if r.DataErr == nil {
		if upload != nil {
			r.DataErr = sendAndClose(dc, upload)
		} else {
			r.Data, r.DataErr = io.ReadAll(dc)
		}
	}
	dc.Close()
	dc = nil
	r.Code, r.Msg, r.ReadErr = c.Read()
	return r, nil
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

// openData prepares a data connection: dialled for the passive modes, a
// listener for active mode.
func (c *RawConn) openData(mode DataMode) (net.Conn, net.Listener, error) {
	host, _, _ := net.SplitHostPort(c.conn.RemoteAddr().String())
	switch mode {
	case EPSV:
		msg, err := c.Cmd(229, "EPSV")
		if err != nil {
			return nil, nil, err
		}
		port, err := ParseEPSV(msg)
		if err != nil {
			return nil, nil, err
		}
		// EPSV keeps the control connection's host.
		dc, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), RawTimeout)
		return dc, nil, err
	case PASV:
		msg, err := c.Cmd(227, "PASV")
		if err != nil {
			return nil, nil, err
		}
		addr, err := ParsePASV(msg)
		if err != nil {
			return nil, nil, err
		}
		dc, err := net.DialTimeout("tcp", addr, RawTimeout)
		return dc, nil, err
	case EPRT:
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, nil, err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		if _, err := c.Cmd(200, "EPRT |1|%s|%d|", host, port); err != nil {
			ln.Close()
			return nil, nil, err
		}
		return nil, ln, nil
	}
	return nil, nil, fmt.Errorf("unknown data mode %d", mode)
}

// ParseEPSV reads the port from "Entering Extended Passive Mode (|||port|)".
func ParseEPSV(msg string) (int, error) {
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

// ParsePASV reads host:port from "Entering Passive Mode (h1,h2,h3,h4,p1,p2)".
func ParsePASV(msg string) (string, error) {
	open := strings.IndexByte(msg, '(')
	end := strings.LastIndexByte(msg, ')')
	if open < 0 || end < open {
		return "", fmt.Errorf("malformed PASV reply %q", msg)
	}
	ap, ok := parsePORTArg(msg[open+1 : end])
	if !ok {
		return "", fmt.Errorf("malformed PASV reply %q", msg)
	}
	return ap.String(), nil
}
