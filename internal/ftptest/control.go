package ftptest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ctrlConn sits between a client's control connection and ftpserverlib and
// reads the FTP dialogue on its way through: the commands the client sends
// and the replies the server writes, in plain text. That is how the kit
// learns which control connection a passive port or a PORT address belongs
// to, fires HangupOn before the command runs, and hangs up before a reply.
//
// Over plain FTP it passes the bytes through, one complete line at a time.
// Under TLS (after AUTH TLS's 234, or from the start with implicit TLS) it
// terminates the client's TLS itself, with the server's configuration, and
// relays the plain text to ftpserverlib through a TLS connection of its own
// over an in-memory pipe: ftpserverlib insists on running a TLS handshake
// on the control connection and keeps the resulting *tls.Conn private, so
// the plain text is visible nowhere else.
type ctrlConn struct {
	net.Conn // the client's TCP connection: addresses, and what hangUp closes
	srv      *Server

	mu        sync.Mutex
	sess      *session
	sessReady chan struct{} // closed once sess is set

	lastCmd string // the verb of the last command passed on; guarded by mu

	// Plain text, read side (ftpserverlib's reading goroutine only): the
	// commands not yet handed on, and a partial command line.
	in      []byte
	partial []byte

	wmu     sync.Mutex // one writer to the client at a time; guards out
	out     []byte     // a partial reply line
	bridged atomic.Bool
	pipe    net.Conn  // under TLS: ftpserverlib's end of the pipe
	outer   *tls.Conn // under TLS: the client's TLS connection
}

// maxLine bounds a command line held back for reading; longer input is
// passed on unread (ftpserverlib refuses it anyway).
const maxLine = 8 << 10

func newCtrlConn(s *Server, c net.Conn, implicit bool) *ctrlConn {
	cc := &ctrlConn{Conn: c, srv: s, sessReady: make(chan struct{})}
	if implicit {
		cc.startTLS(nil)
	}
	return cc
}

func (c *ctrlConn) session() *session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess
}

func (c *ctrlConn) setSession(s *session) {
	c.mu.Lock()
	c.sess = s
	c.mu.Unlock()
	close(c.sessReady)
}

// waitSession returns the session, waiting for it if the connection has
// not been handed to ftpserverlib yet; nil if the server closes first.
func (c *ctrlConn) waitSession() *session {
	select {
	case <-c.sessReady:
		return c.session()
	case <-c.srv.done:
		return nil
	}
}

