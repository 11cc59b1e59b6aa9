package server

import (
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"net"

	ftpserver "github.com/fclairamb/ftpserverlib"
)

// driver implements ftpserverlib's MainDriver and the one extension the
// server relies on, MainDriverExtensionPassiveWrapper (to bind passive
// listeners to the server's IP and see data connections arrive).
type driver struct{ s *Server }

var (
	_ ftpserver.MainDriver                        = (*driver)(nil)
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
	ctl := s.pending[cc.RemoteAddr().String()]
	delete(s.pending, cc.RemoteAddr().String())
	if ctl != nil {
		s.conns[cc.ID()] = ctl.conn
	}
	s.mu.Unlock()
	if s.opts.Logger != nil {
		cc.SetDebug(true) // records of every command and reply
	}
	if s.hooks.Connected != nil {
		var conn net.Conn
		if ctl != nil {
			conn = ctl.conn
		}
		s.hooks.Connected(cc, conn)
	}
	return s.opts.Banner, nil
}

// ClientDisconnected implements ftpserver.MainDriver.
func (d *driver) ClientDisconnected(cc ftpserver.ClientContext) {
	s := d.s
	s.mu.Lock()
	delete(s.conns, cc.ID())
	s.mu.Unlock()
	if s.hooks.Disconnected != nil {
		s.hooks.Disconnected(cc)
	}
	s.handlers.Done()
}

// AuthUser implements ftpserver.MainDriver.
func (d *driver) AuthUser(cc ftpserver.ClientContext, user, pass string) (ftpserver.ClientDriver, error) {
	s := d.s
	if !s.allowed(user, pass) {
		if s.hooks.Login != nil {
			s.hooks.Login(cc, user, errBadLogin)
		}
		return nil, errBadLogin
	}
	if s.hooks.Login != nil {
		s.hooks.Login(cc, user, nil)
	}
	return &sessionFs{Fs: s.served, cc: cc, wrap: s.hooks.File}, nil
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
// AUTH TLS and for every PROT P data connection.
func (d *driver) GetTLSConfig() (*tls.Config, error) {
	if d.s.tlsRoot == nil {
		return nil, errTLSMissing
	}
	return d.s.tlsRoot, nil
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
