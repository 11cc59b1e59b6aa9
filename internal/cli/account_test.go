package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ferryftp/ftp/internal/cli"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

// TestAccount logs in to a server that asks for an account (332): --account
// is sent with ACCT, and the trace masks it like the password.
func TestAccount(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 mainframe"),
		fakeftp.Expect("USER alice"),
		fakeftp.Reply("331 password"),
		fakeftp.Expect("PASS Pw-1234567"),
		fakeftp.Reply("332 account please"),
		fakeftp.Expect("ACCT Acct-98765"),
		fakeftp.Reply("230 in"),
		fakeftp.Expect("FEAT"),
		fakeftp.Reply("502 no features"),
		fakeftp.Expect("NOOP"),
		fakeftp.Reply("200 fine"),
		fakeftp.Expect("QUIT"),
		fakeftp.Reply("221 bye"),
	})
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(),
		[]string{"--tls", "none", "-d", "--account", "Acct-98765", "quote", "ftp://alice:Pw-1234567@" + srv.Addr() + "/", "NOOP"},
		strings.NewReader(""), &stdout, &stderr, nil)
	if code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr.String())
	}
	if got := stdout.String(); got != "200 fine\n" {
		t.Errorf("stdout = %q", got)
	}
	for _, secret := range []string{"Pw-1234567", "Acct-98765"} {
		if strings.Contains(stderr.String()+stdout.String(), secret) {
			t.Errorf("output shows %q:\n%s", secret, stderr.String())
		}
	}
	if !strings.Contains(stderr.String(), "> ACCT ") {
		t.Errorf("no ACCT in the trace:\n%s", stderr.String())
	}
}

// TestAccountMissing: a server asking for an account when none was given
// is a refused login.
func TestAccountMissing(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 mainframe"),
		fakeftp.Expect("USER alice"),
		fakeftp.Reply("331 password"),
		fakeftp.Expect("PASS pw"),
		fakeftp.Reply("332 account please"),
		fakeftp.Optional(),
		fakeftp.ExpectEOF(),
	})
	var stderr bytes.Buffer
	code := cli.Main(context.Background(), []string{"--tls", "none", "--retries", "0", "ls", "ftp://alice:pw@" + srv.Addr() + "/"},
		strings.NewReader(""), &bytes.Buffer{}, &stderr, nil)
	if code != cli.ExitLogin {
		t.Errorf("exit status %d, want %d; stderr:\n%s", code, cli.ExitLogin, stderr.String())
	}
}
