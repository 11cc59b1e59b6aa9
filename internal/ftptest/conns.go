package ftptest

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"
)

// ctrlListener hands control connections to ftpserverlib and keeps track of
// them, so that Close can end sessions ftpserverlib's Stop leaves running.
type ctrlListener struct {
	net.Listener
	srv *Server
}

// Accept implements net.Listener. Listener errors are returned unwrapped:
// ftpserverlib recognises a closed listener by its *net.OpError.
func (l *ctrlListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		cc := &ctrlConn{Conn: c}
		if l.srv.trackCtrl(cc) {
			return cc, nil
		}
		// Close has begun: refuse politely instead of starting a session
		// nobody will end.
		_, _ = c.Write([]byte("421 Server shutting down.\r\n"))
		_ = c.Close()
	}
}

// ctrlConn is the raw TCP side of a control connection. Its type tells the
// TLS hooks a control handshake from a data handshake.
type ctrlConn struct {
	net.Conn
	mu   sync.Mutex
	sess *session  // set by ClientConnected, before any TLS handshake
	tls  *tls.Conn // implicit TLS: the layer ftpserverlib talks through
}

func (c *ctrlConn) session() *session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess
}

// passiveListener wraps the listener ftpserverlib opens for PASV/EPSV. When
// the server listens on a specific IP it replaces ftpserverlib's listener
// (bound to every interface) by one on that IP; the original stays open only
// because ftpserverlib sets its accept deadline on it.
type passiveListener struct {
	net.Listener              // the listener that accepts
	orig         net.Listener // ftpserverlib's listener when replaced, else nil
	srv          *Server
}

// Accept implements net.Listener.
func (l *passiveListener) Accept() (net.Conn, error) {
	if l.orig != nil {
		// ftpserverlib's deadline went to orig; apply the same bound here.
		if d, ok := l.Listener.(interface{ SetDeadline(time.Time) error }); ok {
			_ = d.SetDeadline(time.Now().Add(connectionTimeout))
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.srv.newDataConn(c, true), nil
}

// Close implements net.Listener.
func (l *passiveListener) Close() error {
	err := l.Listener.Close()
	if l.orig != nil {
		err = errors.Join(err, l.orig.Close())
	}
	return err
}

// dataConn is the raw TCP side of a passive data connection.
type dataConn struct {
	net.Conn
	rec  *dataRecord
	sess *session // owning control connection; nil if unknown
	once sync.Once
}

// Close implements net.Conn. It wakes stalled transfers of the owning
// session and applies Faults.ReplyDelay: ftpserverlib closes the data
// connection just before it writes the final reply.
func (c *dataConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		if c.sess != nil {
			c.sess.wakeStalls()
			c.sess.delayReply()
		}
	})
	return err
}
