package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ferryftp/ftp/internal/cli"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

// TestAdviceRequiresTLS: vsftpd's refusal of a plain-text login names the
// flag that gets past it.
func TestAdviceRequiresTLS(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Reply("220 (vsFTPd 3.0.3)"),
		fakeftp.Expect("USER alice"),
		fakeftp.Reply("530 Non-anonymous sessions must use encryption."),
		fakeftp.Optional(),
		fakeftp.ExpectEOF(),
	})
	var stderr bytes.Buffer
	code := cli.Main(context.Background(), []string{"--tls", "none", "--retries", "0", "ls", "ftp://alice:pw@" + srv.Addr() + "/"},
		strings.NewReader(""), &bytes.Buffer{}, &stderr, nil)
	if code != cli.ExitLogin {
		t.Errorf("exit status %d, want %d", code, cli.ExitLogin)
	}
	if !strings.Contains(stderr.String(), "must use encryption") || !strings.Contains(stderr.String(), "use --tls explicit") {
		t.Errorf("stderr does not give the server's reason and --tls explicit:\n%s", stderr.String())
	}
}
