package ftp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"
)

// Defaults used where a Dialer field is zero.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultReplyTimeout = 60 * time.Second
	DefaultDataTimeout  = 60 * time.Second
	DefaultAbortTimeout = 5 * time.Second
)

// Dialer holds the settings for opening a control connection. Its zero value
// dials plain FTP in passive mode (EPSV, falling back to PASV) with the
// default timeouts. A Dialer may be used by several goroutines at once and
// is copied into each Conn it makes, so changing it later does not affect
// open connections.
type Dialer struct {
	// Timeout bounds connecting and reading the greeting (and, with TLS, the
	// handshake). Zero means DefaultTimeout. The context's deadline, if
	// sooner, wins.
	Timeout time.Duration

	// ReplyTimeout bounds the wait for each reply on the control connection,
	// including the final reply after a transfer. Zero means
	// DefaultReplyTimeout.
	ReplyTimeout time.Duration

	// DataTimeout bounds opening a data connection and each wait for data on
	// it: a transfer that makes no progress for this long fails (within an
	// eighth more: the deadline is moved only now and then, not on every
	// call). Zero means DefaultDataTimeout.
	DataTimeout time.Duration

	// BufferSize is the size of each read and write on a data connection
	// (Download.WriteTo, Store). Zero means DefaultBufferSize (256 KiB),
	// which keeps the per-call cost small beside the copy on fast links; a
	// smaller size saves memory when many transfers run at once. A plain
	// upload from an *os.File uses sendfile, in chunks of this size. Over
	// TLS, where a read returns at most one 16 KiB record, buffers are at
	// most 32 KiB.
	//
	// A write that outlasts DataTimeout while moving data is not idle: on a
	// plain connection it goes on. A TLS write cannot be resumed, so over
	// TLS DataTimeout must exceed the time 32 KiB takes on the slowest link
	// expected.
	BufferSize int

	// AbortTimeout bounds the ABOR exchange that follows a cancelled or
	// abandoned transfer; a server that does not answer in time gets its
	// connection closed. Zero means DefaultAbortTimeout.
	AbortTimeout time.Duration

	// DialContext, if set, opens the TCP connections (control and passive
	// data), for example through a SOCKS proxy. Active mode listens locally
	// and does not use it.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// LocalAddr is the local address for the control connection and passive
	// data connections. Only its IP is used for data connections, so that a
	// fixed port does not collide (ftplib binds the same port twice).
	LocalAddr net.Addr

	// Trace receives the hooks of every call on the Conn: commands,
	// replies, raw lines, TLS handshakes, data connections, transfers. A
	// Trace attached to a call's context with WithTrace is called too.
	Trace *Trace

	// Logger, if set, receives the protocol trace through SlogTrace: each
	// command and reply at slog.LevelDebug, and each raw line at
	// LevelTrace, in addition to Trace. PASS and ACCT arguments are always
	// masked. Nil logs nothing.
	Logger *slog.Logger

	// Active selects active mode: the client listens and the server
	// connects to it (EPRT, falling back to PORT). Needed for servers whose
	// passive ports are firewalled; it fails behind NAT.
	Active bool

	// DisableEPSV makes passive mode use PASV only and active mode PORT only.
	// Some firewalls and old servers mishandle EPSV/EPRT; the client also
	// falls back by itself when the server rejects them.
	DisableEPSV bool

	// TrustPASVAddress makes passive mode connect to the IP address in the
	// server's 227 reply. By default that address is ignored and the data
	// connection goes to the control connection's peer: the address is often
	// a private one behind NAT, and trusting it lets a hostile server aim the
	// client at another host (CVE-2021-4189).
	TrustPASVAddress bool

	// MaxLineLength and MaxReplySize bound a control-connection line and a
	// whole reply, in bytes. Zero means DefaultMaxLineLength and
	// DefaultMaxReplySize. Longer input is a *ProtocolError.
	MaxLineLength int
	MaxReplySize  int

	// DisableUTF8 stops Login from sending "OPTS UTF8 ON" when the server
	// lists UTF8 in FEAT (RFC 2640).
	DisableUTF8 bool

	// DisableMLSD makes ReadDir use LIST even when the server offers MLSD,
	// for servers whose MLSD output is wrong (wrong owner names in ProFTPD
	// chroots, say).
	DisableMLSD bool

	// ListHidden makes ReadDir's LIST include hidden files ("LIST -a"), for
	// Unix servers that hide dot files by default (vsftpd, ProFTPD,
	// Pure-FTPd). A server that refuses the option (pyftpdlib) gets plain
	// LIST. MLSD lists everything anyway.
	ListHidden bool

	// ServerLocation is the time zone in which the server's LIST times are
	// given, nil meaning UTC. MLSD and MDTM times are always UTC.
	ServerLocation *time.Location

	// TLS selects FTPS: TLSNone (plain FTP), TLSExplicit (AUTH TLS on the
	// usual port), TLSImplicit (TLS from the first byte, port 990) or
	// TLSAuto (AUTH TLS, plain text if the server has no TLS).
	TLS TLSMode

	// TLSConfig is cloned for each connection. Nil means a default config
	// that verifies the server's certificate against the system roots.
	// ServerName is always set, from the address dialled if empty, because
	// session resumption depends on it. Verification is skipped only if the
	// caller sets InsecureSkipVerify, by name.
	//
	// Set MaxVersion to tls.VersionTLS12 for servers whose TLS 1.3 is
	// broken or cannot resume: ProFTPD before 1.3.7 (fixed by its PRs 930
	// and 972), Pure-FTPd, which issues no TLS 1.3 session tickets (fine
	// unless reuse is required), and builds rclone documents as needing its
	// disable_tls13 option. Note that crypto/tls resumes TLS 1.2 sessions
	// only from tickets, so a TLS-1.2-only server without tickets that
	// requires reuse cannot be satisfied (golang/go#25228).
	TLSConfig *tls.Config

	// ClearData leaves data connections unencrypted under TLS (PROT C), for
	// servers or networks that need it; the control connection stays
	// encrypted. The default is PROT P.
	ClearData bool

	// SessionReuse selects how data connections resume the control
	// connection's TLS session; servers such as vsftpd and ProFTPD refuse
	// data connections that do not. The zero value is ReuseChain.
	SessionReuse SessionReuse
}

