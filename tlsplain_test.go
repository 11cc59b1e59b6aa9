package ftp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
)

// TestPlainReplyOnTLSControl: vsftpd, when its session process fails,
// writes "500 OOPS: ..." in plain text on the TLS control connection. The
// error must quote that reply, not crypto/tls's "received record with
// version 3030", and it must not be taken for a refusal of the command.
func TestPlainReplyOnTLSControl(t *testing.T) {
	front, pool := newTLSFront(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		done <- func() error {
			raw, err := ln.Accept()
			if err != nil {
				return err
			}
			defer raw.Close()
			raw.SetDeadline(time.Now().Add(10 * time.Second))
			r := bufio.NewReader(raw)
			raw.Write([]byte("220 hi\r\n"))
			if line, _ := r.ReadString('\n'); line != "AUTH TLS\r\n" {
				return errors.New("want AUTH TLS, got " + line)
			}
			raw.Write([]byte("234 go\r\n"))
			tc := tls.Server(raw, front.cfg)
			if err := tc.Handshake(); err != nil {
				return err
			}
			if line, _ := bufio.NewReader(tc).ReadString('\n'); line != "EPSV\r\n" {
				return errors.New("want EPSV, got " + line)
			}
			_, err = raw.Write([]byte("500 OOPS: priv_sock_get_int\r\n"))
			return err
		}()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := ftp.Dialer{TLS: ftp.TLSExplicit, TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}
	c, err := d.Dial(ctx, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.List(ctx, "")
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
	var pe *ftp.ProtocolError
	if !errors.As(err, &pe) || pe.Line != "500 OOPS: priv_sock_get_int" {
		t.Fatalf("err = %v; want a ProtocolError quoting the plain-text reply", err)
	}
	if !strings.Contains(err.Error(), "plain text") {
		t.Errorf("error does not say the reply was in plain text: %v", err)
	}
}
