package ftptest

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"errors"
)

// Session tickets carry a tag in tls.SessionState.Extra naming the control
// connection whose chain issued them and whether they were issued on the
// control connection itself or on one of its data connections. A ticket from
// another control connection, or from another Server (different ticket
// keys), therefore never passes RequireSessionReuse.
var ticketTagPrefix = []byte("ferry-ftptest-chain/1:")

const (
	originControl byte = 'c'
	originData    byte = 'd'
)

func ticketTag(chain uint32, origin byte) []byte {
	tag := make([]byte, 0, len(ticketTagPrefix)+5)
	tag = append(tag, ticketTagPrefix...)
	tag = binary.BigEndian.AppendUint32(tag, chain)
	return append(tag, origin)
}

// withTag replaces any earlier tag in extra by a fresh one.
func withTag(extra [][]byte, chain uint32, origin byte) [][]byte {
	out := make([][]byte, 0, len(extra)+1)
	for _, e := range extra {
		if !bytes.HasPrefix(e, ticketTagPrefix) {
			out = append(out, e)
		}
	}
	return append(out, ticketTag(chain, origin))
}

// parseTag returns the chain and origin of a ticket, or ok=false if it has
// no (valid) tag.
func parseTag(extra [][]byte) (chain uint32, origin byte, ok bool) {
	for _, e := range extra {
		rest, found := bytes.CutPrefix(e, ticketTagPrefix)
		if found && len(rest) == 5 {
			return binary.BigEndian.Uint32(rest), rest[4], true
		}
	}
	return 0, 0, false
}

// configForClient tells control from data handshakes by the connection type
// and returns a config whose hooks tag, check and record sessions.
func (s *Server) configForClient(base *tls.Config, hello *tls.ClientHelloInfo) (*tls.Config, error) {
	var (
		owner *session
		rec   *dataRecord
	)
	switch c := hello.Conn.(type) {
	case *clientSide:
		// The client's control handshake, which the kit terminates.
		cfg := base.Clone()
		cfg.WrapSession = func(cs tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
			var chain uint32
			if sess := c.ctrl.waitSession(); sess != nil {
				chain = sess.id
			}
			ss.Extra = withTag(ss.Extra, chain, originControl)
			return base.EncryptTicket(cs, ss)
		}
		return cfg, nil
	case *ctrlConn:
		// ftpserverlib's side of the relay (see ctrlConn): no tickets.
		cfg := base.Clone()
		cfg.SessionTicketsDisabled = true
		return cfg, nil
	case *dataConn:
		owner, rec = c.sess, c.rec
	default:
		// Active mode: ftpserverlib dialled the client's PORT/EPRT address.
		owner = s.activeOwner(hello.Conn.RemoteAddr())
		rec = s.addRecord(owner, false)
	}
	s.mu.Lock()
	rec.info.TLS = true
	s.mu.Unlock()
	return s.dataConfig(base, owner, rec), nil
}

// Errors behind a refused data-connection handshake; the client sees a TLS
// alert on the data connection and a 522 reply on the control connection.
var (
	errNoOwner     = errors.New("data connection matches no control connection")
	errNotResumed  = errors.New("TLS session of data connection not resumed")
	errWrongChain  = errors.New("resumed TLS session belongs to another control connection")
	errUntaggedTLS = errors.New("resumed TLS session was not issued by this server")
	errPoisoned    = errors.New("resumed TLS session was issued on a refused data connection")
)

func (s *Server) dataConfig(base *tls.Config, owner *session, rec *dataRecord) *tls.Config {
	cfg := base.Clone()
	var (
		ownerID   uint32
		chain     uint32
		origin    byte
		tagged    bool
		refusal   error
		evaluated bool
	)
	if owner != nil {
		ownerID = owner.id
	}
	// UnwrapSession, WrapSession and VerifyConnection all run on the
	// handshake's goroutine, so the closure state needs no lock.
	cfg.UnwrapSession = func(identity []byte, cs tls.ConnectionState) (*tls.SessionState, error) {
		ss, err := base.DecryptTicket(identity, cs)
		if err != nil || ss == nil {
			return ss, err
		}
		chain, origin, tagged = parseTag(ss.Extra)
		return ss, nil
	}
	check := func(cs tls.ConnectionState) error {
		if !evaluated {
			evaluated = true
			refusal = s.reuseRefusal(cs, owner, chain, tagged)
		}
		return refusal
	}
	cfg.WrapSession = func(cs tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
		// TLS 1.3 sends tickets before VerifyConnection runs; a ticket from
		// a connection about to be refused must not join the chain.
		tagChain := ownerID
		if check(cs) != nil {
			tagChain = 0
		}
		ss.Extra = withTag(ss.Extra, tagChain, originData)
		return base.EncryptTicket(cs, ss)
	}
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		err := check(cs)
		info := DataConnInfo{Version: cs.Version, DidResume: cs.DidResume}
		if cs.DidResume && tagged {
			info.ResumedFrom = chain
			info.ResumedFromData = origin == originData
		}
		if err != nil {
			info.Refused, info.Reason = true, err.Error()
		}
		s.finishRecord(rec, info)
		if err != nil && owner != nil {
			owner.replyThenHangUp("522 SSL connection failed: session reuse required")
		}
		return err
	}
	return cfg
}

// reuseRefusal applies RequireSessionReuse to a finished data handshake.
func (s *Server) reuseRefusal(cs tls.ConnectionState, owner *session, chain uint32, tagged bool) error {
	switch {
	case !s.requireReuse:
		return nil
	case owner == nil:
		return errNoOwner
	case !cs.DidResume:
		return errNotResumed
	case !tagged:
		return errUntaggedTLS
	case chain == 0:
		return errPoisoned
	case chain != owner.id:
		return errWrongChain
	}
	return nil
}
