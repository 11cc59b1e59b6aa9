package ftp

import (
	"errors"
	"strings"
	"testing"
)

func TestCommandLine(t *testing.T) {
	tests := []struct {
		verb string
		args []string
		want string
	}{
		{"NOOP", nil, "NOOP"},
		{"LIST", []string{""}, "LIST"}, // ftplib sends "LIST " with a trailing space
		{"CWD", []string{"/a b/c"}, "CWD /a b/c"},
		{"OPTS", []string{"UTF8", "ON"}, "OPTS UTF8 ON"},
		{"RETR", []string{" leading space"}, "RETR  leading space"},
		{"STOR", []string{"caf\xe9\xff"}, "STOR caf\xe9\xff"}, // bytes as given, IAC not doubled
	}
	for _, tt := range tests {
		got, err := commandLine(tt.verb, tt.args...)
		if err != nil || got != tt.want {
			t.Errorf("commandLine(%q, %q) = %q, %v; want %q", tt.verb, tt.args, got, err, tt.want)
		}
	}
}

func TestCommandLineRefusesLineBreaks(t *testing.T) {
	for _, arg := range []string{"a\r\nDELE b", "a\nb", "a\rb", "a\x00b", "\n", "x\r"} {
		line, err := commandLine("RETR", arg)
		var ae *ArgumentError
		if !errors.As(err, &ae) || !errors.Is(err, ErrInvalidArgument) || line != "" {
			t.Errorf("commandLine(RETR, %q) = %q, %v; want an *ArgumentError", arg, line, err)
			continue
		}
		if ae.Cmd != "RETR" || ae.Arg != arg || !strings.Contains(err.Error(), "RETR") {
			t.Errorf("%q: error %+v does not name the command and argument", arg, ae)
		}
	}
	if _, err := commandLine("NO\nOP"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a verb with LF: err = %v", err)
	}
	if _, err := commandLine("CWD", "ok", "bad\r"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a second argument with CR: err = %v", err)
	}
}

// TestFTPLibSanitize mirrors test_sanitize: PASS is masked in anything logged
// or put in an error. Unlike ftplib, every spelling of PASS is masked, and
// ACCT too.
func TestFTPLibSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"foo", "foo"},
		{"pass 12345", "pass ****"},
		{"PASS 12345", "PASS ****"},
		{"Pass 12345", "Pass ****"}, // ftplib leaves this in clear
		{"pAsS a b c", "pAsS ****"},
		{"ACCT secret", "ACCT ****"},
		{"acct secret", "acct ****"},
		{"PASS", "PASS"},
		{"PASSWORD x", "PASSWORD x"},
		{"USER alice", "USER alice"},
		{"SITE PASSWD x", "SITE PASSWD x"},
	}
	for _, tt := range tests {
		if got := redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
