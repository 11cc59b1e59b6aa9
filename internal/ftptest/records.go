package ftptest

import (
	"net"
	"net/netip"
)

// DataConnInfo describes one data connection, for assertions.
//
// Passive connections are recorded when accepted; active (PORT/EPRT)
// connections only when they use TLS, since ftpserverlib dials them without
// a hook.
type DataConnInfo struct {
	// Control identifies the owning control connection: 1 for the first the
	// server accepted, 2 for the next, and so on; 0 if unknown.
	Control uint32
	// Command is the command that opened the connection (RETR, LIST, ...).
	Command string
	// Passive is true for PASV/EPSV connections, false for PORT/EPRT.
	Passive bool

	// TLS is true when the connection started a TLS handshake.
	TLS bool
	// Version is the negotiated TLS version (0 if the handshake failed
	// before completing).
	Version uint16
	// DidResume reports whether the handshake resumed an earlier session.
	DidResume bool
	// ResumedFrom is the control connection on whose chain the resumed
	// session was issued (0 if not resumed or not issued by this server).
	ResumedFrom uint32
	// ResumedFromData is true when the resumed session was issued on an
	// earlier data connection (a "chain" client) rather than on the control
	// connection itself (a "pinned" client).
	ResumedFromData bool

	// Refused is true when RequireSessionReuse rejected the connection;
	// Reason says why.
	Refused bool
	Reason  string
}

// dataRecord is a DataConnInfo being filled in; guarded by Server.mu.
type dataRecord struct{ info DataConnInfo }

func (s *Server) addRecord(owner *session, passive bool) *dataRecord {
	rec := &dataRecord{info: DataConnInfo{Passive: passive}}
	if owner != nil {
		rec.info.Control = owner.id
		rec.info.Command = owner.cc.GetLastCommand()
	}
	s.mu.Lock()
	s.records = append(s.records, rec)
	s.mu.Unlock()
	return rec
}

// finishRecord stores the outcome of a data handshake.
func (s *Server) finishRecord(rec *dataRecord, out DataConnInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := &rec.info
	in.Version, in.DidResume = out.Version, out.DidResume
	in.ResumedFrom, in.ResumedFromData = out.ResumedFrom, out.ResumedFromData
	in.Refused, in.Reason = out.Refused, out.Reason
	if out.Refused {
		s.refused++
	}
}

// DataConns returns a snapshot of every data connection so far, oldest first.
func (s *Server) DataConns() []DataConnInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]DataConnInfo, len(s.records))
	for i, r := range s.records {
		out[i] = r.info
	}
	return out
}

// RefusedDataConns returns how many data connections RequireSessionReuse
// has refused.
func (s *Server) RefusedDataConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

func (s *Server) session(id uint32) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[id]
}

func (s *Server) announcePassive(sess *session, port int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.passive[port] = sess
	sess.ports = append(sess.ports, port)
}

func (s *Server) announceActive(sess *session, ap netip.AddrPort) {
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active[ap] = sess
	sess.actives = append(sess.actives, ap)
}

func (s *Server) activeOwner(remote net.Addr) *session {
	ap, err := netip.ParseAddrPort(remote.String())
	if err != nil {
		return nil
	}
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active[ap]
}

// newDataConn wraps an accepted passive data connection, attributing it to
// the session that was told its port.
func (s *Server) newDataConn(c net.Conn, passive bool) *dataConn {
	var owner *session
	if ap, err := netip.ParseAddrPort(c.LocalAddr().String()); err == nil {
		s.mu.Lock()
		owner = s.passive[int(ap.Port())]
		s.mu.Unlock()
	}
	return &dataConn{Conn: c, rec: s.addRecord(owner, passive), sess: owner}
}
