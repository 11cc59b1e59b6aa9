package ftptest

import (
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"net"

	ftpserver "github.com/fclairamb/ftpserverlib"
)

// driver implements ftpserverlib's MainDriver and the extensions the
// server relies on: MainDriverExtensionTLSVerifier (to learn the control
// connection's *tls.Conn) and MainDriverExtensionPassiveWrapper (to bind
// passive listeners to the server's IP and see data connections arrive).
type driver struct{ s *Server }

var (
	_ ftpserver.MainDriver                        = (*driver)(nil)
	_ ftpserver.MainDriverExtensionTLSVerifier    = (*driver)(nil)
	_ ftpserver.MainDriverExtensionPassiveWrapper = (*driver)(nil)
)

// Login errors, shown to the client in the 530 reply.
var (
	errBadLogin   = errors.New("wrong user name or password")
	errTLSMissing = errors.New("TLS is not enabled on this server")
)

// GetSettings implements ftpserver.MainDriver.
func (d *driver) GetSettings() (*ftpserver.Settings, error) { return d.s.settings, nil }

// ClientConnected implements ftpserver.MainDriver.
func (d *driver) ClientConnected(cc ftpserver.ClientContext) (string, error) {
	s := d.s
	s.mu.Lock()
	ctrl := s.pending[cc.RemoteAddr().String()]
	delete(s.pending, cc.RemoteAddr().String())
	sess := newSession(s, cc, ctrl)
	s.sessions[sess.id] = sess
	s.mu.Unlock()
	if ctrl != nil {
		ctrl.mu.Lock()
		ctrl.sess = sess
		if ctrl.tls != nil {
			sess.setControlTLS(ctrl.tls)
		}
		ctrl.mu.Unlock()
	}
	// Debug records of commands and replies feed the hooks in loghook.go.
	cc.SetDebug(true)
	return s.opts.Banner, nil
}

// ClientDisconnected implements ftpserver.MainDriver.
func (d *driver) ClientDisconnected(cc ftpserver.ClientContext) {
	s := d.s
	s.mu.Lock()
	sess := s.sessions[cc.ID()]
	delete(s.sessions, cc.ID())
	if sess != nil {
		delete(s.conns, sess.ctrl)
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
	s.handlers.Done()
}

// AuthUser implements ftpserver.MainDriver.
func (d *driver) AuthUser(cc ftpserver.ClientContext, user, pass string) (ftpserver.ClientDriver, error) {
	s := d.s
	if !s.allowed(user, pass) {
		return nil, errBadLogin
	}
	sess := s.session(cc.ID())
	if sess == nil {
		return nil, errBadLogin
	}
	return &sessionFs{Fs: s.served, sess: sess}, nil
}

func (s *Server) allowed(user, pass string) bool {
	if len(s.opts.Users) == 0 {
		return true
	}
	if s.opts.Anonymous && (user == "anonymous" || user == "ftp") {
		return true
	}
	want, ok := s.opts.Users[user]
	return ok && subtle.ConstantTimeCompare([]byte(want), []byte(pass)) == 1
}

// GetTLSConfig implements ftpserver.MainDriver. ftpserverlib calls it for
// AUTH TLS and for every PROT P data connection; the returned config picks
// per-connection settings in configForClient.
func (d *driver) GetTLSConfig() (*tls.Config, error) {
	if d.s.tlsRoot == nil {
		return nil, errTLSMissing
	}
	return d.s.tlsRoot, nil
}

// VerifyConnection implements ftpserver.MainDriverExtensionTLSVerifier. It
// is called on USER over TLS; returning (nil, nil) asks for the password as
// usual.
func (d *driver) VerifyConnection(cc ftpserver.ClientContext, _ string, tlsConn *tls.Conn) (ftpserver.ClientDriver, error) {
	if sess := d.s.session(cc.ID()); sess != nil {
		sess.setControlTLS(tlsConn)
	}
	return nil, nil
}

// WrapPassiveListener implements ftpserver.MainDriverExtensionPassiveWrapper.
func (d *driver) WrapPassiveListener(l net.Listener) (net.Listener, error) {
	s := d.s
	if s.passiveIP == "" {
		return &passiveListener{Listener: l, srv: s}, nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(s.passiveIP, "0"))
	if err != nil {
		// ftpserverlib does not close l when wrapping fails.
		_ = l.Close()
		return nil, err
	}
	return &passiveListener{Listener: ln, orig: l, srv: s}, nil
}
