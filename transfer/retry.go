package transfer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/ferryftp/ftp"
)

// Retry bounds the retries of transient failures: 4xx replies that are not
// about the file itself (421 included), network errors, data connections
// cut short (TLS truncation and data connections closed before their
// handshake included), TLS data connections refused for session reuse, and
// a size or checksum that did not match after the transfer. Permanent
// refusals (5xx, and any reply saying that something is not permitted or
// not supported) and local errors are never retried.
//
// Waits grow exponentially from Min to Max with jitter, so that parallel
// transfers do not retry in step.
type Retry struct {
	Attempts int           // attempts in all; 0 means 4, 1 means no retry
	Min      time.Duration // first wait; 0 means 250ms
	Max      time.Duration // longest wait; 0 means 10s
}

func (r Retry) attempts() int {
	if r.Attempts > 0 {
		return r.Attempts
	}
	return 4
}

// wait is the pause before attempt+1: half the exponential step plus a
// random part of the other half ("equal jitter").
func (r Retry) wait(attempt int) time.Duration {
	lo, hi := r.Min, r.Max
	if lo <= 0 {
		lo = 250 * time.Millisecond
	}
	if hi <= 0 {
		hi = 10 * time.Second
	}
	d := min(lo<<min(attempt, 20), hi)
	return d/2 + rand.N(d/2+1)
}

// do runs fn until it succeeds, fails for good, or the attempts run out.
// fn learns the attempt number (0 first) so that it can resume. The error
// returned is the first attempt's, with the later ones attached.
func (r Retry) do(ctx context.Context, fn func(attempt int) error) error {
	var errs []error
	for attempt := 0; ; attempt++ {
		err := fn(attempt)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			// Cancelled: say so, and keep what had gone wrong before.
			if len(errs) > 0 {
				return &RetryError{Err: errs[0], Later: append(errs[1:], err), canceled: ctx.Err()}
			}
			return err
		}
		errs = append(errs, err)
		if !transient(err) || attempt+1 >= r.attempts() {
			if len(errs) == 1 {
				return err
			}
			return &RetryError{Err: errs[0], Later: errs[1:]}
		}
		wait := r.wait(attempt)
		if tr := ftp.ContextTrace(ctx); tr != nil && tr.Retrying != nil {
			tr.Retrying(ctx, ftp.RetryInfo{Attempt: attempt + 1, Wait: wait, Err: err})
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &RetryError{Err: errs[0], Later: errs[1:], canceled: ctx.Err()}
		case <-t.C:
		}
	}
}

// RetryError is the failure of an operation that was tried more than once.
// Err is the first attempt's failure, the real cause (the "452 No space
// left on device" that started it, not the reply to the last retry), and
// errors.Is and errors.As look through to it.
type RetryError struct {
	Err   error   // the first failure
	Later []error // the failures of the later attempts, in order

	canceled error // the context's error, when it ended the retries
}

func (e *RetryError) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	if e.canceled != nil {
		fmt.Fprintf(&b, " (then %v", e.canceled)
	} else {
		fmt.Fprintf(&b, " (%d more attempt", len(e.Later))
		if len(e.Later) > 1 {
			b.WriteByte('s')
		}
		fmt.Fprintf(&b, " failed; last: %v", e.Later[len(e.Later)-1])
	}
	b.WriteByte(')')
	return b.String()
}

// Unwrap returns the first failure and, when the retries were cut short
// by the context, its error, so that errors.Is(err, context.Canceled)
// holds.
func (e *RetryError) Unwrap() []error {
	if e.canceled != nil {
		return []error{e.Err, e.canceled}
	}
	return []error{e.Err}
}

// transient reports whether another attempt, resuming, may succeed.
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var (
		le *LocalError
		ue *UnsafeNameError
		ve *VerifyError
		fe *ftp.Error
	)
	var mt *midTransferError
	switch {
	case errors.As(err, &mt):
		return !errors.As(mt.err, &le) && !errors.Is(mt.err, context.Canceled)
	case errors.As(err, &le), errors.As(err, &ue), errors.Is(err, ftp.ErrInvalidArgument),
		errors.Is(err, errNotResumable), errors.Is(err, errStreamSent), errors.Is(err, errOutputWritten),
		errors.Is(err, errASCIIChecksum):
		return false
	case errors.As(err, &ve):
		return ve.transient
	case errors.Is(err, ftp.ErrDataTLSRefused):
		return true
	case errors.As(err, &fe):
		return fe.Code >= 400 && fe.Code < 500 && !neverSucceeds(fe) &&
			!errors.Is(fe, fs.ErrNotExist) && !errors.Is(fe, fs.ErrPermission)
	}
	var (
		uae x509.UnknownAuthorityError
		hne x509.HostnameError
		cie x509.CertificateInvalidError
		cve *tls.CertificateVerificationError
	)
	if errors.As(err, &uae) || errors.As(err, &hne) || errors.As(err, &cie) || errors.As(err, &cve) {
		return false // a certificate does not fix itself
	}
	if ftp.IsTransient(err) || errors.Is(err, ftp.ErrBroken) {
		return true
	}
	var (
		ne  net.Error
		rhe tls.RecordHeaderError
		ae  tls.AlertError
	)
	// A data stream cut before its TLS close_notify, or a data connection
	// closed before (or during) its handshake, surfaces as one of these.
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.As(err, &ne) || errors.As(err, &rhe) || errors.As(err, &ae) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// neverSucceeds reports a reply that says, whatever its code, that the
// command will not be accepted on this server, such as ProFTPD's "451
// Append/Restart not permitted, try again".
func neverSucceeds(fe *ftp.Error) bool {
	m := strings.ToLower(fe.Msg)
	for _, s := range []string{"not permitted", "not allowed", "not supported", "not implemented", "unknown command", "not understood"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// midTransferError is a failure after data had begun to flow: the server
// accepted the command, so whatever its final reply says (ftpserverlib
// answers "550 Issue during transfer" when the data connection breaks),
// the failure is of the transfer, not a refusal, and resuming may succeed.
type midTransferError struct{ err error }

func (e *midTransferError) Error() string { return e.err.Error() }
func (e *midTransferError) Unwrap() error { return e.err }

// midTransfer marks err as a failure after moved bytes of this attempt
// had passed.
func midTransfer(err error, moved int64) error {
	if err == nil || moved == 0 {
		return err
	}
	return &midTransferError{err}
}
