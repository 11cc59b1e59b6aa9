package ftptest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	ftpserver "github.com/fclairamb/ftpserverlib"
	"github.com/spf13/afero"
)

// connectionTimeout bounds how long a passive listener waits for the client.
const connectionTimeout = 10 * time.Second

// closeTimeout bounds how long Close waits for sessions to wind down.
const closeTimeout = 10 * time.Second

// Server is a running in-process FTP server. Its methods are safe for
// concurrent use.
type Server struct {
	opts      Options
	fs        afero.Fs // as given (or the default), for FS()
	served    afero.Fs // fs, read-only when Options.ReadOnly
	ftp       *ftpserver.FtpServer
	settings  *ftpserver.Settings
	addr      string
	passiveIP string // IP passive listeners bind to; "" leaves ftpserverlib's

	ca           *testCA // nil unless the certificate was generated
	tlsBase      *tls.Config
	tlsRoot      *tls.Config
	requireReuse bool

	faults    atomic.Pointer[faultState]
	done      chan struct{} // closed when Close starts
	serveDone chan struct{}
	serveErr  error
	handlers  sync.WaitGroup // one per accepted control connection
	closeOnce sync.Once
	closeErr  error

	mu        sync.Mutex
	closing   bool
	conns     map[*ctrlConn]struct{}
	pending   map[string]*ctrlConn // by remote address, until ClientConnected
	sessions  map[uint32]*session
	passive   map[int]*session
	active    map[netip.AddrPort]*session
	records   []*dataRecord
	ctrlTotal int
	refused   int
}

// Start starts a server as described by opts and returns once it accepts
// connections. Invalid options give an *OptionsError; Close releases
// everything Start acquired.
func Start(opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.FS == nil {
		opts.FS = afero.NewMemMapFs()
	}
	if opts.Banner == "" {
		opts.Banner = "Ferry test server ready (not for production use)"
	}
	s := &Server{
		opts:         opts,
		fs:           opts.FS,
		served:       opts.FS,
		requireReuse: opts.RequireSessionReuse,
		done:         make(chan struct{}),
		serveDone:    make(chan struct{}),
		conns:        make(map[*ctrlConn]struct{}),
		pending:      make(map[string]*ctrlConn),
		sessions:     make(map[uint32]*session),
		passive:      make(map[int]*session),
		active:       make(map[netip.AddrPort]*session),
	}
	if opts.ReadOnly {
		s.served = afero.NewReadOnlyFs(opts.FS)
	}
	if err := s.SetFaults(opts.Faults); err != nil {
		return nil, err
	}
	if opts.TLS != TLSNone {
		if err := s.tlsSetup(&opts); err != nil {
			return nil, err
		}
	}

	tcp, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("ftptest: listen on %q: %w", opts.Addr, err)
	}
	s.addr = tcp.Addr().String()
	if ap, err := netip.ParseAddrPort(s.addr); err == nil && !ap.Addr().IsUnspecified() {
		s.passiveIP = ap.Addr().Unmap().String()
	}
	var ln net.Listener = &ctrlListener{Listener: tcp, srv: s}
	if opts.TLS == TLSImplicit {
		ln = &implicitListener{Listener: ln, config: s.tlsRoot}
	}
	s.settings = s.ftpSettings(ln)

	s.ftp = ftpserver.NewFtpServer(&driver{s})
	inner := slog.DiscardHandler
	if opts.Logger != nil {
		inner = opts.Logger.Handler()
	}
	s.ftp.Logger = slog.New(&hookHandler{srv: s, inner: inner})
	if err := s.ftp.Listen(); err != nil {
		_ = tcp.Close()
		return nil, fmt.Errorf("ftptest: start: %w", err)
	}
	go func() {
		defer close(s.serveDone)
		s.serveErr = s.ftp.Serve()
	}()
	return s, nil
}

