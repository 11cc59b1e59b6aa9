package server

import (
	"crypto/tls"
	"errors"
	"net"
	"time"
)

// control is an accepted control connection waiting for its session.
type control struct {
	conn net.Conn // as Hooks.Control returned it
}

// ctrlListener hands control connections to ftpserverlib and keeps track of
// them, so that Close can end sessions ftpserverlib's Stop leaves running.
// Under implicit TLS it starts TLS itself, so that Hooks.Control sees the
// raw connection.
type ctrlListener struct {
	net.Listener
	srv *Server
}

// Accept implements net.Listener. Listener errors are returned unwrapped:
// ftpserverlib recognises a closed listener by its *net.OpError.
func (l *ctrlListener) Accept() (net.Conn, error) {
	s := l.srv
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ctl := &control{conn: c}
		if s.hooks.Control != nil {
			ctl.conn = s.hooks.Control(c)
		}
		if s.track(ctl) {
			if s.opts.TLS == TLSImplicit {
				return tls.Server(ctl.conn, s.tlsRoot), nil
			}
			return ctl.conn, nil
		}
		// Close has begun: refuse politely instead of starting a session
		// nobody will end.
		_, _ = c.Write([]byte("421 Server shutting down.\r\n"))
		_ = c.Close()
	}
}

// track registers a new control connection; false means Close has begun.
func (s *Server) track(c *control) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.pending[c.conn.RemoteAddr().String()] = c
	s.ctrlTotal++
	s.handlers.Add(1)
	return true
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
	if l.srv.hooks.PassiveConn != nil {
		return l.srv.hooks.PassiveConn(c), nil
	}
	return c, nil
}

// Close implements net.Listener.
func (l *passiveListener) Close() error {
	err := l.Listener.Close()
	if l.orig != nil {
		err = errors.Join(err, l.orig.Close())
	}
	return err
}
