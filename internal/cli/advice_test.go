package cli_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp/internal/cli"
	"github.com/ferryftp/ftp/internal/fakeftp"

	"github.com/ferryftp/ftp/internal/server"
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

// TestPlainToImplicitTLSRecord: a port that answers a plain connection
// with a TLS record (an alert, as some servers send to a client that does
// not speak TLS) is probed once with a handshake and named: use ftps://.
func TestPlainToImplicitTLSRecord(t *testing.T) {
	cert, err := server.NewCertificate(server.CertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert.TLS}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			c, err := l.Accept()
			if err != nil {
				return
			}
			if i == 0 {
				// A fatal TLS alert (protocol version), then hang up.
				c.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46})
				c.Close()
				continue
			}
			tc := tls.Server(c, cfg)
			tc.SetDeadline(time.Now().Add(5 * time.Second))
			tc.Handshake()
			io.Copy(io.Discard, tc)
			tc.Close()
		}
	}()
	var stderr bytes.Buffer
	start := time.Now()
	code := cli.Main(context.Background(), []string{"--retries", "0", "--timeout", "20s", "ls", "ftp://" + l.Addr().String() + "/"},
		strings.NewReader(""), &bytes.Buffer{}, &stderr, nil)
	l.Close()
	<-done
	if code != cli.ExitConnection || !strings.Contains(stderr.String(), "use ftps://"+l.Addr().String()+"/") {
		t.Errorf("exit %d, stderr %q; want 3 and advice to use ftps://", code, stderr.String())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}