func (s *Server) ftpSettings(ln net.Listener) *ftpserver.Settings {
	st := &ftpserver.Settings{
		Listener:                ln,
		Banner:                  s.opts.Banner,
		ConnectionTimeout:       int(connectionTimeout / time.Second),
		ActiveTransferPortNon20: true, // port 20 needs privileges
		DisableMLSD:             s.opts.DisableMLSD,
		DisableMLST:             s.opts.DisableMLST,
		DisableActiveMode:       s.opts.DisableActiveMode,
		EnableHASH:              s.opts.EnableHASH,
	}
	switch {
	case s.opts.TLS == TLSImplicit:
		st.TLSRequired = ftpserver.ImplicitEncryption
	case s.opts.TLSRequired:
		st.TLSRequired = ftpserver.MandatoryEncryption
	}
	return st
}

// implicitListener starts TLS on every control connection and remembers the
// *tls.Conn, through which replies injected by the server are written.
type implicitListener struct {
	net.Listener
	config *tls.Config
}

// Accept implements net.Listener.
func (l *implicitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := tls.Server(c, l.config)
	if cc, ok := c.(*ctrlConn); ok {
		cc.mu.Lock()
		cc.tls = tc
		cc.mu.Unlock()
	}
	return tc, nil
}

// Close stops the server: it stops accepting, ends every session (closing
// control and data connections, releasing stalled transfers) and waits for
// them. It is safe to call more than once; later calls return the first
// call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		conns := make([]*ctrlConn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.mu.Unlock()
		close(s.done)

		err := s.ftp.Stop()
		<-s.serveDone
		err = errors.Join(err, s.serveErr)
		for _, c := range conns {
			_ = c.Conn.Close()
		}
		idle := make(chan struct{})
		go func() {
			s.handlers.Wait()
			close(idle)
		}()
		select {
		case <-idle:
		case <-time.After(closeTimeout):
			err = errors.Join(err, fmt.Errorf("ftptest: sessions still running %v after Close", closeTimeout))
		}
		if err != nil {
			s.closeErr = fmt.Errorf("ftptest: close: %w", err)
		}
	})
	return s.closeErr
}

// Addr returns the control connection's address as host:port.
func (s *Server) Addr() string { return s.addr }

// URL returns "ftp://host:port", or "ftps://host:port" for implicit TLS.
func (s *Server) URL() string {
	if s.opts.TLS == TLSImplicit {
		return "ftps://" + s.addr
	}
	return "ftp://" + s.addr
}

// TLSMode returns the server's TLS mode.
func (s *Server) TLSMode() TLSMode { return s.opts.TLS }

// FS returns the served file system, writable even when Options.ReadOnly is
// set, so that tests can prepare and inspect files directly.
func (s *Server) FS() afero.Fs { return s.fs }

// CertPool returns roots that verify the generated server certificate, or
// nil without TLS or with Options.TLSConfig.
func (s *Server) CertPool() *x509.CertPool {
	if s.ca == nil {
		return nil
	}
	return s.ca.pool
}

// CACertPEM returns the generated CA certificate in PEM form (for
// `ferry serve --tls` to print or save), or nil like CertPool.
func (s *Server) CACertPEM() []byte {
	if s.ca == nil {
		return nil
	}
	return append([]byte(nil), s.ca.caPEM...)
}

// ServerName returns the DNS name the generated certificate is valid for
// ("localhost"; 127.0.0.1 and ::1 are valid too), or "" like CertPool.
func (s *Server) ServerName() string {
	if s.ca == nil {
		return ""
	}
	return certDNSName
}

// ClientTLSConfig returns a new client configuration that trusts the
// generated certificate, with ServerName set and a session cache of its own,
// as one control connection and its data connections should share. It
// returns nil like CertPool.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.ca == nil {
		return nil
	}
	return &tls.Config{
		RootCAs:            s.ca.pool,
		ServerName:         certDNSName,
		ClientSessionCache: tls.NewLRUClientSessionCache(8),
		MinVersion:         s.tlsBase.MinVersion,
		MaxVersion:         s.tlsBase.MaxVersion,
	}
}
