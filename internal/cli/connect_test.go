package cli

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
)

// TestConnectErrorSilentServer: a server that accepts and never speaks
// (no greeting; no answer to a TLS handshake on ftps://) is reported in
// one clause, not Go's chain "read reply: context deadline exceeded: read
// tcp 127.0.0.1:39628->127.0.0.1:2197: i/o timeout".
func TestConnectErrorSilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	addr := ln.Addr().String()
	want := "connect " + addr + ": the server accepted the connection but did not answer"
	for _, tc := range []struct {
		mode ftp.TLSMode
		want string
	}{
		{ftp.TLSNone, want},     // no greeting
		{ftp.TLSImplicit, want}, // no answer to the TLS handshake
	} {
		d := &ftp.Dialer{Timeout: 200 * time.Millisecond, TLS: tc.mode, TLSConfig: &tls.Config{ServerName: "127.0.0.1"}}
		_, err := d.Dial(context.Background(), addr)
		if err == nil {
			t.Fatal("Dial of a silent server succeeded")
		}
		err = connectError(addr, err)
		if got := Message(err); got != tc.want {
			t.Errorf("TLS %v: %q, want %q", tc.mode, got, tc.want)
		}
		if ExitCode(err) != ExitConnection || !isTimeout(err) {
			t.Errorf("TLS %v: exit %d, timeout %v; want %d, true", tc.mode, ExitCode(err), isTimeout(err), ExitConnection)
		}
	}
}
