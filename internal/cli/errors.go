package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/transfer"
)

// Exit statuses, as documented in the command's help.
const (
	ExitOK          = 0   // success
	ExitOther       = 1   // any other error
	ExitUsage       = 2   // bad command line or URL
	ExitConnection  = 3   // connection, TLS, timeout or protocol failure
	ExitLogin       = 4   // login refused
	ExitPermanent   = 5   // permanent FTP error (5xx)
	ExitTransient   = 6   // transient FTP error (4xx) that retries did not clear
	ExitLocal       = 7   // local I/O error
	ExitIncomplete  = 8   // transfer incomplete or verification failed
	ExitInterrupted = 130 // interrupted (Ctrl-C)
)

// errReported marks an error whose details were already printed, so Main
// prints nothing more but still exits with its status.
var errReported = errors.New("already reported")

// usageError is a command line that cannot be run.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// opError names the operation and remote path that failed.
type opError struct {
	Op   string // "get", "ls", ...
	Path string
	Err  error
}

func (e *opError) Error() string {
	// A failure to connect or log in is about the session, not the path.
	var le *loginError
	var inner *opError
	var ne *netError
	var ie *implicitTLSError
	if e.Op != "connect" && (errors.As(e.Err, &le) || errors.As(e.Err, &inner) && inner.Op == "connect" ||
		errors.As(e.Err, &ne) || errors.As(e.Err, &ie)) {
		return Message(e.Err)
	}
	msg := Message(e.Err)
	var lo *localError
	var tlo *transfer.LocalError
	var pk *partKeptError
	if errors.Is(e.Err, fs.ErrNotExist) && !errors.As(e.Err, &lo) && !errors.As(e.Err, &tlo) && !errors.As(e.Err, &pk) {
		// The server's text varies ("Failed to open file.", "Couldn't
		// access"); say it plainly first, then quote it.
		what := "no such file"
		switch e.Op {
		case "ls", "cd", "nlst", "list", "rmdir":
			what = "no such directory"
		}
		msg = what + " (" + msg + ")"
	} else if errors.Is(e.Err, fs.ErrExist) && !errors.As(e.Err, &lo) && !errors.As(e.Err, &tlo) {
		msg = "already exists (" + msg + ")"
	}
	if e.Path == "" {
		return e.Op + ": " + msg
	}
	return e.Op + " " + e.Path + ": " + msg
}

func (e *opError) Unwrap() error { return e.Err }

// loginError is a failure of USER, PASS or ACCT.
type loginError struct {
	User string
	Err  error
}

func (e *loginError) Error() string {
	var fe *ftp.Error
	switch {
	case !errors.As(e.Err, &fe):
		return fmt.Sprintf("login as %s: %s", e.User, Message(e.Err))
	case fe.Transient():
		return fmt.Sprintf("login as %s failed: %s", e.User, Message(e.Err))
	}
	return fmt.Sprintf("login as %s refused: %s", e.User, Message(e.Err))
}

func (e *loginError) Unwrap() error { return e.Err }

// localError is a failure on the local file system.
type localError struct {
	Op   string
	Path string
	Err  error
}

func (e *localError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Op, e.Path, unwrapPathError(e.Err))
}

func (e *localError) Unwrap() error { return e.Err }

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// partKeptError is a download that stopped midway, its data kept in Part
// for -c to resume.
type partKeptError struct {
	Part string
	Err  error
}

func (e *partKeptError) Error() string { return Message(e.Err) }
func (e *partKeptError) Unwrap() error { return e.Err }

// verifyError is a transfer whose result does not match what the server
// says it sent.
type verifyError struct {
	Path string
	Msg  string
}

func (e *verifyError) Error() string { return "verify " + e.Path + ": " + e.Msg }

// unsafeNameError is a name sent by the server that would escape the
// local destination directory.
type unsafeNameError struct {
	Dir  string
	Name string
}

func (e *unsafeNameError) Error() string {
	return fmt.Sprintf("server sent an unsafe name %q in %q: refused", e.Name, e.Dir)
}

// statusError carries an exit status decided by a command that already
// reported its errors (shell, mirror).
type statusError struct{ code int }

func (e *statusError) Error() string { return fmt.Sprintf("exit status %d", e.code) }
func (e *statusError) Unwrap() error { return errReported }

// ExitCode maps an error to ferry's exit status.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	var ue *usageError
	var urlErr *URLError
	var argErr *ftp.ArgumentError
	if errors.As(err, &ue) || errors.As(err, &urlErr) || errors.As(err, &argErr) {
		return ExitUsage
	}
	var le *loginError
	if errors.As(err, &le) {
		var fe *ftp.Error
		if errors.As(le.Err, &fe) {
			if fe.Transient() {
				return ExitTransient
			}
			return ExitLogin
		}
		return connectionOr(le.Err, ExitLogin)
	}
	var lo *localError
	var tlo *transfer.LocalError
	if errors.As(err, &lo) || errors.As(err, &tlo) {
		return ExitLocal
	}
	var ve *verifyError
	var tve *transfer.VerifyError
	if errors.As(err, &ve) || errors.As(err, &tve) || errors.Is(err, ftp.ErrShortTransfer) {
		return ExitIncomplete
	}
	var fe *ftp.Error
	if errors.As(err, &fe) {
		if fe.Transient() {
			return ExitTransient
		}
		return ExitPermanent
	}
	if errors.Is(err, fs.ErrNotExist) {
		// Said by the server another way than a 550 (vsftpd lists a
		// missing directory as empty; the library tells them apart).
		return ExitPermanent
	}
	return connectionOr(err, ExitOther)
}

