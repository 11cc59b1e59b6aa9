package ftptest

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	ftpserver "github.com/fclairamb/ftpserverlib"
	"github.com/spf13/afero"

	"github.com/ferryftp/ftp/internal/server"
)

// Server is a running in-process FTP server: the embedded server of package
// server, with the kit's hooks installed. Its methods are safe for
// concurrent use.
type Server struct {
	*server.Server

	requireReuse bool
	tlsConfig    atomic.Pointer[tls.Config] // the server's, for the kit's TLS end of control connections
	relays       sync.WaitGroup             // control connection relays (see ctrlConn)

	faults    atomic.Pointer[faultState]
	done      chan struct{} // closed when Close starts
	closeOnce sync.Once
	closeErr  error

	mu       sync.Mutex
	sessions map[uint32]*session
	passive  map[int]*session
	active   map[netip.AddrPort]*session
	records  []*dataRecord
	refused  int
}

// Start starts a server as described by opts and returns once it accepts
// connections. Invalid options give an *OptionsError; Close releases
// everything Start acquired.
func Start(opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		requireReuse: opts.RequireSessionReuse,
		done:         make(chan struct{}),
		sessions:     make(map[uint32]*session),
		passive:      make(map[int]*session),
		active:       make(map[netip.AddrPort]*session),
	}
	if err := s.SetFaults(opts.Faults); err != nil {
		return nil, err
	}
	so := opts.serverOptions()
	so.Logger = opts.Logger
	implicit := opts.TLS == TLSImplicit
	so.Hooks = &server.Hooks{
		Control:      func(c net.Conn) net.Conn { return newCtrlConn(s, c, implicit) },
		Connected:    s.connected,
		Disconnected: s.disconnected,
		TLSConfig:    s.configForClient,
		PassiveConn:  func(c net.Conn) net.Conn { return s.newDataConn(c, true) },
		File:         s.wrapFile,
	}
	srv, err := server.Start(so)
	if err != nil {
		return nil, err
	}
	s.Server = srv
	s.tlsConfig.Store(srv.TLSConfig())
	return s, nil
}

// Close stops the server: it releases stalled transfers, ends every session
// and waits for them. It is safe to call more than once; later calls return
// the first call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		if err := s.Server.Close(); err != nil {
			s.closeErr = fmt.Errorf("ftptest: %w", err)
		}
		s.relays.Wait()
	})
	return s.closeErr
}

// connected starts the kit's view of a session.
func (s *Server) connected(cc ftpserver.ClientContext, control net.Conn) {
	ctrl, _ := control.(*ctrlConn)
	sess := newSession(s, cc, ctrl)
	s.mu.Lock()
	s.sessions[sess.id] = sess
	s.mu.Unlock()
	if ctrl != nil {
		ctrl.setSession(sess)
	}
}

// disconnected ends it: its ports and addresses are forgotten, and its
// stalled transfers released.
func (s *Server) disconnected(cc ftpserver.ClientContext) {
	s.mu.Lock()
	sess := s.sessions[cc.ID()]
	delete(s.sessions, cc.ID())
	if sess != nil {
		for _, p := range sess.ports {
			if s.passive[p] == sess {
				delete(s.passive, p)
			}
		}
		for _, a := range sess.actives {
			if s.active[a] == sess {
				delete(s.active, a)
			}
		}
	}
	s.mu.Unlock()
	if sess != nil {
		close(sess.gone)
		sess.mu.Lock()
		if sess.hangupTimer != nil {
			sess.hangupTimer.Stop()
		}
		sess.mu.Unlock()
	}
}

// wrapFile applies the transfer faults to files opened by RETR, STOR and
// APPE. HASH and friends open files through the same call; only transfers
// are meant to be disturbed.
func (s *Server) wrapFile(cc ftpserver.ClientContext, f afero.File) afero.File {
	st := s.faults.Load()
	sess := s.session(cc.ID())
	if st.Transfer == NoFault || sess == nil {
		return f
	}
	switch cc.GetLastCommand() {
	case "RETR", "STOR", "APPE":
		return &faultFile{File: f, sess: sess, faults: st.Faults}
	}
	return f
}
