package ftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strings"
	"syscall"
)

// Sentinel errors. Test for them with errors.Is.
var (
	// ErrClosed is returned by every call on a Conn after Close or Quit.
	ErrClosed = errors.New("ftp: connection closed")

	// ErrClientClosed is returned by a Client's methods after Close.
	ErrClientClosed = errors.New("ftp: client closed")

	// ErrTLSDowngrade is returned by a Client under TLSAuto when the
	// server refuses AUTH TLS on a connection after it accepted it on
	// another of the Client's: the refusal is more likely forged on the
	// way than true, and the connection is closed before the login would
	// send the password in plain text.
	ErrTLSDowngrade = errors.New("ftp: the server refused AUTH TLS on a connection after accepting it on another; not logging in without encryption")

	// ErrBroken is wrapped by every call on a Conn that can no longer be
	// trusted to be in step with the server: a reply was lost to a timeout,
	// a cancellation or a malformed line, so the next reply read might belong
	// to an earlier command. The connection must be discarded.
	ErrBroken = errors.New("ftp: connection out of sync with the server")

	// ErrInvalidArgument is wrapped by *ArgumentError: an argument that would
	// change the meaning of the command line (CR, LF or NUL) was refused
	// before anything was sent.
	ErrInvalidArgument = errors.New("ftp: invalid argument")

	// ErrShortTransfer is wrapped when a data stream ended before the size
	// the server announced (in its 150 reply or in answer to SIZE).
	ErrShortTransfer = errors.New("ftp: transfer incomplete")

	// ErrIncompleteUpload is wrapped when an upload (Store, StoreFrom,
	// Append, StoreUnique) failed after the server took its command: the
	// server may by then have created the remote file or truncated it to
	// nothing (vsftpd and ProFTPD open the file before they refuse a data
	// connection), and keeps whatever part of the data arrived. The remote
	// file is then neither the old one nor the new one.
	ErrIncompleteUpload = errors.New("ftp: the upload did not arrive whole")

	// ErrBusy is returned when a command is issued while a transfer started
	// on the same Conn is still open: FTP allows one transfer at a time on a
	// control connection, and its final reply has not been read yet.
	ErrBusy = errors.New("ftp: a transfer is in progress on this connection")

	// ErrDataTLSRefused is wrapped when, under PROT P, the server refuses a
	// transfer with 522 or 425: often because the data connection's TLS
	// session did not resume the control connection's (vsftpd says "522 SSL
	// connection failed: session reuse required"; ProFTPD only "425 Unable to
	// build data connection: Operation not permitted"). The error's text says
	// what the data connection's handshake came to: not resumed, resumed
	// (the cause is elsewhere), failed, or not begun.
	ErrDataTLSRefused = errors.New("the server refused the TLS data connection")
)

// Error is a 4xx or 5xx reply from the server: it refused a command.
//
// Error matches fs.ErrNotExist, fs.ErrPermission and fs.ErrExist with
// errors.Is where the command and the reply make that sound; see Is.
type Error struct {
	Code int    // reply code, 400 to 599
	Msg  string // reply text without the codes, lines joined with "\n"
	Cmd  string // the command line that was refused; PASS and ACCT arguments are masked
}

// Error returns the refusal on one line: the lines of a multi-line reply
// are joined with spaces.
func (e *Error) Error() string {
	msg := strings.ReplaceAll(e.Msg, "\n", " ")
	if e.Cmd == "" {
		return fmt.Sprintf("ftp: %d %s", e.Code, msg)
	}
	return fmt.Sprintf("ftp: %s: %d %s", e.Cmd, e.Code, msg)
}

// Transient reports whether the server said the failure is temporary (4xx):
// the same command may succeed if tried again later.
func (e *Error) Transient() bool { return e.Code >= 400 && e.Code < 500 }

// Permanent reports whether the server said the failure is permanent (5xx).
func (e *Error) Permanent() bool { return e.Code >= 500 && e.Code < 600 }

// Is maps FTP replies onto the io/fs errors, as pkg/sftp does for SFTP
// status codes. The reply codes are coarse (550 means "not found" and "no
// access" alike), so the command and, where servers agree on it, the reply
// text decide:
//   - fs.ErrPermission: 530, 532; 550 or 553 whose text speaks of permission,
//     denial or refusal ("not permitted", ftpserverlib's EPERM; "read-only"); 553 on an upload or rename target.
//   - fs.ErrExist: 521; 550 or 553 to MKD whose text says the name exists.
//   - fs.ErrNotExist: 550 (or 450) to a command that names an existing path
//     (RETR, SIZE, MDTM, CWD, DELE, RMD, RNFR, MLST, MLSD, LIST, NLST, STAT).
func (e *Error) Is(target error) bool {
	switch target {
	case fs.ErrPermission:
		return e.permission()
	case fs.ErrExist:
		return e.exist()
	case fs.ErrNotExist:
		if e.permission() || e.exist() {
			return false
		}
		if e.Code != 550 && e.Code != 450 {
			return false
		}
		switch e.verb() {
		case "RETR", "SIZE", "MDTM", "CWD", "XCWD", "DELE", "RMD", "XRMD", "RNFR",
			"MLST", "MLSD", "LIST", "NLST", "STAT", "MFMT", "HASH", "XCRC", "XMD5", "XSHA1", "XSHA256":
			return true
		}
	}
	return false
}

