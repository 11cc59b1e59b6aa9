package fakeftp

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"time"
)

// StartTLS makes the fake the TLS server of the control connection, as after
// "AUTH TLS" and a 234 reply (which the script sends itself, so that it can
// also send a hostile one, or bytes after it). The handshake must finish
// within the timeout. Use the same config for StartTLS and DataTLS so that
// the client can resume its session on data connections.
func StartTLS(config *tls.Config) Step {
	return step("StartTLS()", func(ss *session) error {
		if !ss.alive {
			return errControlClosed
		}
		// A client may send its ClientHello before reading the 234; those
		// bytes may already sit in the line buffer and belong to TLS.
		early, _ := ss.r.Peek(ss.r.Buffered())
		raw := &earlyConn{Conn: ss.conn, r: io.MultiReader(bytes.NewReader(bytes.Clone(early)), ss.conn)}
		tc := tls.Server(raw, config)
		tc.SetDeadline(ss.deadline())
		if err := tc.Handshake(); err != nil {
			return fmt.Errorf("control TLS handshake: %w", err)
		}
		tc.SetDeadline(time.Time{})
		ss.conn, ss.r = tc, bufio.NewReader(tc)
		return nil
	})
}

// DataTLS makes the fake the TLS server of every later data connection, as
// after "PROT P"; a nil config turns TLS off again, as after "PROT C". The
// handshake happens as soon as the data connection is taken by a data step,
// so even an empty transfer is a complete TLS session. See Server.DataTLS
// for what was negotiated.
func DataTLS(config *tls.Config) Step {
	return step("DataTLS()", func(ss *session) error {
		ss.dataTLS = config
		return nil
	})
}

// secure runs the TLS handshake on a new data connection when DataTLS is on.
func (ss *session) secure(d *dataConn) error {
	if ss.dataTLS == nil {
		return nil
	}
	tc := tls.Server(d.Conn, ss.dataTLS)
	tc.SetDeadline(ss.deadline())
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("data TLS handshake: %w", err)
	}
	tc.SetDeadline(time.Time{})
	d.Conn = tc
	ss.srv.setDataTLS(d.upload, tc.ConnectionState())
	return nil
}

// DataTLS returns the TLS state of data connection i (numbered as in
// Uploaded), and false if that connection did not use TLS. DidResume tells
// whether the client resumed its TLS session, which vsftpd and ProFTPD
// require.
func (s *Server) DataTLS(i int) (tls.ConnectionState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.dataTLS[i]
	return st, ok
}

func (s *Server) setDataTLS(i int, st tls.ConnectionState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dataTLS == nil {
		s.dataTLS = make(map[int]tls.ConnectionState)
	}
	s.dataTLS[i] = st
}

// earlyConn is a net.Conn whose reads start with bytes already buffered.
type earlyConn struct {
	net.Conn
	r io.Reader
}

func (c *earlyConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// NetConn returns the underlying connection, for reset.
func (c *earlyConn) NetConn() net.Conn { return c.Conn }
