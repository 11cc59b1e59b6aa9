package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"

	ftpserver "github.com/fclairamb/ftpserverlib"
	"github.com/spf13/afero"
)

// TLSMode selects how the server offers TLS.
type TLSMode int

const (
	// TLSNone serves plain FTP; AUTH TLS is refused.
	TLSNone TLSMode = iota
	// TLSExplicit serves FTP with AUTH TLS (RFC 4217), so plaintext and TLS
	// sessions share one port unless Options.TLSRequired is set.
	TLSExplicit
	// TLSImplicit starts TLS as soon as the TCP connection opens (the
	// "ftps://" convention, usually port 990); every data connection is TLS.
	TLSImplicit
)

// String returns "none", "explicit" or "implicit".
func (m TLSMode) String() string {
	switch m {
	case TLSNone:
		return "none"
	case TLSExplicit:
		return "explicit"
	case TLSImplicit:
		return "implicit"
	default:
		return fmt.Sprintf("TLSMode(%d)", int(m))
	}
}

// DefaultAddr is the listen address used when Options.Addr is empty.
const DefaultAddr = "127.0.0.1:0"

// Options configures a Server. The zero value is a plain, read-write server on
// DefaultAddr with an empty in-memory file system where every login succeeds.
type Options struct {
	// Addr is the control connection's listen address (default DefaultAddr).
	// When it names a specific IP, the ports announced by PASV/EPSV listen on
	// that IP only. (ftpserverlib also binds a wildcard listener per PASV;
	// it is never announced and never accepted from.)
	Addr string

	// FS is the file system served to every user (default afero.NewMemMapFs()).
	FS afero.Fs

	// ReadOnly refuses every change to FS with a 550 reply.
	ReadOnly bool

	// Users maps user names to passwords. When it is empty every USER/PASS
	// pair is accepted; otherwise only these users may log in, plus
	// "anonymous" and "ftp" (any password) when Anonymous is set.
	Users map[string]string

	// Anonymous allows "anonymous" and "ftp" to log in alongside Users.
	Anonymous bool

	// TLS selects plain FTP, explicit FTPS (AUTH TLS) or implicit FTPS.
	TLS TLSMode

	// TLSRequired, with TLSExplicit, refuses USER before AUTH TLS (421 and
	// hang-up) and transfers without PROT P (421).
	TLSRequired bool

	// TLSMinVersion and TLSMaxVersion bound the TLS versions offered
	// (defaults: TLS 1.2 and the highest crypto/tls supports).
	TLSMinVersion, TLSMaxVersion uint16

	// TLSConfig, when set, supplies the certificate (Certificates or
	// GetCertificate) instead of the generated one; the server clones it and
	// installs its own session and connection hooks. CertPool and CACertPEM
	// return nil in that case.
	TLSConfig *tls.Config

	// EnableHASH turns on HASH, XCRC, XMD5, XSHA1, XSHA256 and XSHA512.
	EnableHASH bool

	// DisableMLSD and DisableMLST remove those commands (and their FEAT
	// lines), to exercise a client's LIST fallback.
	DisableMLSD, DisableMLST bool

	// DisableActiveMode refuses PORT and EPRT.
	DisableActiveMode bool

	// Banner replaces the text of the 220 greeting.
	Banner string

	// Logger receives the server's log records; when it is enabled at
	// slog.LevelDebug they include every command (PASS arguments masked)
	// and reply. Default: discarded.
	Logger *slog.Logger

	// Hooks, if set, let a test kit watch and disturb the server.
	Hooks *Hooks
}

// Hooks are the places where a test kit (internal/ftptest) plugs into the
// server. Every field may be nil.
type Hooks struct {
	// Control wraps each accepted control connection, before any TLS and
	// before the FTP session sees it.
	Control func(net.Conn) net.Conn

	// Connected is called when a session starts, with the connection
	// Control returned; Disconnected when it ends.
	Connected    func(cc ftpserver.ClientContext, control net.Conn)
	Disconnected func(cc ftpserver.ClientContext)

	// TLSConfig chooses the configuration of each TLS handshake, control
	// and data alike; base carries the certificate, versions and ticket
	// keys and must be cloned before it is changed. hello.Conn is what
	// Control or PassiveConn returned, or, for active-mode data
	// connections, the connection the server dialled.
	TLSConfig func(base *tls.Config, hello *tls.ClientHelloInfo) (*tls.Config, error)

	// PassiveConn wraps each passive data connection as it is accepted.
	PassiveConn func(net.Conn) net.Conn

	// File wraps each file a session opens (transfers, HASH).
	File func(cc ftpserver.ClientContext, f afero.File) afero.File

	// Login is called after each USER/PASS with the outcome: err is nil
	// when the user was let in.
	Login func(cc ftpserver.ClientContext, user string, err error)
}

// ErrInvalidOptions is matched (errors.Is) by every *OptionsError.
var ErrInvalidOptions = errors.New("server: invalid options")

// OptionsError reports an Options field that Start cannot honour.
type OptionsError struct {
	Field  string // the Options field at fault
	Reason string // what is wrong with it
}

// Error implements error.
func (e *OptionsError) Error() string {
	return "server: invalid options: " + e.Field + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidOptions) true.
func (e *OptionsError) Is(target error) bool { return target == ErrInvalidOptions }

func (o *Options) validate() error {
	switch o.TLS {
	case TLSNone, TLSExplicit, TLSImplicit:
	default:
		return &OptionsError{"TLS", fmt.Sprintf("unknown mode %d", int(o.TLS))}
	}
	if o.TLS == TLSNone {
		switch {
		case o.TLSRequired:
			return &OptionsError{"TLSRequired", "needs TLS to be explicit or implicit"}
		case o.TLSConfig != nil:
			return &OptionsError{"TLSConfig", "set while TLS is none"}
		}
	}
	if o.TLSConfig != nil && len(o.TLSConfig.Certificates) == 0 && o.TLSConfig.GetCertificate == nil {
		return &OptionsError{"TLSConfig", "has neither Certificates nor GetCertificate"}
	}
	for _, v := range []uint16{o.TLSMinVersion, o.TLSMaxVersion} {
		if v != 0 && (v < tls.VersionTLS10 || v > tls.VersionTLS13) {
			return &OptionsError{"TLSMinVersion/TLSMaxVersion", fmt.Sprintf("unknown TLS version %#04x", v)}
		}
	}
	if o.TLSMinVersion != 0 && o.TLSMaxVersion != 0 && o.TLSMinVersion > o.TLSMaxVersion {
		return &OptionsError{"TLSMinVersion", "greater than TLSMaxVersion"}
	}
	for user := range o.Users {
		if user == "" {
			return &OptionsError{"Users", "empty user name"}
		}
	}
	return nil
}
