package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// TLSMode selects whether and how FTPS is used (RFC 4217).
type TLSMode int

const (
	// TLSNone is plain FTP: nothing is encrypted.
	TLSNone TLSMode = iota
	// TLSExplicit connects in plain text and upgrades with AUTH TLS before
	// logging in. A server that refuses is an error, never a silent fall
	// back to plain text.
	TLSExplicit
	// TLSImplicit starts TLS at once, usually on port 990.
	TLSImplicit
	// TLSAuto tries AUTH TLS like TLSExplicit, verified the same way, but
	// goes on in plain text when the server refuses AUTH with a 5xx reply
	// (a server without TLS: 500, 502, 504, 534, or vsftpd's "530 Please
	// login with USER and PASS"). A failed handshake or certificate check
	// is still an error, never a fall back. Conn.TLSConnectionState tells
	// which way it went. This is curl's --ssl (CURLUSESSL_TRY): it guards
	// against a passive eavesdropper only, since anyone on the path can
	// forge the refusal. A Client under TLSAuto that has had TLS on one
	// connection requires it on the others (ErrTLSDowngrade).
	TLSAuto
)

func (m TLSMode) String() string {
	switch m {
	case TLSNone:
		return "none"
	case TLSExplicit:
		return "explicit"
	case TLSImplicit:
		return "implicit"
	case TLSAuto:
		return "auto"
	}
	return fmt.Sprintf("TLSMode(%d)", int(m))
}

// SessionReuse selects how data connections resume the control
// connection's TLS session. vsftpd (require_ssl_reuse, on by default),
// ProFTPD (mod_tls, by default) and FileZilla Server refuse data
// connections that do not resume, so that nobody else can take over the data
// port. Each Conn has its own session cache, never shared with another
// control connection: a data connection resuming another control
// connection's session is refused too (rclone #7234). A data connection
// whose handshake fails (the server refused the transfer command and closed
// it, a middlebox cut it) never costs the Conn its session: only a server
// that refuses the session itself, with a TLS alert, makes the Conn forget
// it.
type SessionReuse int

const (
	// ReuseChain lets each data connection resume the most recent session:
	// the control connection's at first, then tickets the server issues on
	// data connections. It is Go's natural behaviour and works with vsftpd,
	// ProFTPD and FileZilla Server.
	ReuseChain SessionReuse = iota
	// ReusePinned resumes the control connection's own session on every
	// data connection, ignoring tickets issued later; for servers that
	// insist the session match the control connection.
	ReusePinned
	// ReuseOff disables session tickets: every data connection does a full
	// handshake. Only for servers that fail on resumption.
	ReuseOff
)

func (s SessionReuse) String() string {
	switch s {
	case ReuseChain:
		return "chain"
	case ReusePinned:
		return "pinned"
	case ReuseOff:
		return "off"
	}
	return fmt.Sprintf("SessionReuse(%d)", int(s))
}

// tlsState is a Conn's TLS setup.
type tlsState struct {
	config   *tls.Config   // this connection's clone
	sessions *sessionStore // its own session cache; nil under ReuseOff
	active   bool          // the control connection is encrypted
	protP    bool          // data connections are encrypted (PROT P)
}

// tlsConfig builds the connection's own tls.Config. ServerName is always
// set, even for an IP literal or with verification off: crypto/tls keys its
// session cache by ServerName, else by the remote address, which differs for
// every data connection, so nothing would ever be resumed.
func (c *Conn) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if c.d.TLSConfig != nil {
		cfg = c.d.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = c.host
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if c.d.SessionReuse == ReuseOff {
		cfg.SessionTicketsDisabled = true
		cfg.ClientSessionCache = nil
		return cfg
	}
	c.tls.sessions = &sessionStore{reuse: c.d.SessionReuse}
	cfg.ClientSessionCache = c.tls.sessions
	return cfg
}

// upgradeTLS runs the TLS handshake on the control connection. Bytes the
// server sent after its 234 and before the handshake would be plain text
// taken as if it were protected (a STARTTLS injection, CVE-2011-0411 in
// SMTP): they are refused.
func (c *Conn) upgradeTLS(ctx context.Context) error {
	if n := c.rr.buffered(); n > 0 {
		return c.fail(&ProtocolError{Cmd: "AUTH TLS", Msg: fmt.Sprintf("%d bytes of plain text after the 234 reply, before TLS", n)})
	}
	c.tls.config = c.tlsConfig()
	tc := tls.Client(&tailConn{Conn: c.tcp}, c.tls.config)
	hctx, cancel := context.WithTimeout(ctx, c.d.Timeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		c.traceTLS(ctx, tc.ConnectionState(), err)
		return c.fail(fmt.Errorf("ftp: TLS handshake with %s: %w", c.host, err))
	}
	c.setTransport(tc)
	c.tls.active = true
	c.traceTLS(ctx, tc.ConnectionState(), nil)
	return nil
}

