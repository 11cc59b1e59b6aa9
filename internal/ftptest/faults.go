package ftptest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/afero"
)

// TransferFault selects what happens to file content sent or received by
// RETR, STOR and APPE (listings and HASH are never affected).
type TransferFault int

const (
	// NoFault transfers files normally.
	NoFault TransferFault = iota
	// Truncate ends downloads cleanly after Faults.After bytes, followed by a
	// 226 as if the file were that short; uploads keep only the first After
	// bytes but still get a 226. It models a server that lies about success,
	// which only a size or hash check can catch.
	Truncate
	// Fail sends Faults.After bytes of a download (or accepts After bytes of
	// an upload), then the server closes the data connection and replies
	// "550 Issue during transfer: ...". On a TLS data connection the close is
	// clean (close_notify), so only the reply reveals the failure.
	Fail
	// Drop sends Faults.After bytes of a download (or accepts After bytes of
	// an upload), then replies "426 Failure writing network stream." and
	// drops the control connection, as a crashing or restarting server
	// would. The 4xx code marks the failure transient, so this is the fault
	// for testing a client's reconnect-and-resume (REST) logic.
	Drop
	// Stall blocks the transfer after Faults.After bytes until Faults.Resume
	// is closed, the client aborts (ABOR or closing the data connection, in
	// passive mode), the control connection ends, or the server closes. It
	// is for testing client timeouts and cancellation.
	Stall
)

// String returns the fault's name.
func (f TransferFault) String() string {
	switch f {
	case NoFault:
		return "none"
	case Truncate:
		return "truncate"
	case Fail:
		return "fail"
	case Drop:
		return "drop"
	case Stall:
		return "stall"
	default:
		return fmt.Sprintf("TransferFault(%d)", int(f))
	}
}

// Faults injects failures that client tests need to provoke. The zero value
// injects nothing. Change them while the server runs with Server.SetFaults:
// a transfer fault applies to files opened afterwards, ReplyDelay and
// HangupOn at once.
type Faults struct {
	// Transfer is the fault applied to file content, after After bytes.
	Transfer TransferFault
	// After is the number of file bytes transferred before Transfer strikes.
	After int64
	// Resume, for Stall, releases stalled transfers when closed. With a nil
	// Resume a stall lasts until the client gives up or the server closes.
	Resume <-chan struct{}

	// ReplyDelay holds back the final reply of a transfer or listing (226,
	// or the error) for this long after the passive data connection has been
	// closed, as servers do while they flush or hash a file. Active-mode data
	// connections are not delayed.
	ReplyDelay time.Duration

	// HangupOn makes the server answer the next command with this verb (for
	// example "RETR"; "*" matches any command) with "421 Service not
	// available, closing control connection." and hang up, the way an idle
	// timeout or a restarting server looks to a client. It fires once per
	// SetFaults call, on whichever connection sends the command first.
	HangupOn string
}

// dropReply is what vsftpd answers when a data connection breaks.
const dropReply = "426 Failure writing network stream."

// ErrInjected is the error an injected Fail or Drop fault gives the server's
// transfer code; it appears in the text of Fail's 550 reply.
var ErrInjected = errors.New("ftptest: injected transfer failure")

func (f *Faults) validate() error {
	switch {
	case f.Transfer < NoFault || f.Transfer > Stall:
		return &OptionsError{Field: "Faults.Transfer", Reason: fmt.Sprintf("unknown fault %d", int(f.Transfer))}
	case f.After < 0:
		return &OptionsError{Field: "Faults.After", Reason: "negative byte count"}
	case f.ReplyDelay < 0:
		return &OptionsError{Field: "Faults.ReplyDelay", Reason: "negative duration"}
	case strings.ContainsAny(f.HangupOn, " \t\r\n"):
		return &OptionsError{Field: "Faults.HangupOn", Reason: "not a single command verb"}
	}
	return nil
}

// faultState is one SetFaults generation; fired makes HangupOn one-shot.
type faultState struct {
	Faults
	fired atomic.Bool
}

// SetFaults replaces the fault-injection settings. It returns an
// *OptionsError, and changes nothing, when f is invalid.
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	f.HangupOn = strings.ToUpper(f.HangupOn)
	s.faults.Store(&faultState{Faults: f})
	return nil
}

// shouldHangup consumes the one-shot HangupOn fault if verb matches it.
func (s *Server) shouldHangup(verb string) bool {
	st := s.faults.Load()
	if st.HangupOn == "" || (st.HangupOn != "*" && st.HangupOn != verb) {
		return false
	}
	return st.fired.CompareAndSwap(false, true)
}

// faultFile applies one Faults snapshot to a file being transferred.
type faultFile struct {
	afero.File
	sess    *session
	faults  Faults
	n       int64 // file bytes transferred so far
	stalled bool  // a stall fires once per transfer
}

// limit returns how many more bytes may pass before the fault strikes, or
// -1 once a stall has been served and the transfer runs freely.
func (f *faultFile) limit() int64 {
	if f.stalled {
		return -1
	}
	return f.faults.After - f.n
}

// Read implements io.Reader for downloads.
func (f *faultFile) Read(p []byte) (int, error) {
	if l := f.limit(); l == 0 && len(p) > 0 {
		switch f.faults.Transfer {
		case Truncate:
			return 0, io.EOF
		case Fail:
			return 0, ErrInjected
		case Drop:
			f.sess.replyThenHangUp(dropReply)
			return 0, ErrInjected
		default: // Stall
			f.stalled = true
			if err := f.sess.stall(f.faults.Resume); err != nil {
				return 0, err
			}
		}
	} else if l >= 0 && int64(len(p)) > l {
		p = p[:l]
	}
	n, err := f.File.Read(p)
	f.n += int64(n)
	return n, err
}

// Write implements io.Writer for uploads.
func (f *faultFile) Write(p []byte) (int, error) {
	l := f.limit()
	if l < 0 || int64(len(p)) <= l {
		n, err := f.File.Write(p)
		f.n += int64(n)
		return n, err
	}
	n, err := f.File.Write(p[:l])
	f.n += int64(n)
	if err != nil {
		return n, err
	}
	switch f.faults.Transfer {
	case Truncate:
		return len(p), nil
	case Fail:
		return n, ErrInjected
	case Drop:
		f.sess.replyThenHangUp(dropReply)
		return n, ErrInjected
	default: // Stall
		f.stalled = true
		if err := f.sess.stall(f.faults.Resume); err != nil {
			return n, err
		}
		m, err := f.File.Write(p[n:])
		f.n += int64(m)
		return n + m, err
	}
}

// errStallAborted ends a stalled transfer that the client or the server gave up.
var errStallAborted = errors.New("ftptest: stalled transfer aborted")

// stall blocks until resume is closed (nil is returned) or the transfer is
// abandoned: data connection closed, control connection gone, server closing.
func (s *session) stall(resume <-chan struct{}) error {
	s.mu.Lock()
	wake := s.wake
	s.mu.Unlock()
	select {
	case <-resume:
		return nil
	case <-wake:
	case <-s.gone:
	case <-s.srv.done:
	}
	return errStallAborted
}

// delayReply implements Faults.ReplyDelay; it is called after a passive data
// connection has been closed and before ftpserverlib sends the final reply.
func (s *session) delayReply() {
	d := s.srv.faults.Load().ReplyDelay
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.gone:
	case <-s.srv.done:
	}
}
