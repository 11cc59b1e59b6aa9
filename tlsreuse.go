package ftp

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
)

// sessionStore is a Conn's TLS session cache, shared by its control
// connection and its data connections and by nobody else. It holds the
// control connection's session (the last one issued before PROT pins it)
// and, under ReuseChain, the most recent one issued since: servers issue
// tickets on data connections too.
//
// crypto/tls asks the cache to forget a session whenever a handshake that
// offered it fails, whatever the reason. A data connection's handshake
// fails for reasons that have nothing to do with the session: the server
// refused the transfer command (a missing file, a directory it cannot
// write) and closed the data connection it had not taken yet, or the client
// stopped waiting for it. Forgetting the control connection's session then
// sends every later data connection into a full handshake, which vsftpd
// (522, then it hangs up) and ProFTPD (425) refuse. So data connections see
// the store through a dataSessions view, and a session is forgotten only
// when the server itself refused the handshake with a TLS alert.
type sessionStore struct {
	mu      sync.Mutex
	reuse   SessionReuse // ReuseChain or ReusePinned
	pinned  bool         // the control connection's session is settled
	control *tls.ClientSessionState
	latest  *tls.ClientSessionState // ReuseChain: the most recent session
}

// Get returns the session a new handshake should offer.
func (s *sessionStore) Get(string) (*tls.ClientSessionState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.control
	if s.reuse == ReuseChain && s.latest != nil {
		cs = s.latest
	}
	return cs, cs != nil
}

// Put keeps a session a server issued. The control connection's own
// handshake never offers a session, so a nil (forget) from it is moot.
func (s *sessionStore) Put(_ string, cs *tls.ClientSessionState) {
	if cs == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.pinned || s.control == nil {
		s.control = cs
	}
	s.latest = cs
}

// pin freezes the control connection's session: later tickets, issued on
// data connections, no longer replace it.
func (s *sessionStore) pin() {
	s.mu.Lock()
	s.pinned = true
	s.mu.Unlock()
}

// forget drops a session the server refused to resume.
func (s *sessionStore) forget(cs *tls.ClientSessionState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.latest == cs {
		s.latest = nil
	}
	if s.control == cs {
		s.control = nil
	}
}

// dataSessions is one data connection's view of the Conn's sessionStore.
// Sessions issued on the data connection go to the store at once; a request
// to forget the session offered waits for settle, which alone knows why the
// handshake failed.
type dataSessions struct {
	store   *sessionStore
	offered *tls.ClientSessionState // what the handshake offered, if anything
}

func (v *dataSessions) Get(key string) (*tls.ClientSessionState, bool) {
	cs, ok := v.store.Get(key)
	v.offered = cs
	return cs, ok
}

func (v *dataSessions) Put(key string, cs *tls.ClientSessionState) {
	if cs != nil {
		v.store.Put(key, cs)
	}
}

// settle applies the outcome of the handshake: a session the server refused
// with a TLS alert is forgotten (a corrupted ticket would otherwise be
// offered forever); one lost to a closed, reset or abandoned connection is
// kept.
func (v *dataSessions) settle(err error) {
	var oe *net.OpError
	if err != nil && v.offered != nil && errors.As(err, &oe) && oe.Op == "remote error" {
		v.store.forget(v.offered)
	}
}

// dataHandshake is how a data connection's TLS handshake went, to explain
// a refusal of the transfer.
type dataHandshake struct {
	done    bool  // the handshake ended, either way
	offered bool  // a session was offered for resumption
	resumed bool  // the server resumed it
	err     error // why the handshake failed
}

// dataTLSError is a 522 or 425 refusal of a transfer under PROT P. It
// wraps the refusal and ErrDataTLSRefused, and its text says what the data
// connection's TLS handshake came to, so that the user is sent to
// Dialer.SessionReuse only when the session not being resumed is the cause.
type dataTLSError struct {
	refusal error // the *Error
	why     string
	cause   error // the handshake's failure, if any
}

func (e *dataTLSError) Error() string {
	return e.refusal.Error() + ": " + ErrDataTLSRefused.Error() + ": " + e.why
}

func (e *dataTLSError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.refusal, ErrDataTLSRefused, e.cause}
	}
	return []error{e.refusal, ErrDataTLSRefused}
}

// dataRefusal adds ErrDataTLSRefused, and what the data connection's TLS
// handshake came to, to a 522 or 425 under PROT P. hs may be nil when no
// data connection was attempted.
func (c *Conn) dataRefusal(err error, hs *dataHandshake) error {
	var fe *Error
	if !c.tls.protP || !errors.As(err, &fe) || (fe.Code != 522 && fe.Code != 425) {
		return err
	}
	e := &dataTLSError{refusal: err}
	switch {
	case hs == nil || !hs.done:
		e.why = "refused before the data connection's TLS handshake completed"
	case hs.err != nil:
		e.why, e.cause = "the data connection's TLS handshake failed: "+hs.err.Error(), hs.err
	case hs.resumed:
		e.why = "the data connection resumed the control connection's TLS session, so session reuse is not the cause"
	case c.d.SessionReuse == ReuseOff:
		e.why = "Dialer.SessionReuse is ReuseOff, so the data connection did not resume the control connection's TLS session, as servers such as vsftpd and ProFTPD require"
	case !hs.offered:
		e.why = "the server issued no TLS session the data connection could resume (crypto/tls resumes TLS 1.2 only from session tickets)"
	case c.d.SessionReuse == ReuseChain:
		e.why = "the server did not resume the most recent TLS session; if it requires the control connection's own session, set Dialer.SessionReuse to ReusePinned"
	default:
		e.why = "the server did not resume the control connection's TLS session"
	}
	return e
}
