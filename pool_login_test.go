package ftp_test

import (
	"bufio"
	"context"
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
// (called once per PASS, in the order they arrive), FEAT and QUIT. It
// counts the connections greeted and the PASS commands.
type loginServer struct {
	ln     net.Listener
	accept func(n int) (reply string)
	wg     sync.WaitGroup

	mu      sync.Mutex
	greeted int
	passes  int
	conns   []net.Conn
}

func startLoginServer(t *testing.T, accept func(n int) string) *loginServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &loginServer{ln: ln, accept: accept}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.wg.Add(1)
			go s.serve(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *loginServer) serve(c net.Conn) {
	defer s.wg.Done()
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
		case "USER":
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

// borrowAll asks for n connections at once and returns each call's error,
// giving back those it got.
func borrowAll(ctx context.Context, cl *ftp.Client, n int) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
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
	return errs
}

// Wrong credentials, four connections wanted at once: the server sees one
// password, not four at the same moment (servers that ban an address
// after a few failed logins would count four), and every caller gets its
// refusal.
func TestClientLogsInOnceBeforeTheOthers(t *testing.T) {
	var srv *loginServer
	srv = startLoginServer(t, func(n int) string {
		// Every caller has begun (its connection is open) before the
		// refusal, which is then the answer to each.
		for deadline := time.Now().Add(5 * time.Second); n == 1 && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if greeted, _ := srv.count(); greeted == 4 {
				break
			}
		}
		return "530 Login incorrect."
	})
	cl := &ftp.Client{Addr: srv.ln.Addr().String(), User: "u", Password: "wrong", MaxConns: 4}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, err := range borrowAll(ctx, cl, 4) {
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
	if _, _, err := cl.Conn(ctx); err == nil {
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
	waitFor := func(cond func(greeted, passes int) bool) {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if cond(srv.count()) {
				return
			}
		}
	}
	srv = startLoginServer(t, func(n int) string {
		if n == 1 {
			waitFor(func(greeted, _ int) bool { return greeted == 4 })
		} else {
			waitFor(func(_, passes int) bool { return passes == 4 })
		}
		if g, p := srv.count(); (n == 1 && g < 4) || (n > 1 && p < 4) {
			return "530 waited in vain"
		}
		return "230 welcome"
	})
	cl := &ftp.Client{Addr: srv.ln.Addr().String(), User: "u", Password: "right", MaxConns: 4}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i, err := range borrowAll(ctx, cl, 4) {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
}
