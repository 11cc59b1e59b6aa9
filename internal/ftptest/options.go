package ftptest

import (
	"crypto/tls"
	"log/slog"

	"github.com/spf13/afero"

	"github.com/ferryftp/ftp/internal/server"
)

// TLSMode selects how the server offers TLS.
type TLSMode = server.TLSMode

// The TLS modes, as in package server.
const (
	TLSNone     = server.TLSNone
	TLSExplicit = server.TLSExplicit
	TLSImplicit = server.TLSImplicit
)

// DefaultAddr is the listen address used when Options.Addr is empty.
const DefaultAddr = server.DefaultAddr

// Options configures a Server: the embedded server's options (see package
// server) and what the test kit adds, RequireSessionReuse and Faults. The
// zero value is a plain, read-write server on DefaultAddr with an empty
// in-memory file system where every login succeeds.
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

	// RequireSessionReuse refuses a TLS data connection whose handshake did
	// not resume a session issued on the same control connection or on one
	// of its earlier data connections, as vsftpd (require_ssl_reuse) and
	// ProFTPD do. The refusal mimics vsftpd: after the 150 mark the server
	// sends "522 SSL connection failed: session reuse required" and closes
	// the control connection.
	RequireSessionReuse bool

	// EnableHASH turns on HASH, XCRC, XMD5, XSHA1, XSHA256 and XSHA512.
	EnableHASH bool

	// DisableMLSD and DisableMLST remove those commands (and their FEAT
	// lines), to exercise a client's LIST fallback.
	DisableMLSD, DisableMLST bool

	// DisableActiveMode refuses PORT and EPRT.
	DisableActiveMode bool

	// Banner replaces the text of the 220 greeting.
	Banner string

	// Logger receives the server's log records, including debug records of
	// every command (passwords redacted) and reply. Default: discarded.
	Logger *slog.Logger

	// Faults are the initial fault-injection settings; see Server.SetFaults.
	Faults Faults
}

// ErrInvalidOptions is matched (errors.Is) by every *OptionsError.
var ErrInvalidOptions = server.ErrInvalidOptions

// OptionsError reports an Options field that Start cannot honour.
type OptionsError = server.OptionsError

// validate checks what the kit adds; package server checks the rest.
func (o *Options) validate() error {
	if o.TLS == TLSNone && o.RequireSessionReuse {
		return &OptionsError{Field: "RequireSessionReuse", Reason: "needs TLS to be explicit or implicit"}
	}
	return o.Faults.validate()
}

// serverOptions returns the embedded server's part of o.
func (o *Options) serverOptions() server.Options {
	return server.Options{
		Addr:              o.Addr,
		FS:                o.FS,
		ReadOnly:          o.ReadOnly,
		Users:             o.Users,
		Anonymous:         o.Anonymous,
		TLS:               o.TLS,
		TLSRequired:       o.TLSRequired,
		TLSMinVersion:     o.TLSMinVersion,
		TLSMaxVersion:     o.TLSMaxVersion,
		TLSConfig:         o.TLSConfig,
		EnableHASH:        o.EnableHASH,
		DisableMLSD:       o.DisableMLSD,
		DisableMLST:       o.DisableMLST,
		DisableActiveMode: o.DisableActiveMode,
		Banner:            o.Banner,
	}
}