// Dial connects to addr with the zero Dialer. See Dialer.Dial.
func Dial(ctx context.Context, addr string) (*Conn, error) {
	var d Dialer
	return d.Dial(ctx, addr)
}

// Dial connects to addr ("host", "host:port", "[ipv6]:port") and reads the
// server's greeting. A 120 greeting ("ready in N minutes") is followed by
// waiting for the 220; a 421 or any other refusal is an *Error. With
// TLSExplicit the connection is upgraded with AUTH TLS before Dial returns;
// with TLSImplicit the default port is 990, else 21.
func (d *Dialer) Dial(ctx context.Context, addr string) (*Conn, error) {
	cfg := d.withDefaults()
	port := "21"
	if cfg.TLS == TLSImplicit {
		port = "990"
	}
	host, hostport, err := splitAddr(addr, port)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	raw, err := cfg.dial(ctx, "tcp", hostport)
	if err != nil {
		return nil, fmt.Errorf("ftp: dial %s: %w", hostport, err)
	}
	c := newConn(cfg, host, raw)
	if err := c.start(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (d *Dialer) withDefaults() Dialer {
	cfg := *d
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ReplyTimeout <= 0 {
		cfg.ReplyTimeout = DefaultReplyTimeout
	}
	if cfg.DataTimeout <= 0 {
		cfg.DataTimeout = DefaultDataTimeout
	}
	if cfg.AbortTimeout <= 0 {
		cfg.AbortTimeout = DefaultAbortTimeout
	}
	if cfg.BufferSize <= 0 {
		cfg.BufferSize = DefaultBufferSize
	}
	if cfg.MaxLineLength <= 0 {
		cfg.MaxLineLength = DefaultMaxLineLength
	}
	if cfg.MaxReplySize <= 0 {
		cfg.MaxReplySize = DefaultMaxReplySize
	}
	return cfg
}

func (d *Dialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if d.DialContext != nil {
		return d.DialContext(ctx, network, addr)
	}
	nd := net.Dialer{LocalAddr: d.LocalAddr}
	return nd.DialContext(ctx, network, addr)
}

// splitAddr returns the host (for TLS ServerName) and host:port to dial.
func splitAddr(addr, defaultPort string) (host, hostport string, err error) {
	if err := checkArg("dial", addr); err != nil {
		return "", "", err
	}
	if addr == "" {
		return "", "", errors.New("ftp: dial: empty address")
	}
	if ip := net.ParseIP(strings.Trim(addr, "[]")); ip != nil {
		return ip.String(), net.JoinHostPort(ip.String(), defaultPort), nil
	}
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) && strings.Contains(ae.Err, "missing port") {
			return addr, net.JoinHostPort(addr, defaultPort), nil
		}
		return "", "", fmt.Errorf("ftp: dial: bad address %q: %w", addr, err)
	}
	if p == "" {
		p = defaultPort
	}
	return h, net.JoinHostPort(h, p), nil
}

// start reads the greeting and sets up TLS as configured.
func (c *Conn) start(ctx context.Context) error {
	if c.d.TLS == TLSImplicit {
		if err := c.upgradeTLS(ctx); err != nil {
			return err
		}
	}
	if err := c.readGreeting(ctx); err != nil {
		return err
	}
	if c.d.TLS == TLSExplicit || c.d.TLS == TLSAuto {
		return c.authTLS(ctx)
	}
	return nil
}

// maxPreliminaryGreetings bounds how many 120 replies are waited through.
const maxPreliminaryGreetings = 10

func (c *Conn) readGreeting(ctx context.Context) error {
	for i := 0; ; i++ {
		r, err := c.readReply(ctx, "", c.d.Timeout)
		if err != nil {
			return err
		}
		switch {
		case r.Code == 220:
			c.welcome = r
			return nil
		case r.Code == 120 && i < maxPreliminaryGreetings:
			// "Service ready in nnn minutes": the 220 follows. ftplib returns
			// here and reads the 220 as the answer to USER (gh-78549).
			continue
		case r.Class() == 4 || r.Class() == 5:
			return &Error{Code: r.Code, Msg: r.Message()}
		default:
			return &UnexpectedReplyError{Cmd: "greeting", Reply: r, Want: "220"}
		}
	}
}

// newConn wraps a connected control connection.
func newConn(cfg Dialer, host string, raw net.Conn) *Conn {
	c := &Conn{d: cfg, host: host, tcp: raw, trace: composeTraces(cfg.Trace, SlogTrace(cfg.Logger))}
	c.setTransport(raw)
	return c
}

// setTransport points the reader and writer at conn (the TCP connection, or
// TLS over it).
func (c *Conn) setTransport(conn net.Conn) {
	c.conn = conn
	c.rr = newReplyReader(conn, c.d.MaxLineLength, c.d.MaxReplySize)
	c.rr.onLine = c.traceRecv
	c.w = bufio.NewWriter(conn)
}
