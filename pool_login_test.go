package ftp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io/fs"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
)

// loginServer answers logins only: USER, then PASS with accept's answer
// (called once per PASS, in the order they arrive), FEAT and QUIT; with
// tls set, AUTH TLS on the first connection that asks, and a refusal on
// the others. It counts the connections greeted, USER and PASS commands.
type loginServer struct {
	*loopback
	accept func(n int) (reply string)
	tls    *tls.Config

	mu      sync.Mutex
	greeted int
	users   int
	passes  int
	auths   int
}

func startLoginServer(t *testing.T, tlsConfig *tls.Config, accept func(n int) string) *loginServer {
	s := &loginServer{accept: accept, tls: tlsConfig}
	s.loopback = listenLoopback(t, s.serve)
	return s
}

func (s *loginServer) serve(c net.Conn) {
	defer c.Close()
	s.mu.Lock()
	s.greeted++
	s.mu.Unlock()
	c.Write([]byte("220 ready\r\n"))
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		var reply string
		switch verb {
		case "AUTH":
			s.mu.Lock()
			s.auths++
			first := s.auths == 1
			s.mu.Unlock()
			if s.tls == nil || !first {
				reply = "500 no TLS here"
				break
			}
			c.Write([]byte("234 go ahead\r\n"))
			c = tls.Server(c, s.tls)
			r = bufio.NewReader(c)
			continue
		case "PBSZ", "PROT":
			reply = "200 ok"
		case "USER":
			s.mu.Lock()
			s.users++
			s.mu.Unlock()
			reply = "331 password please"
		case "PASS":
			s.mu.Lock()
			s.passes++
			n := s.passes
			s.mu.Unlock()
			reply = s.accept(n)
		case "FEAT":
			reply = "211-Features:\r\n EPSV\r\n211 End"
		case "QUIT":
			c.Write([]byte("221 bye\r\n"))
			return
		default:
			reply = "502 not here"
		}
		if _, err := c.Write([]byte(reply + "\r\n")); err != nil {
			return
		}
	}
}

func (s *loginServer) count() (greeted, passes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.greeted, s.passes
}

// waitFor waits up to five seconds for cond to hold of the counts, and
// reports whether it did.
func (s *loginServer) waitFor(cond func(greeted, passes int) bool) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond(s.count()) {
			return true
		}
	}
	return false
}

// borrowAll makes a Client of four connections logging in with password
// and asks for all four at once; it returns each call's error, having
// given back the connections it got, and the Client.
func borrowAll(t *testing.T, srv *loginServer, password string) (*ftp.Client, []error) {
	cl := &ftp.Client{Addr: srv.Addr(), User: "u", Password: password, MaxConns: 4}
	t.Cleanup(func() { cl.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, release, err := cl.Conn(ctx)
			if err == nil {
				release()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	return cl, errs
}

// Wrong credentials, four connections wanted at once: the server sees one
// password, not four at the same moment (servers that ban an address
// after a few failed logins would count four), and every caller gets its
// refusal.
func TestClientLogsInOnceBeforeTheOthers(t *testing.T) {
	var srv *loginServer
	srv = startLoginServer(t, nil, func(n int) string {
		// Every caller has begun (its connection is open) before the
		// refusal, which is then the answer to each.
		if n == 1 {
			srv.waitFor(func(greeted, _ int) bool { return greeted == 4 })
		}
		return "530 Login incorrect."
	})
	cl, errs := borrowAll(t, srv, "wrong")
	for i, err := range errs {
		var fe *ftp.Error
		if !errors.As(err, &fe) || fe.Code != 530 || !errors.Is(err, fs.ErrPermission) {
			t.Errorf("caller %d: %v, want the 530 refusal", i, err)
		}
	}
	if _, passes := srv.count(); passes != 1 {
		t.Errorf("the server saw %d passwords, want 1", passes)
	}
	// A later call tries again (the password may have been fixed on the
	// server meanwhile): once.
	if _, _, err := cl.Conn(context.Background()); err == nil {
		t.Fatal("Conn after a refusal: no error")
	}
	if _, passes := srv.count(); passes != 2 {
		t.Errorf("after a second call the server saw %d passwords, want 2", passes)
	}
}

// While the first login is under way the other connections are dialled
// and greeted, and once it is accepted they log in side by side: the
// server answers the first PASS only when all four connections are open,
// and the other three only when all three have arrived. A Client that
// dialled after the first login, or logged in one at a time throughout,
// would never finish.
func TestClientLogsInSideBySideOnceAccepted(t *testing.T) {
	var srv *loginServer
	srv = startLoginServer(t, nil, func(n int) string {
		ok := srv.waitFor(func(greeted, passes int) bool {
			return (n == 1 && greeted == 4) || (n > 1 && passes == 4)
		})
		if !ok {
			return "530 waited in vain"
		}
		return "230 welcome"
	})
	_, errs := borrowAll(t, srv, "right")
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
}

// Under TLSAuto, once a connection of the Client has had TLS, a later
// connection whose AUTH TLS is refused (a refusal anyone on the path can
// forge) is closed before USER: the password never goes out in plain text.
func TestClientTLSAutoPinned(t *testing.T) {
	server, client := selfSignedTLS(t)
	srv := startLoginServer(t, server, func(int) string { return "230 welcome" })
	cl := &ftp.Client{Addr: srv.Addr(), User: "u", Password: "secret", MaxConns: 2,
		Dialer: ftp.Dialer{TLS: ftp.TLSAuto, TLSConfig: client}}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c1, release, err := cl.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, on := c1.TLSConnectionState(); !on {
		t.Fatal("the first connection has no TLS")
	}
	if _, _, err := cl.Conn(ctx); !errors.Is(err, ftp.ErrTLSDowngrade) {
		t.Fatalf("second connection: %v, want ErrTLSDowngrade", err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.users != 1 || srv.auths != 2 {
		t.Errorf("%d USER after %d AUTH TLS, want 1 after 2", srv.users, srv.auths)
	}
}
