package ftptest

import (
	"crypto/tls"
	"io"
	"net/netip"
	"sync"

	ftpserver "github.com/fclairamb/ftpserverlib"
)

// session is the server's view of one control connection, from
// ClientConnected to ClientDisconnected.
type session struct {
	srv  *Server
	id   uint32 // ftpserverlib's client ID; also the TLS ticket chain tag
	cc   ftpserver.ClientContext
	ctrl *ctrlConn
	gone chan struct{} // closed when the control connection ends

	mu      sync.Mutex
	ctrlTLS *tls.Conn        // the control connection's TLS layer, once known
	tlsUp   bool             // a control TLS handshake has started
	wake    chan struct{}    // closed (and replaced) when a data connection closes
	ports   []int            // passive ports announced to this session
	actives []netip.AddrPort // active-mode addresses announced by this session
}

func newSession(srv *Server, cc ftpserver.ClientContext, ctrl *ctrlConn) *session {
	return &session{
		srv:  srv,
		id:   cc.ID(),
		cc:   cc,
		ctrl: ctrl,
		gone: make(chan struct{}),
		wake: make(chan struct{}),
	}
}

// wakeStalls releases transfers of this session stalled by a Stall fault.
func (s *session) wakeStalls() {
	s.mu.Lock()
	close(s.wake)
	s.wake = make(chan struct{})
	s.mu.Unlock()
}

// setControlTLS records the control connection's TLS layer so that injected
// replies can be written through it.
func (s *session) setControlTLS(c *tls.Conn) {
	s.mu.Lock()
	s.ctrlTLS = c
	s.tlsUp = true
	s.mu.Unlock()
}

func (s *session) markTLSStarted() {
	s.mu.Lock()
	s.tlsUp = true
	s.mu.Unlock()
}

// replyAndHangUp writes one reply line outside ftpserverlib and closes the
// control connection, as vsftpd does after a refused data connection. When
// the control connection is mid-way into TLS and its *tls.Conn is not known
// yet (AUTH done, USER not yet sent), it only hangs up.
func (s *session) replyAndHangUp(line string) {
	s.mu.Lock()
	var w io.Writer
	switch {
	case s.ctrlTLS != nil:
		w = s.ctrlTLS
	case !s.tlsUp && s.ctrl != nil:
		w = s.ctrl.Conn
	}
	s.mu.Unlock()
	if w != nil {
		_, _ = io.WriteString(w, line+"\r\n")
	}
	if s.ctrl != nil {
		_ = s.ctrl.Conn.Close()
	}
}
