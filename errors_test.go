package ftp_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/ferryftp/ftp"
)

func TestErrorIs(t *testing.T) {
	const (
		notExist = 1 << iota
		perm
		exist
	)
	for _, tt := range []struct {
		code int
		cmd  string
		msg  string
		want int
	}{
		{550, "RETR f", "Failed to open file.", notExist},
		{550, "SIZE f", "Could not get file size.", notExist},
		{550, "CWD /x", "Failed to change directory.", notExist},
		{550, "DELE f", "Delete operation failed.", notExist},
		{550, "MDTM f", "No such file", notExist},
		{550, "RMD d", "Remove directory operation failed.", notExist},
		{550, "RNFR f", "RNFR command failed.", notExist},
		{550, "NLST x", "No files found", notExist},
		{450, "RETR f", "file unavailable", notExist},
		{550, "retr f", "lower-case verb", notExist},
		{550, "RETR f", "Permission denied.", perm},
		{550, "DELE f", "Access denied", perm},
		{550, "DELE f", "Not enough privileges.", perm},
		{550, "CWD x", "Operation not allowed", perm},
		{550, "DELE /d/f", "Couldn't delete /d/f: operation not permitted", perm},
		{550, "RMD /d", "Read-only file system", perm},
		{530, "USER x", "Login incorrect.", perm},
		{532, "STOR f", "Need account for storing files.", perm},
		{553, "STOR f", "Could not create file.", perm},
		{553, "RNTO f", "Rename failed.", perm},
		{553, "APPE f", "Could not create file.", perm},
		{550, "MKD d", "Create directory operation failed: File exists", exist},
		{553, "MKD d", "Directory already exists", exist},
		{521, "MKD d", `"d" directory already exists`, exist},
		// Not about an existing path: no mapping.
		{550, "STOR f", "Could not create file.", 0},
		{550, "MKD d", "Create directory operation failed.", 0},
		{553, "SITE x", "nope", 0},
		{500, "RETR f", "Unknown command", 0},
		{421, "RETR f", "Timeout.", 0},
		{451, "DELE f", "Local error", 0},
		{550, "", "no command", 0},
	} {
		e := &ftp.Error{Code: tt.code, Msg: tt.msg, Cmd: tt.cmd}
		wrapped := fmt.Errorf("wrapped: %w", e)
		got := 0
		if errors.Is(wrapped, fs.ErrNotExist) {
			got |= notExist
		}
		if errors.Is(wrapped, fs.ErrPermission) {
			got |= perm
		}
		if errors.Is(wrapped, fs.ErrExist) {
			got |= exist
		}
		if got != tt.want {
			t.Errorf("%d to %q (%q): matches %03b, want %03b (notExist, perm, exist from the right)", tt.code, tt.cmd, tt.msg, got, tt.want)
		}
	}
}

func TestErrorMethods(t *testing.T) {
	e := &ftp.Error{Code: 550, Msg: "Failed to open file.", Cmd: "RETR f"}
	if e.Error() != "ftp: RETR f: 550 Failed to open file." || e.Transient() || !e.Permanent() {
		t.Errorf("%q transient=%v permanent=%v", e.Error(), e.Transient(), e.Permanent())
	}
	e = &ftp.Error{Code: 421, Msg: "Too many users"}
	if e.Error() != "ftp: 421 Too many users" || !e.Transient() || e.Permanent() {
		t.Errorf("%q transient=%v permanent=%v", e.Error(), e.Transient(), e.Permanent())
	}
	pe := &ftp.ProtocolError{Cmd: "PASV", Msg: "227 reply without an address", Line: "227 ?"}
	if pe.Error() != `ftp: PASV: protocol error: 227 reply without an address: "227 ?"` {
		t.Errorf("%q", pe.Error())
	}
	ue := &ftp.UnexpectedReplyError{Cmd: "RNFR a", Reply: &ftp.Reply{Code: 200, Lines: []string{"200 ok"}}, Want: "3xx"}
	if ue.Error() != `ftp: RNFR a: unexpected reply "200 ok" (want 3xx)` {
		t.Errorf("%q", ue.Error())
	}
	ae := &ftp.ArgumentError{Cmd: "CWD", Arg: "a\nb", Msg: "argument contains a line feed"}
	if !errors.Is(ae, ftp.ErrInvalidArgument) || ae.Error() != `ftp: CWD: argument contains a line feed: "a\nb"` {
		t.Errorf("%q", ae.Error())
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

var _ net.Error = timeoutErr{}

func TestIsTransient(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&ftp.Error{Code: 421}, true},
		{&ftp.Error{Code: 450}, true},
		{&ftp.Error{Code: 550}, false},
		{&ftp.Error{Code: 530}, false},
		{fmt.Errorf("x: %w", &ftp.Error{Code: 425}), true},
		{context.Canceled, false},
		{errors.Join(context.Canceled, os.ErrDeadlineExceeded), false},
		{context.DeadlineExceeded, true},
		{timeoutErr{}, true},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{syscall.EPIPE, true},
		{syscall.ECONNREFUSED, true},
		{fmt.Errorf("x: %w", ftp.ErrShortTransfer), true},
		{&ftp.ProtocolError{Msg: "bad"}, false},
		{ftp.ErrInvalidArgument, false},
		{ftp.ErrClosed, false},
		{errors.New("other"), false},
	} {
		if got := ftp.IsTransient(tt.err); got != tt.want {
			t.Errorf("IsTransient(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