// connectionOr returns ExitConnection for failures of the connection
// itself (network, TLS, timeouts, protocol violations), else def.
func connectionOr(err error, def int) int {
	var (
		pe   *ftp.ProtocolError
		ure  *ftp.UnexpectedReplyError
		ne   net.Error
		oe   *net.OpError
		re   tls.RecordHeaderError
		ae   tls.AlertError
		ce   *tls.CertificateVerificationError
		uae  x509.UnknownAuthorityError
		hne  x509.HostnameError
		cie  x509.CertificateInvalidError
		dnse *net.DNSError
		une  *unsafeNameError
		tune *transfer.UnsafeNameError
		ite  *implicitTLSError
		nete *netError
	)
	switch {
	case errors.As(err, &pe), errors.As(err, &ure), errors.As(err, &ne), errors.As(err, &oe),
		errors.As(err, &re), errors.As(err, &ae), errors.As(err, &ce), errors.As(err, &uae),
		errors.As(err, &hne), errors.As(err, &cie), errors.As(err, &dnse), errors.As(err, &une), errors.As(err, &tune),
		errors.As(err, &ite), errors.As(err, &nete),
		errors.Is(err, ftp.ErrBroken), errors.Is(err, ftp.ErrClosed), errors.Is(err, ftp.ErrTLSDowngrade),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, context.DeadlineExceeded), ftp.IsTransient(err):
		return ExitConnection
	}
	return def
}

// Message renders err for the one-line report on stderr: the server's
// code and text rather than Go's wrapping, on one line.
func Message(err error) string {
	var fe *ftp.Error
	if errors.As(err, &fe) && err.Error() == fe.Error() {
		// A reply, perhaps in wrappers that add nothing to its text.
		// The lines of a multi-line reply read as one sentence.
		s := fmt.Sprintf("%d %s", fe.Code, fe.Msg)
		return strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", " ")
	}
	s := strings.TrimPrefix(err.Error(), "ftp: ")
	s = strings.ReplaceAll(s, "\r", "")
	// Joined errors (a data connection and its control reply) are
	// separated by newlines.
	s = strings.ReplaceAll(s, "\nftp: ", "; ")
	return strings.ReplaceAll(s, "\n", "; ")
}

// isTimeout reports whether err is a timeout rather than a refusal.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// hint is advice to print after err's message, or "": what to type to get
// past a failure that ferry cannot get past on its own.
func (a *app) hint(err error) string {
	var (
		ce  *tls.CertificateVerificationError
		uae x509.UnknownAuthorityError
		hne x509.HostnameError
		cie x509.CertificateInvalidError
		fe  *ftp.Error
	)
	var pk *partKeptError
	var rhe tls.RecordHeaderError
	switch {
	case errors.As(err, &rhe) && plainReply(rhe.RecordHeader[:]):
		return "the server answered in plain text, as on an FTP port without implicit TLS: use ftp:// (TLS is then asked for with AUTH TLS)"
	case errors.As(err, &pk):
		return fmt.Sprintf("%s was kept: the same command with -c resumes it", pk.Part)
	case errors.As(err, &ce), errors.As(err, &uae), errors.As(err, &hne), errors.As(err, &cie):
		return "trust the server's CA with --ca FILE, or skip verification with --insecure"
	case errors.As(err, &fe) && (fe.Code >= 500 || fe.Code == 421) && needsTLS(fe.Msg):
		if a.g.TLS == "none" || a.g.TLS == "" {
			return "the server requires encryption: use --tls explicit (or an ftps:// URL if it speaks implicit TLS)"
		}
	}
	return ""
}

// plainReply reports whether the first bytes of what should have been a
// TLS record look like an FTP reply ("220 ", "220-", "421 ").
func plainReply(b []byte) bool {
	return len(b) >= 4 && '1' <= b[0] && b[0] <= '5' && '0' <= b[1] && b[1] <= '9' &&
		'0' <= b[2] && b[2] <= '9' && (b[3] == ' ' || b[3] == '-')
}

// needsTLS reports whether a refusal's text says encryption is required:
// vsftpd "530 Non-anonymous sessions must use encryption.", ProFTPD "550
// SSL/TLS required on the control channel", Pure-FTPd "421 Sorry,
// cleartext sessions and weak ciphers are not accepted on this server.
// Please reconnect using TLS security mechanisms."
func needsTLS(msg string) bool {
	m := strings.ToLower(msg)
	for _, w := range []string{"encryption", "tls", "ssl", "cleartext"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}
