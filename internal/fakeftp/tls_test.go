package fakeftp_test

import (
	"crypto/tls"
	"errors"
	"io"
	"net/textproto"
	"syscall"
	"testing"

	"github.com/ferryftp/ftp/internal/fakeftp"

	ftpserver "github.com/ferryftp/ftp/internal/server"
)

// testTLS returns a server config with a fresh self-signed certificate for
// 127.0.0.1 and a client config that trusts it and caches sessions.
func testTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	cert, err := ftpserver.NewCertificate(ftpserver.CertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	server = &tls.Config{Certificates: []tls.Certificate{cert.TLS}}
	client = &tls.Config{RootCAs: cert.Pool, ServerName: "127.0.0.1", ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	return server, client
}

// TestTLS plays explicit FTPS: AUTH TLS, PROT P, two protected listings. The
// client resumes its session on the data connections, and the fake sees it.
func TestTLS(t *testing.T) {
	scfg, ccfg := testTLS(t)
	list := fakeftp.Script{
		fakeftp.Expect("EPSV"),
		fakeftp.EPSV(),
		fakeftp.Expect("LIST"),
		fakeftp.Reply("150 here"),
		fakeftp.SendData("file\r\n"),
		fakeftp.CloseData(),
		fakeftp.Reply("226 done"),
	}
	script := fakeftp.Script{
		fakeftp.Reply("220 hi"),
		fakeftp.Expect("AUTH TLS"),
		fakeftp.Reply("234 go ahead"),
		fakeftp.StartTLS(scfg),
		fakeftp.Expect("PROT P"),
		fakeftp.Reply("200 protected"),
		fakeftp.DataTLS(scfg),
	}
	script = append(script, list...)
	script = append(script, list...)
	script = append(script, fakeftp.Expect("QUIT"), fakeftp.ResetControl())
	srv := fakeftp.New(t, script)

	c, nc := client(t, srv)
	readLine(t, c)
	send(t, c, "AUTH TLS")
	readLine(t, c)
	tc := textproto.NewConn(tls.Client(nc, ccfg))
	send(t, tc, "PROT P")
	readLine(t, tc) // also takes in the TLS 1.3 session ticket
	for range 2 {
		send(t, tc, "EPSV")
		d := tls.Client(dialData(t, "127.0.0.1:"+epsvPort(t, readLine(t, tc))), ccfg)
		send(t, tc, "LIST")
		readLine(t, tc)
		if got, err := io.ReadAll(d); string(got) != "file\r\n" || err != nil {
			t.Fatalf("listing %q, %v", got, err)
		}
		readLine(t, tc)
	}
	send(t, tc, "QUIT")
	if _, err := tc.ReadLine(); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("read after ResetControl under TLS: %v, want a reset", err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		st, ok := srv.DataTLS(i)
		if !ok || !st.DidResume {
			t.Errorf("data connection %d: TLS %v, resumed %v; want both", i, ok, st.DidResume)
		}
	}
	if _, ok := srv.DataTLS(2); ok {
		t.Error("DataTLS(2) reported for a connection that does not exist")
	}
}

func TestTLSHandshakeFailureReported(t *testing.T) {
	scfg, _ := testTLS(t)
	r := newRecorder(t)
	srv := fakeftp.New(r, fakeftp.Script{fakeftp.Reply("234 go"), fakeftp.StartTLS(scfg)})
	c, _ := client(t, srv)
	readLine(t, c)
	send(t, c, "not a ClientHello")
	srv.Wait()
	wantReport(t, r, "StartTLS()", "control TLS handshake")
}
