package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ferryftp/ftp"
)

// maxGreetingWait bounds how long ferry waits for a greeting before it
// suspects an implicit-TLS port: vsftpd's stays silent until the client
// speaks TLS, so without the probe the user would wait the whole timeout.
const maxGreetingWait = 3 * time.Second

// implicitTLSError is a plain connection to a port that speaks TLS from the
// first byte.
type implicitTLSError struct{ Addr string }

func (e *implicitTLSError) Error() string {
	return fmt.Sprintf("%s speaks TLS from the first byte (implicit FTPS): use ftps://%s/", e.Addr, e.Addr)
}

// netError is a failure to reach a server, in one short clause instead of
// Go's chain of "dial tcp ...: connect: ..." wrappers.
type netError struct {
	msg string
	err error
}

func (e *netError) Error() string { return e.msg }
func (e *netError) Unwrap() error { return e.err }

// connect dials addr with d, watching for an implicit-TLS port on a plain
// or explicit dial, and says once when --tls auto found no TLS.
func (a *app) connect(ctx context.Context, d *ftp.Dialer, addr string) (*ftp.Conn, error) {
	c, err := a.dialWatching(ctx, d, addr)
	if err != nil {
		return nil, connectError(addr, err)
	}
	if _, tlsOn := c.TLSConnectionState(); d.TLS == ftp.TLSAuto && !tlsOn {
		a.creds.mu.Lock()
		first := !a.creds.plainNoted
		a.creds.plainNoted = true
		a.creds.mu.Unlock()
		if first {
			a.chatter("ferry: note: %s refused AUTH TLS; going on without encryption (--tls none skips the attempt, --tls explicit requires TLS)", addr)
		}
	}
	return c, nil
}

// dialWatching runs d.Dial, watching for an implicit-TLS port.
func (a *app) dialWatching(ctx context.Context, d *ftp.Dialer, addr string) (*ftp.Conn, error) {
	var c *ftp.Conn
	err := watchImplicit(ctx, d, addr, func(ctx context.Context) error {
		var err error
		c, err = d.Dial(ctx, addr)
		return err
	})
	return c, err
}

// watchImplicit runs connect, which dials addr with d; when no greeting
// has come after a few seconds (or what came is not FTP), it tries one TLS
// handshake on a second connection and, if the port answers it, fails at
// once with advice to use ftps:// rather than waiting out the timeout.
func watchImplicit(ctx context.Context, d *ftp.Dialer, addr string, connect func(context.Context) error) error {
	if d.TLS == ftp.TLSImplicit {
		return connect(ctx)
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = ftp.DefaultTimeout
	}
	wait := min(maxGreetingWait, timeout/4)
	dctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-done:
			return
		case <-t.C:
		}
		if speaksTLS(dctx, addr, wait) {
			cancel(&implicitTLSError{Addr: addr})
		}
	}()
	err := connect(dctx)
	close(done)
	if err != nil {
		var ie *implicitTLSError
		if errors.As(context.Cause(dctx), &ie) {
			err = ie
		}
	}
	cancel(nil)
	wg.Wait()
	var pe *ftp.ProtocolError
	if errors.As(err, &pe) && speaksTLS(ctx, addr, wait) {
		// Bytes that are not a reply: perhaps a TLS record.
		return &implicitTLSError{Addr: addr}
	}
	return err
}

// speaksTLS reports whether addr completes a TLS handshake. It only
// detects: the certificate is not checked because nothing is sent over
// the connection, which is closed at once.
func speaksTLS(ctx context.Context, addr string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, max(timeout, time.Second))
	defer cancel()
	host, _, _ := net.SplitHostPort(addr)
	td := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true, ServerName: host}}
	conn, err := td.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// connectError shortens a failure to reach addr to one clause:
// `connect 127.0.0.1:2129: connection refused`, `cannot resolve host "x"`.
func connectError(addr string, err error) error {
	var (
		ie    *implicitTLSError
		dnse  *net.DNSError
		errno syscall.Errno
		oe    *net.OpError
	)
	switch {
	case errors.As(err, &ie), errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &dnse):
		msg := fmt.Sprintf("cannot resolve host %q", dnse.Name)
		if !dnse.IsNotFound {
			msg += ": " + dnse.Err
		}
		return &netError{msg: msg, err: err}
	case errors.As(err, &oe) && oe.Op == "dial" && errors.As(err, &errno):
		return &opError{Op: "connect", Path: addr, Err: &netError{msg: errno.Error(), err: err}}
	case errors.As(err, &oe) && oe.Op == "dial" && isTimeout(err):
		return &opError{Op: "connect", Path: addr, Err: &netError{msg: "no answer", err: err}}
	case isTimeout(err):
		// Connected, then silence: no greeting, or no answer to AUTH TLS
		// or to the TLS handshake. Go's chain of wrappers says nothing
		// more useful ("read tcp a->b: i/o timeout").
		return &opError{Op: "connect", Path: addr, Err: &netError{msg: "the server accepted the connection but did not answer", err: err}}
	}
	return &opError{Op: "connect", Path: addr, Err: &netError{msg: strings.TrimPrefix(Message(err), "dial "+addr+": "), err: err}}
}
