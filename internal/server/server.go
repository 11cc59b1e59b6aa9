package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	ftpserver "github.com/fclairamb/ftpserverlib"
	"github.com/spf13/afero"
)

// connectionTimeout bounds how long a passive listener waits for the client.
const connectionTimeout = 10 * time.Second

// closeTimeout bounds how long Close waits for sessions to wind down.
const closeTimeout = 10 * time.Second

// Server is a running FTP server. Its methods are safe for concurrent use.
type Server struct {
	opts      Options
	hooks     Hooks
	fs        afero.Fs // as given (or the default), for FS()
	served    afero.Fs // fs, read-only when Options.ReadOnly
	ftp       *ftpserver.FtpServer
	settings  *ftpserver.Settings
	addr      string
	passiveIP string // IP passive listeners bind to; "" leaves ftpserverlib's

	ca      *Certificate // nil unless the certificate was generated
	tlsBase *tls.Config
	tlsRoot *tls.Config

	serveDone chan struct{}
	serveErr  error
	handlers  sync.WaitGroup // one per accepted control connection
	closeOnce sync.Once
	closeErr  error

	mu        sync.Mutex
	closing   bool
	conns     map[uint32]net.Conn // open sessions' control connections, by client ID
	pending   map[string]*control // by remote address, until ClientConnected
	ctrlTotal int
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
		opts:      opts,
		fs:        opts.FS,
		served:    opts.FS,
		serveDone: make(chan struct{}),
		conns:     make(map[uint32]net.Conn),
		pending:   make(map[string]*control),
	}
	if opts.Hooks != nil {
		s.hooks = *opts.Hooks
	}
	if opts.ReadOnly {
		s.served = afero.NewReadOnlyFs(opts.FS)
	}
	if opts.TLS != TLSNone {
		if err := s.tlsSetup(&opts); err != nil {
			return nil, err
		}
	}

	tcp, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("server: listen on %q: %w", opts.Addr, err)
	}
	s.addr = tcp.Addr().String()
	if ap, err := netip.ParseAddrPort(s.addr); err == nil && !ap.Addr().IsUnspecified() {
		s.passiveIP = ap.Addr().Unmap().String()
	}
	s.settings = s.ftpSettings(&ctrlListener{Listener: tcp, srv: s})

	s.ftp = ftpserver.NewFtpServer(&driver{s})
	inner := slog.DiscardHandler
	if opts.Logger != nil {
		inner = opts.Logger.Handler()
	}
	s.ftp.Logger = slog.New(&redactHandler{inner: inner})
	if err := s.ftp.Listen(); err != nil {
		_ = tcp.Close()
		return nil, fmt.Errorf("server: start: %w", err)
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

// tlsSetup builds the server's tls.Configs: base carries the certificate,
// versions and ticket keys; root, handed to ftpserverlib everywhere, asks
// Hooks.TLSConfig for each handshake's configuration.
func (s *Server) tlsSetup(opts *Options) error {
	var base *tls.Config
	if opts.TLSConfig != nil {
		base = opts.TLSConfig.Clone()
	} else {
		ca, err := NewCertificate(CertOptions{})
		if err != nil {
			return err
		}
		s.ca = ca
		base = &tls.Config{Certificates: []tls.Certificate{ca.TLS}}
	}
	if opts.TLSMinVersion != 0 {
		base.MinVersion = opts.TLSMinVersion
	} else if base.MinVersion == 0 {
		base.MinVersion = tls.VersionTLS12
	}
	if opts.TLSMaxVersion != 0 {
		base.MaxVersion = opts.TLSMaxVersion
	}
	base.GetConfigForClient = nil
	base.WrapSession, base.UnwrapSession, base.VerifyConnection = nil, nil, nil
	// Explicit keys, so that every per-connection clone encrypts and
	// decrypts tickets alike.
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return err
	}
	base.SetSessionTicketKeys([][32]byte{key})
	s.tlsBase = base

	root := base.Clone()
	if s.hooks.TLSConfig != nil {
		root.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			return s.hooks.TLSConfig(s.tlsBase, hello)
		}
	}
	s.tlsRoot = root
	return nil
}

// Close stops the server: it stops accepting, ends every session (closing
// control and data connections) and waits for them. It is safe to call more
// than once; later calls return the first call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		conns := make([]net.Conn, 0, len(s.conns)+len(s.pending))
		for _, c := range s.conns {
			conns = append(conns, c)
		}
		for _, c := range s.pending {
			conns = append(conns, c.conn)
		}
		s.mu.Unlock()

		err := s.ftp.Stop()
		<-s.serveDone
		err = errors.Join(err, s.serveErr)
		for _, c := range conns {
			_ = c.Close()
		}
		idle := make(chan struct{})
		go func() {
			s.handlers.Wait()
			close(idle)
		}()
		select {
		case <-idle:
		case <-time.After(closeTimeout):
			err = errors.Join(err, fmt.Errorf("sessions still running %v after Close", closeTimeout))
		}
		if err != nil {
			s.closeErr = fmt.Errorf("server: close: %w", err)
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
	return s.ca.Pool
}

// CACertPEM returns the generated CA certificate in PEM form (for
// `ferry serve --tls` to print or save), or nil like CertPool.
func (s *Server) CACertPEM() []byte {
	if s.ca == nil {
		return nil
	}
	return append([]byte(nil), s.ca.CAPEM...)
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
		RootCAs:            s.ca.Pool,
		ServerName:         certDNSName,
		ClientSessionCache: tls.NewLRUClientSessionCache(8),
		MinVersion:         s.tlsBase.MinVersion,
		MaxVersion:         s.tlsBase.MaxVersion,
	}
}

// TLSConfig returns the configuration the server gives every TLS handshake
// (through Hooks.TLSConfig when set), or nil without TLS. A test kit that
// terminates a client's TLS itself uses it, so that its handshakes are the
// server's.
func (s *Server) TLSConfig() *tls.Config { return s.tlsRoot }

// ControlConns returns how many control connections the server has accepted.
func (s *Server) ControlConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ctrlTotal
}

// OpenControlConns returns how many control connections are open now.
func (s *Server) OpenControlConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns) + len(s.pending)
}

// redactHandler masks the argument of PASS in ftpserverlib's records of the
// lines it receives, whatever the Logger.
type redactHandler struct{ inner slog.Handler }

// Enabled implements slog.Handler.
func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (h *redactHandler) Handle(ctx context.Context, r slog.Record) error {
	c := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "line" {
			a.Value = slog.StringValue(redact(a.Value.String()))
		}
		c.AddAttrs(a)
		return true
	})
	return h.inner.Handle(ctx, c)
}

// WithAttrs implements slog.Handler.
func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &redactHandler{inner: h.inner.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{inner: h.inner.WithGroup(name)}
}

// redact masks the argument of PASS and ACCT.
func redact(line string) string {
	verb, _, ok := strings.Cut(line, " ")
	if ok && (strings.EqualFold(verb, "PASS") || strings.EqualFold(verb, "ACCT")) {
		return verb + " ****"
	}
	return line
}
