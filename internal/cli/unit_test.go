package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/ferryftp/ftp"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("other"), ExitOther},
		{usageErrorf("bad"), ExitUsage},
		{&URLError{URL: "x", Reason: "y"}, ExitUsage},
		{&opError{Op: "get", Path: "p", Err: &ftp.ArgumentError{Cmd: "RETR", Arg: "a\nb", Msg: "bad"}}, ExitUsage},
		{&opError{Op: "connect", Path: "h:21", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}, ExitConnection},
		{&opError{Op: "connect", Err: x509.UnknownAuthorityError{}}, ExitConnection},
		{&opError{Op: "ls", Err: &ftp.ProtocolError{Msg: "bad"}}, ExitConnection},
		{&opError{Op: "ls", Err: fmt.Errorf("x: %w", ftp.ErrBroken)}, ExitConnection},
		{&opError{Op: "get", Err: ftp.ErrTLSDowngrade}, ExitConnection},
		{&opError{Op: "get", Err: context.DeadlineExceeded}, ExitConnection},
		{&opError{Op: "get", Err: io.ErrUnexpectedEOF}, ExitConnection},
		{&loginError{User: "u", Err: &ftp.Error{Code: 530, Msg: "no"}}, ExitLogin},
		{&loginError{User: "u", Err: &ftp.Error{Code: 421, Msg: "busy"}}, ExitTransient},
		{&opError{Op: "get", Err: &ftp.Error{Code: 550, Msg: "no"}}, ExitPermanent},
		{&opError{Op: "get", Err: &ftp.Error{Code: 451, Msg: "later"}}, ExitTransient},
		{&opError{Op: "get", Err: &localError{Op: "write", Path: "f", Err: syscall.ENOSPC}}, ExitLocal},
		{&opError{Op: "get", Err: &verifyError{Path: "f", Msg: "short"}}, ExitIncomplete},
		{&opError{Op: "get", Err: fmt.Errorf("x: %w", ftp.ErrShortTransfer)}, ExitIncomplete},
		{&opError{Op: "get", Err: context.Canceled}, ExitInterrupted},
		{&unsafeNameError{Dir: ".", Name: "../x"}, ExitConnection},
		{&statusError{code: 6}, 6},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestMessage(t *testing.T) {
	err := &opError{Op: "get", Path: "pub/x", Err: &ftp.Error{Code: 550, Msg: "No such file\nreally", Cmd: "RETR pub/x"}}
	if got, want := Message(err), "get pub/x: no such file (550 No such file really)"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	// vsftpd lists a missing directory as empty; the library's ReadDir says
	// fs.ErrNotExist without a reply to quote.
	vs := &opError{Op: "ls", Path: "nope", Err: fmt.Errorf("ftp: LIST nope: %w", fs.ErrNotExist)}
	if got := Message(vs); !strings.HasPrefix(got, "ls nope: no such directory") {
		t.Errorf("Message = %q, want no such directory", got)
	}
	if got := ExitCode(vs); got != ExitPermanent {
		t.Errorf("ExitCode(%v) = %d, want %d", vs, got, ExitPermanent)
	}
	login := &opError{Op: "ls", Path: ".", Err: &loginError{User: "bob", Err: &ftp.Error{Code: 530, Msg: "Login incorrect."}}}
	if got, want := Message(login), "login as bob refused: 530 Login incorrect."; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	if !errors.Is(&ftp.Error{Code: 550, Msg: "x", Cmd: "RETR f"}, fs.ErrNotExist) {
		t.Error("a 550 to RETR should match fs.ErrNotExist")
	}
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ls  -l  ", []string{"ls", "-l"}},
		{`get "a file.txt" 'b c'`, []string{"get", "a file.txt", "b c"}},
		{`put a\ b c`, []string{"put", "a b", "c"}},
		{`cd ""`, []string{"cd", ""}},
		{`x 'no \escape'`, []string{"x", `no \escape`}},
		{"ls\r", []string{"ls"}},
	}
	for _, tt := range tests {
		got, err := splitWords(tt.in)
		if err != nil {
			t.Errorf("splitWords(%q): %v", tt.in, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("splitWords(%q) (-want +got):\n%s", tt.in, d)
		}
	}
	if _, err := splitWords(`get "open`); err == nil {
		t.Error("unterminated quote accepted")
	}
}

func TestCheckName(t *testing.T) {
	for _, bad := range []string{"", ".", "..", "a/b", "../x", "/abs", "nul\x00", "cr\rlf\n"} {
		if checkName("d", bad) == nil {
			t.Errorf("checkName(%q) accepted", bad)
		}
	}
	for _, good := range []string{"a", ".hidden", "..dots", "a b", "é"} {
		if err := checkName("d", good); err != nil {
			t.Errorf("checkName(%q): %v", good, err)
		}
	}
}

func TestPrintable(t *testing.T) {
	if got := printable("plain name"); got != "plain name" {
		t.Errorf("printable changed a plain name: %q", got)
	}
	if got := printable("evil\x1b[2Jname"); strings.ContainsRune(got, 0x1b) {
		t.Errorf("printable let an escape through: %q", got)
	}
}

func TestFixServeTLS(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"serve", "--tls"}, []string{"serve", "--tls=explicit"}},
		{[]string{"serve", "--tls", "dir"}, []string{"serve", "--tls=explicit", "dir"}},
		{[]string{"serve", "--tls", "implicit"}, []string{"serve", "--tls", "implicit"}},
		{[]string{"ls", "--tls", "x"}, []string{"ls", "--tls", "x"}},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, fixServeTLS(tt.in)); d != "" {
			t.Errorf("fixServeTLS(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

// TestShorten: bar labels keep the end of a long name, cut at a rune
// boundary, and an ASCII name stays ASCII (a rune from U+0300 up makes the
// bars' width tables fill 2 MiB).
func TestShorten(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"short.bin", "short.bin"},
		{"a-rather-long-file-name.bin", "...name.bin"},
		{"données-très-longues.bin", "...gues.bin"},
		{"長い名前のファイル.bin", "...ル.bin"},
	} {
		got := shorten(tc.in, 11)
		if got != tc.want || len(got) > 11 || !utf8.ValidString(got) {
			t.Errorf("shorten(%q, 11) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