// authTLS upgrades a plain control connection with AUTH TLS (RFC 4217).
func (c *Conn) authTLS(ctx context.Context) error {
	r, err := c.exchange(ctx, "AUTH TLS")
	if err != nil {
		return err
	}
	if c.d.TLS == TLSAuto && r.Class() == 5 {
		return nil
	}
	if r.Code != 234 {
		return fmt.Errorf("ftp: the server refused TLS (not falling back to plain text): %w",
			&Error{Code: r.Code, Msg: r.Message(), Cmd: "AUTH TLS"})
	}
	return c.upgradeTLS(ctx)
}

// protectData sets the data channel protection after login: PBSZ 0, then
// PROT P, or PROT C when Dialer.ClearData is set.
func (c *Conn) protectData(ctx context.Context) error {
	if _, err := c.cmd(ctx, 2, "PBSZ", "0"); err != nil {
		return err
	}
	return c.SetDataProtection(ctx, !c.d.ClearData)
}

// SetDataProtection sets whether data connections are encrypted (PROT P)
// or not (PROT C), on a TLS control connection. Login sets PROT P unless
// Dialer.ClearData is set.
func (c *Conn) SetDataProtection(ctx context.Context, private bool) error {
	if private == c.d.ClearData {
		c.dirty = true // not what the Dialer asked for: a Client must not reuse it
	}
	if !c.tls.active {
		return errors.New("ftp: PROT: the control connection is not TLS")
	}
	level := "C"
	if private {
		level = "P"
	}
	if _, err := c.cmd(ctx, 2, "PROT", level); err != nil {
		return err
	}
	c.tls.protP = private
	if c.tls.sessions != nil {
		// The control connection's tickets have arrived by now (a reply was
		// read after the handshake): from here on they are the control
		// connection's session that data connections fall back to.
		c.tls.sessions.pin()
	}
	return nil
}

// dataTLS runs the TLS handshake on a data connection, after the transfer
// command was sent (pyftpdlib drops data connections whose handshake comes
// first). It is always explicit, so that zero-byte uploads are handshaken too.
// hs records how it went, for the error if the server refuses the transfer.
func (c *Conn) dataTLS(ctx context.Context, conn net.Conn, timeout time.Duration, hs *dataHandshake) (net.Conn, error) {
	cfg := c.tls.config
	var view *dataSessions
	if c.tls.sessions != nil {
		// A view of the session cache of its own, so that this handshake
		// failing (the server refused the command and closed the data
		// connection, or the caller gave up) does not make crypto/tls
		// forget the session that every later data connection must resume.
		view = &dataSessions{store: c.tls.sessions}
		cfg = cfg.Clone()
		cfg.ClientSessionCache = view
	}
	tc := tls.Client(conn, cfg)
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := tc.HandshakeContext(hctx)
	if view != nil {
		hs.offered = view.offered != nil
		view.settle(err)
	}
	hs.done = true
	if err != nil {
		hs.err = err
		return nil, fmt.Errorf("ftp: data connection TLS handshake: %w", err)
	}
	st := tc.ConnectionState()
	hs.resumed = st.DidResume
	return tc, nil
}

// TLSConnectionState returns the control connection's TLS state, and false
// if it is not encrypted.
func (c *Conn) TLSConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.conn.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// ClearCommandChannel ends TLS on the control connection (CCC, RFC 2228 and
// RFC 4217 section 12.3) after logging in, for firewalls that must read the
// control connection to open data ports. Data connections keep the
// protection set by PROT. Both sides close TLS with close_notify and the
// session continues in plain text on the same TCP connection, so
// everything sent after it, including any later password, is readable on
// the network.
func (c *Conn) ClearCommandChannel(ctx context.Context) error {
	c.dirty = true
	tc, ok := c.conn.(*tls.Conn)
	if !ok {
		return errors.New("ftp: CCC: the control connection is not TLS")
	}
	if _, err := c.cmd(ctx, 2, "CCC"); err != nil {
		return err
	}
	if n := c.rr.buffered(); n > 0 {
		return c.fail(&ProtocolError{Cmd: "CCC", Msg: fmt.Sprintf("%d bytes after the reply to CCC, before TLS closed", n)})
	}
	err := guard(ctx, c.tcp, c.d.ReplyTimeout, func() error {
		if err := tc.CloseWrite(); err != nil {
			return err
		}
		// Read to the server's close_notify: TLS ends there and plain text
		// begins.
		n, err := io.Copy(io.Discard, tc)
		if err == nil && n > 0 {
			return fmt.Errorf("%d bytes of data before the server's close_notify", n)
		}
		return err
	})
	if err != nil {
		return c.fail(fmt.Errorf("ftp: CCC: closing TLS: %w", err))
	}
	c.setTransport(c.tcp)
	c.tls.active = false
	return nil
}
