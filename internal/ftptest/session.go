package ftptest

import (
	"net/netip"
	"sync"
	"time"

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

	mu            sync.Mutex
	wake          chan struct{}    // closed (and replaced) when a data connection closes
	ports         []int            // passive ports announced to this session
	actives       []netip.AddrPort // active-mode addresses announced by this session
	pendingHangup bool             // hang up before ftpserverlib's next reply
	hangupTimer   *time.Timer      // hangs up anyway if no reply comes
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

// inject writes one reply line outside ftpserverlib.
func (s *session) inject(line string) {
	if s.ctrl != nil {
		s.ctrl.inject(line)
	}
}

// hangUp closes the control connection under ftpserverlib, which then ends
// the session as if the client had gone.
func (s *session) hangUp() {
	s.mu.Lock()
	if s.hangupTimer != nil {
		s.hangupTimer.Stop()
	}
	s.pendingHangup = false
	s.mu.Unlock()
	if s.ctrl != nil {
		s.ctrl.hangUp()
	}
}

// replyAndHangUp sends a last reply and hangs up at once.
func (s *session) replyAndHangUp(line string) {
	s.inject(line)
	s.hangUp()
}

// replyThenHangUp sends a final reply now, so that it precedes
// ftpserverlib's own reply for the failed transfer, but hangs up only when
// ftpserverlib is about to send that reply (see observeReply). Hanging up at
// once would make ftpserverlib tear down the data connection early, before
// the TLS alert of a refused handshake, or the data already read from a
// file, has gone out. The timer covers a transfer that ends without a reply.
func (s *session) replyThenHangUp(line string) {
	s.inject(line)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pendingHangup {
		return
	}
	s.pendingHangup = true
	s.hangupTimer = time.AfterFunc(hangupGrace, s.hangUp)
}

// hangupGrace bounds how long replyThenHangUp waits for ftpserverlib's reply.
const hangupGrace = 2 * time.Second

// beforeReply runs just before a reply of ftpserverlib's goes to the
// client; false means the session was hung up instead.
func (s *session) beforeReply() bool {
	s.mu.Lock()
	pending := s.pendingHangup
	s.mu.Unlock()
	if pending {
		s.hangUp()
	}
	return !pending
}
