package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ferryftp/ftp/internal/cli"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

// Test421Shown: a server that answers "421" to a command the client sends
// on its own (OPTS UTF8 ON, during login) and hangs up: ferry shows the
// server's words, not "server closed the connection".
func Test421Shown(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 hi"),
		fakeftp.Expect("USER alice"), fakeftp.Reply("331 pw"),
		fakeftp.Expect("PASS pw"), fakeftp.Reply("230 in"),
		fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " UTF8", "211 End"),
		fakeftp.Expect("OPTS UTF8 ON"), fakeftp.Reply("421 Too many connections from your address."),
		fakeftp.CloseControl(),
		fakeftp.Optional(),
	})
	var stderr bytes.Buffer
	cli.Main(context.Background(), []string{"--tls", "none", "--retries", "0", "ls", "ftp://alice:pw@" + srv.Addr() + "/"},
		strings.NewReader(""), &bytes.Buffer{}, &stderr, nil)
	if !strings.Contains(stderr.String(), "421 Too many connections from your address.") {
		t.Errorf("stderr does not show the 421:\n%s", stderr.String())
	}
}