// Read implements net.Conn for ftpserverlib.
func (c *ctrlConn) Read(p []byte) (int, error) {
	if c.bridged.Load() {
		return c.pipe.Read(p)
	}
	for len(c.in) == 0 {
		if err := c.readCommands(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.in)
	c.in = c.in[n:]
	return n, nil
}

// readCommands reads from the client until at least one complete command
// line can be handed on (or the line is too long to hold back).
func (c *ctrlConn) readCommands() error {
	buf := make([]byte, 4096)
	n, err := c.Conn.Read(buf)
	c.partial = append(c.partial, buf[:n]...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		line := c.partial[:i+1]
		if c.command(string(line)) {
			c.in = append(c.in, line...)
		}
		c.partial = c.partial[i+1:]
	}
	if len(c.partial) > maxLine {
		c.in = append(c.in, c.partial...)
		c.partial = nil
	}
	if len(c.in) > 0 {
		return nil
	}
	return err
}

// command observes a command line from the client and reports whether it
// goes on to ftpserverlib.
func (c *ctrlConn) command(line string) bool {
	line = strings.TrimRight(line, "\r\n")
	verb, _, _ := strings.Cut(line, " ")
	c.mu.Lock()
	c.lastCmd = strings.ToUpper(verb)
	c.mu.Unlock()
	if sess := c.session(); sess != nil {
		return c.srv.observeCommand(sess, line)
	}
	return true
}

// Write implements net.Conn for ftpserverlib.
func (c *ctrlConn) Write(p []byte) (int, error) {
	if c.bridged.Load() {
		return c.pipe.Write(p)
	}
	// Transfers run on goroutines of their own: replies may be written
	// while a command is being read.
	c.wmu.Lock()
	upgrade, err := c.replies(p)
	if err != nil {
		c.wmu.Unlock()
		return 0, err
	}
	n, err := c.Conn.Write(p)
	c.wmu.Unlock()
	if err == nil && upgrade {
		c.startTLS(c.partial)
		c.partial = nil
	}
	return n, err
}

// errHungUp is what ftpserverlib gets for a reply written after the kit
// hung up the connection.
var errHungUp = errors.New("ftptest: control connection hung up")

// replies observes the reply lines in p. upgrade reports the 234 that
// answers AUTH: TLS starts after it.
func (c *ctrlConn) replies(p []byte) (upgrade bool, err error) {
	c.out = append(c.out, p...)
	for {
		i := bytes.IndexByte(c.out, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(c.out[:i]), "\r")
		c.out = c.out[i+1:]
		if !c.reply(line) {
			return false, errHungUp
		}
		c.mu.Lock()
		auth := c.lastCmd == "AUTH"
		c.mu.Unlock()
		upgrade = upgrade || (auth && strings.HasPrefix(line, "234 "))
	}
	return upgrade, nil
}

// reply observes a reply line and reports whether it may go to the client.
func (c *ctrlConn) reply(line string) bool {
	if sess := c.session(); sess != nil {
		return c.srv.observeReply(sess, line)
	}
	return true
}

// startTLS terminates the client's TLS and starts relaying; early holds
// bytes the client sent after AUTH TLS (the start of its handshake).
func (c *ctrlConn) startTLS(early []byte) {
	var raw net.Conn = &clientSide{Conn: c.Conn, ctrl: c}
	if len(early) > 0 {
		raw = &clientSide{Conn: c.Conn, ctrl: c, early: early}
	}
	c.outer = tls.Server(raw, c.srv.tlsConfig.Load())
	ours, theirs := net.Pipe()
	c.pipe = theirs
	// The peer is ftpserverlib in this process, over an in-memory pipe:
	// there is nothing to verify.
	inner := tls.Client(ours, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec
	c.bridged.Store(true)
	c.srv.relays.Add(2)
	go c.fromClient(inner)
	go c.fromServer(inner)
}

// fromClient relays commands from the client to ftpserverlib.
func (c *ctrlConn) fromClient(inner *tls.Conn) {
	defer c.srv.relays.Done()
	defer inner.Close()
	r := bufio.NewReaderSize(c.outer, maxLine)
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 0 && (err != nil || c.command(string(line))) {
			if _, werr := inner.Write(line); werr != nil {
				return
			}
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// fromServer relays replies from ftpserverlib to the client.
func (c *ctrlConn) fromServer(inner *tls.Conn) {
	defer c.srv.relays.Done()
	defer c.Conn.Close()
	r := bufio.NewReaderSize(inner, maxLine)
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 0 {
			if !c.reply(strings.TrimRight(string(line), "\r\n")) {
				return
			}
			c.wmu.Lock()
			_, werr := c.outer.Write(line)
			c.wmu.Unlock()
			if werr != nil {
				return
			}
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			if errors.Is(err, io.EOF) {
				c.wmu.Lock()
				_ = c.outer.Close() // close_notify, as ftpserverlib would send
				c.wmu.Unlock()
			}
			return
		}
	}
}

// inject writes a reply line to the client outside ftpserverlib.
func (c *ctrlConn) inject(line string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var w io.Writer = c.Conn
	if c.bridged.Load() {
		w = c.outer
	}
	_, _ = io.WriteString(w, line+"\r\n")
}

// hangUp closes the client's connection; ftpserverlib then ends the session
// as if the client had gone.
func (c *ctrlConn) hangUp() { _ = c.Conn.Close() }

// Close implements net.Conn for ftpserverlib. Under TLS the replies still
// in the relay go out first, within a second.
func (c *ctrlConn) Close() error {
	if c.bridged.Load() {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
		return c.pipe.Close()
	}
	return c.Conn.Close()
}

// SetDeadline, SetReadDeadline and SetWriteDeadline implement net.Conn for
// ftpserverlib, whose idle timeout applies to its side of the relay.
func (c *ctrlConn) SetDeadline(t time.Time) error {
	if c.bridged.Load() {
		return c.pipe.SetDeadline(t)
	}
	return c.Conn.SetDeadline(t)
}

// SetReadDeadline implements net.Conn.
func (c *ctrlConn) SetReadDeadline(t time.Time) error {
	if c.bridged.Load() {
		return c.pipe.SetReadDeadline(t)
	}
	return c.Conn.SetReadDeadline(t)
}

// SetWriteDeadline implements net.Conn.
func (c *ctrlConn) SetWriteDeadline(t time.Time) error {
	if c.bridged.Load() {
		return c.pipe.SetWriteDeadline(t)
	}
	return c.Conn.SetWriteDeadline(t)
}

// clientSide is the client's TCP connection as the kit's TLS server sees
// it: its type marks the handshake as the client's control handshake, and
// early holds bytes already read from it.
type clientSide struct {
	net.Conn
	ctrl  *ctrlConn
	early []byte
}

// Read implements net.Conn.
func (c *clientSide) Read(p []byte) (int, error) {
	if len(c.early) > 0 {
		n := copy(p, c.early)
		c.early = c.early[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
