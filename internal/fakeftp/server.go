package fakeftp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DefaultTimeout bounds every blocking step when Config.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Config holds the settings of a fake server. The zero value is ready to use.
type Config struct {
	// IPv6 makes the server listen on [::1] instead of 127.0.0.1. Start skips
	// the test when the host has no IPv6 loopback.
	IPv6 bool
	// Timeout bounds each step that waits for the client: a line, a data
	// connection, an upload, a close. Zero means DefaultTimeout.
	Timeout time.Duration
}

// Server is a fake FTP server playing one script per control connection.
// Its methods are safe to call from any goroutine.
type Server struct {
	t       testing.TB
	timeout time.Duration
	ln      net.Listener
	host    string
	port    int
	scripts []Script

	quit chan struct{} // closed by Close: unblocks sleeps and waits
	done chan struct{} // closed when every script has run or failed
	wg   sync.WaitGroup

	mu       sync.Mutex
	closing  bool
	closers  []io.Closer // connections and listeners to close in Close
	received []string
	uploads  [][]byte
	matches  [][]string
	dataTLS  map[int]tls.ConnectionState
	errs     []error
}

// New starts a fake server on 127.0.0.1 with the default Config. Each script
// serves one control connection, in the order the client connects. The server
// is closed, and its errors reported with t.Errorf, when the test ends.
func New(t testing.TB, scripts ...Script) *Server {
	t.Helper()
	return Config{}.Start(t, scripts...)
}

// Start starts a fake server with this configuration; see New.
func (c Config) Start(t testing.TB, scripts ...Script) *Server {
	t.Helper()
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	network, addr := "tcp4", "127.0.0.1:0"
	if c.IPv6 {
		network, addr = "tcp6", "[::1]:0"
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		if c.IPv6 {
			t.Skipf("fakeftp: no IPv6 loopback: %v", err)
		}
		t.Fatalf("fakeftp: %v", err)
	}
	ta := ln.Addr().(*net.TCPAddr)
	s := &Server{
		t:       t,
		timeout: c.Timeout,
		ln:      ln,
		host:    ta.IP.String(),
		port:    ta.Port,
		scripts: scripts,
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	t.Cleanup(s.cleanup)
	s.wg.Add(1)
	go s.run()
	return s
}

// Addr returns the control address, "host:port".
func (s *Server) Addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// Host returns the listening IP address: "127.0.0.1" or "::1".
func (s *Server) Host() string { return s.host }

// Port returns the listening TCP port.
func (s *Server) Port() int { return s.port }

// Received returns every line the client sent so far, over all control
// connections, without the CRLF. Lines are byte-exact: a Telnet prefix before
// ABOR, a bare CR or invalid UTF-8 is kept.
func (s *Server) Received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

// Uploaded returns the bytes read from each data connection so far, one entry
// per data connection in the order they were established.
func (s *Server) Uploaded() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, len(s.uploads))
	for i, u := range s.uploads {
		out[i] = append([]byte{}, u...)
	}
	return out
}

// Matches returns, for each ExpectMatch step that passed, the text matched by
// each "*" of its pattern.
func (s *Server) Matches() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]string(nil), s.matches...)
}

// Done returns a channel closed when every script has finished or failed.
func (s *Server) Done() <-chan struct{} { return s.done }

// Wait waits until every script has finished or failed and returns the errors
// so far, joined. Every step is bounded by the timeout, so Wait returns.
func (s *Server) Wait() error {
	<-s.done
	return s.Err()
}

// Err returns the errors recorded so far, joined, or nil.
func (s *Server) Err() error { return errors.Join(s.Errors()...) }

// Errors returns the errors recorded so far: failed steps, unexpected lines
// after a script ended, scripts that never ran.
func (s *Server) Errors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}

// Close stops the server: it closes the listener and every connection, wakes
// every waiting step and waits for its goroutines. A script still running is
// recorded as failed with ErrInterrupted unless it is in its Optional tail.
// Close is idempotent and is called automatically when the test ends. It
// must not be called from inside a Do step.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		close(s.quit)
		for _, c := range s.closers {
			c.Close()
		}
		s.closers = nil
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) cleanup() {
	s.t.Helper()
	// The client's last exchange can end the test while the script still
	// has a step to take after it (closing the connection after 221, say):
	// give it a moment to finish before cutting it off and calling it
	// unfinished.
	select {
	case <-s.done:
	case <-time.After(cleanupGrace):
	}
	s.Close()
	errs := s.Errors()
	for _, err := range errs {
		s.t.Errorf("%v", err)
	}
	if len(errs) > 0 {
		// The last client lines usually explain a failure at a glance.
		got := s.Received()
		got = got[max(0, len(got)-20):]
		s.t.Logf("fakeftp: last %d client lines: %q", len(got), got)
	}
}

// cleanupGrace bounds how long cleanup waits for a script to finish.
const cleanupGrace = time.Second

// run plays the scripts, one accepted connection each. A failure ends the
// run: the later scripts depend on the earlier ones having worked.
func (s *Server) run() {
	defer s.wg.Done()
	defer close(s.done)
	defer s.ln.Close()
	for i, sc := range s.scripts {
		conn, err := s.accept()
		if err != nil {
			if !sc.optionalFromStart() {
				s.fail(&StepError{Conn: i, Desc: "accept", Err: fmt.Errorf("%w: %w", ErrNoConnection, err)})
			}
			return
		}
		if !newSession(s, i, conn).play(sc) {
			return
		}
	}
}

func (s *Server) accept() (net.Conn, error) {
	s.ln.(*net.TCPListener).SetDeadline(time.Now().Add(s.timeout))
	c, err := s.ln.Accept()
	if err != nil {
		return nil, s.classify(err)
	}
	if !s.track(c) {
		return nil, ErrInterrupted
	}
	// The client's urgent Synch byte must stay in the stream, where the ABOR
	// step can see it, instead of being dropped as out-of-band data.
	if err := setOOBInline(c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// track registers c to be closed by Close. It reports false, after closing c,
// when the server is already closing.
func (s *Server) track(c io.Closer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		c.Close()
		return false
	}
	s.closers = append(s.closers, c)
	return true
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

func (s *Server) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, err)
}

func (s *Server) goroutine(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

func (s *Server) addReceived(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, line)
}

func (s *Server) addMatch(m []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.matches = append(s.matches, m)
}

// newUpload starts the record of a new data connection and returns its index.
func (s *Server) newUpload() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploads = append(s.uploads, []byte{})
	return len(s.uploads) - 1
}

func (s *Server) addUpload(i int, p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploads[i] = append(s.uploads[i], p...)
}

// errClientGone means the client closed or reset the connection.
var errClientGone = errors.New("client closed the connection")

// errControlClosed means an earlier step closed the control connection.
var errControlClosed = errors.New("control connection already closed by the script")

// classify maps network errors to the package's sentinels, so that reports
// say what happened in test terms.
func (s *Server) classify(err error) error {
	var me *MismatchError
	switch {
	case err == nil, errors.As(err, &me):
		return err
	case s.isClosing() && !errors.Is(err, ErrInterrupted):
		return fmt.Errorf("%w (%v)", ErrInterrupted, err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%w (%v)", ErrTimeout, err)
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return fmt.Errorf("%w (%v)", errClientGone, err)
	}
	return err
}

// isEnd reports whether err only means the client (or the test) stopped
// early, which is fine in an Optional tail; a mismatch is never an end.
func isEnd(err error) bool {
	return errors.Is(err, ErrInterrupted) || errors.Is(err, ErrTimeout) ||
		errors.Is(err, errClientGone) || errors.Is(err, errControlClosed)
}
