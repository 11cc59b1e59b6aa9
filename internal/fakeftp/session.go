package fakeftp

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// maxLine bounds one client line, so a runaway client cannot exhaust memory.
const maxLine = 64 << 10

// session is the state of one control connection while its script plays.
// Only the goroutine running the script touches it.
type session struct {
	srv   *Server
	index int
	conn  net.Conn
	r     *bufio.Reader
	alive bool // false once a step closed the control connection

	lastPort string    // the client's last PORT or EPRT line, for Connect
	data     *dataConn // the current data connection
	dataLn   net.Listener
	pending  chan accepted // the accept in flight for the last Passive step
	dataTLS  *tls.Config   // set by DataTLS
}

type dataConn struct {
	net.Conn
	upload int // index into Server.uploads
}

type accepted struct {
	conn *dataConn
	err  error
}

func newSession(s *Server, index int, conn net.Conn) *session {
	return &session{srv: s, index: index, conn: conn, r: bufio.NewReader(conn), alive: true}
}

// play runs the script and reports whether the next script may run.
func (ss *session) play(sc Script) bool {
	optional := false
	for i, st := range sc {
		if st.optional {
			optional = true
			continue
		}
		err := ss.srv.classify(ss.runStep(st))
		if err == nil {
			continue
		}
		if optional && isEnd(err) {
			ss.finish(len(sc))
			return true
		}
		ss.srv.fail(&StepError{Conn: ss.index, Step: i, Desc: st.String(), Err: err})
		ss.closeData()
		ss.conn.Close()
		return false
	}
	ss.finish(len(sc))
	return true
}

func (ss *session) runStep(st Step) error {
	if st.run == nil {
		return errors.New("zero Step: build steps with the package's functions")
	}
	return st.run(ss)
}

// finish ends a completed script of n steps: data connections are closed,
// and the control connection is watched until the client closes it, so that
// any further line is reported.
func (ss *session) finish(n int) {
	ss.closeData()
	if !ss.alive {
		return
	}
	ss.conn.SetReadDeadline(time.Time{})
	ss.srv.goroutine(func() {
		defer ss.conn.Close()
		line, err := ss.readRaw()
		if err != nil {
			return // the client closed, or the server did
		}
		ss.srv.addReceived(line)
		ss.srv.fail(&StepError{Conn: ss.index, Step: n, Desc: "after the end of the script",
			Err: fmt.Errorf("unexpected client line %q", line)})
	})
}

func (ss *session) closeData() {
	if ss.dataLn != nil {
		// Once the listener is closed the accept goroutine answers at once;
		// a connection it did accept is closed too, so no client waits on it.
		ss.dataLn.Close()
		if a := <-ss.pending; a.conn != nil {
			a.conn.Close()
		}
		ss.dataLn, ss.pending = nil, nil
	}
	if ss.data != nil {
		ss.data.Close()
		ss.data = nil
	}
}

func (ss *session) deadline() time.Time { return time.Now().Add(ss.srv.timeout) }

// readLine reads one client line within the timeout and records it.
func (ss *session) readLine() (string, error) {
	if !ss.alive {
		return "", errControlClosed
	}
	ss.conn.SetReadDeadline(ss.deadline())
	line, err := ss.readRaw()
	if err != nil {
		return "", err
	}
	ss.srv.addReceived(line)
	if up := strings.ToUpper(line); strings.HasPrefix(up, "PORT ") || strings.HasPrefix(up, "EPRT ") {
		ss.lastPort = line
	}
	return line, nil
}

// readRaw reads up to LF and returns the line without its CRLF. A line ended
// by a bare LF is an error: FTP commands end in CRLF, and tests of a client
// must notice when it sends anything else.
func (ss *session) readRaw() (string, error) {
	var buf []byte
	for {
		frag, err := ss.r.ReadSlice('\n')
		buf = append(buf, frag...)
		if len(buf) > maxLine {
			return "", fmt.Errorf("client line longer than %d bytes: %q…", maxLine, buf[:64])
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(buf) > 0 {
			// Not wrapped: a cut-off line is a client bug even where the
			// client may close, as in an Optional tail or ExpectEOF.
			return "", fmt.Errorf("client sent %q without CRLF, then: %v", buf, ss.srv.classify(err))
		}
		return "", err
	}
	line, ok := bytes.CutSuffix(buf, []byte("\r\n"))
	if !ok {
		return "", fmt.Errorf("client line %q ends in a bare LF, not CRLF", buf)
	}
	return string(line), nil
}

func (ss *session) write(p []byte) error {
	if !ss.alive {
		return errControlClosed
	}
	ss.conn.SetWriteDeadline(ss.deadline())
	_, err := ss.conn.Write(p)
	return err
}

// wait blocks for d, or until ch fires when ch is not nil, or until Close.
func (ss *session) wait(d time.Duration, ch <-chan struct{}) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		if ch != nil {
			return fmt.Errorf("%w: the channel did not fire within %v", ErrTimeout, d)
		}
		return nil
	case <-ch:
		return nil
	case <-ss.srv.quit:
		return ErrInterrupted
	}
}