// serverFailure reports vsftpd's "500 OOPS: ...", sent when its session
// process fails just before it closes the connection.
func (e *Error) serverFailure() bool {
	return e.Code == 500 && strings.HasPrefix(e.Msg, "OOPS")
}

func (e *Error) verb() string {
	v, _, _ := strings.Cut(e.Cmd, " ")
	return strings.ToUpper(v)
}

func (e *Error) permission() bool {
	switch e.Code {
	case 530, 532:
		return true
	case 550, 553:
		m := strings.ToLower(e.Msg)
		if strings.Contains(m, "permission") || strings.Contains(m, "denied") ||
			strings.Contains(m, "not allowed") || strings.Contains(m, "refused") ||
			strings.Contains(m, "not permitted") || strings.Contains(m, "read-only") ||
			strings.Contains(m, "privileges") { // pyftpdlib: "Not enough privileges."
			return true
		}
		if e.Code == 553 {
			switch e.verb() {
			case "STOR", "APPE", "STOU", "RNTO":
				return true
			}
		}
	}
	return false
}

func (e *Error) exist() bool {
	if e.Code == 521 {
		return true
	}
	if (e.Code == 550 || e.Code == 553) && (e.verb() == "MKD" || e.verb() == "XMKD") {
		return strings.Contains(strings.ToLower(e.Msg), "exist")
	}
	return false
}

// UnexpectedReplyError is a reply of the wrong kind that is not a refusal:
// a 1xx, 2xx or 3xx where the protocol called for another class, such as a
// 200 to RNFR (which must be answered 350). ftplib calls this error_reply.
type UnexpectedReplyError struct {
	Cmd   string // the command, PASS and ACCT arguments masked
	Reply *Reply // the reply received
	Want  string // what was expected, as "2xx" or "350"
}

func (e *UnexpectedReplyError) Error() string {
	return fmt.Sprintf("ftp: %s: unexpected reply %q (want %s)", e.Cmd, e.Reply.firstLine(), e.Want)
}

// ProtocolError is a reply the client cannot read: a line with no valid
// code, a line or reply over the size limits, or a 227, 229 or 257 reply
// whose text is malformed. ftplib calls this error_proto. After a
// ProtocolError in the middle of a reply the Conn is broken.
type ProtocolError struct {
	Cmd  string // the command being answered, if any
	Msg  string // what was wrong
	Line string // the offending line, cut to a printable length
}

func (e *ProtocolError) Error() string {
	var b strings.Builder
	b.WriteString("ftp: ")
	if e.Cmd != "" {
		b.WriteString(e.Cmd + ": ")
	}
	b.WriteString("protocol error: " + e.Msg)
	if e.Line != "" {
		fmt.Fprintf(&b, ": %q", e.Line)
	}
	return b.String()
}

// ArgumentError is an argument that cannot be sent safely: it contains CR,
// LF or NUL, which would end the command line early and let the rest be read
// as a second command (CRLF injection). Nothing was sent.
type ArgumentError struct {
	Cmd string // the command verb
	Arg string // the argument, quoted in Error
	Msg string
}

func (e *ArgumentError) Error() string {
	return fmt.Sprintf("ftp: %s: %s: %q", e.Cmd, e.Msg, e.Arg)
}

func (e *ArgumentError) Unwrap() error { return ErrInvalidArgument }

// brokenError is what a broken Conn returns: it wraps ErrBroken and the
// failure that broke the connection, so errors.Is finds both.
type brokenError struct{ cause error }

func (e *brokenError) Error() string {
	return "ftp: connection unusable after an earlier failure: " + e.cause.Error()
}

func (e *brokenError) Unwrap() []error { return []error{ErrBroken, e.cause} }

// IsTransient reports whether err is a failure that may clear if the
// operation is tried again, possibly on a new connection: a 4xx reply, a
// timeout, a reset or a connection dropped by the server. Cancellation by
// the caller's context is not transient.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Transient()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, errServerClosed) || errors.Is(err, ErrShortTransfer)
}

// errServerClosed is wrapped when the server closed the control connection
// where a reply was due.
var errServerClosed = errors.New("server closed the connection")

// joinErrors is errors.Join written on one line: the parts' texts joined
// with ": ", so that a log line or a terminal shows the whole error. Nil
// parts are dropped; it returns nil if none is left.
func joinErrors(errs ...error) error {
	var kept []error
	for _, err := range errs {
		if err != nil {
			kept = append(kept, err)
		}
	}
	switch len(kept) {
	case 0:
		return nil
	case 1:
		return kept[0]
	}
	return &joinedError{errs: kept}
}

type joinedError struct{ errs []error }

func (e *joinedError) Error() string {
	var b strings.Builder
	for i, err := range e.errs {
		msg := err.Error()
		if i > 0 {
			b.WriteString(": ")
			// One "ftp: " at the front says whose error it is; more
			// in the middle only stutter ("...: ftp: LIST d: 550 ...").
			msg = strings.TrimPrefix(msg, "ftp: ")
		}
		b.WriteString(msg)
	}
	return b.String()
}

func (e *joinedError) Unwrap() []error { return e.errs }
