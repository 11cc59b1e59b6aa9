package ftp

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync"
	"time"
)

// tailConn is the TCP connection under a TLS control connection. It keeps
// the last bytes read, so that when the server writes a plain-text reply
// where a TLS record was due (vsftpd does, with "500 OOPS: ..." when its
// session process fails) the reply can be shown: crypto/tls reports only
// the five bytes it took for a record header.
type tailConn struct {
	net.Conn
	mu   sync.Mutex
	tail []byte
}

const tailSize = 512

func (t *tailConn) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if n > 0 {
		t.mu.Lock()
		t.tail = append(t.tail, p[:n]...)
		if len(t.tail) > tailSize {
			t.tail = append(t.tail[:0], t.tail[len(t.tail)-tailSize:]...)
		}
		t.mu.Unlock()
	}
	return n, err
}

// plainLine returns the plain-text line that begins with header, read from
// what the connection has seen and, if the line is not complete yet, a
// little more read from the connection itself.
func (t *tailConn) plainLine(header []byte) string {
	t.mu.Lock()
	i := bytes.LastIndex(t.tail, header)
	var line []byte
	if i >= 0 {
		line = append(line, t.tail[i:]...)
	} else {
		line = append(line, header...)
	}
	t.mu.Unlock()
	if !bytes.ContainsRune(line, '\n') {
		t.Conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		buf := make([]byte, tailSize)
		for len(line) < tailSize && !bytes.ContainsRune(line, '\n') {
			n, err := t.Conn.Read(buf)
			line = append(line, buf[:n]...)
			if err != nil {
				break
			}
		}
		t.Conn.SetReadDeadline(time.Time{})
	}
	s, _, _ := strings.Cut(string(line), "\n")
	return strings.TrimSuffix(s, "\r")
}

// plainReply turns the TLS error for a plain-text FTP reply met where a
// TLS record was due into a ProtocolError quoting that reply. Any other
// error is returned as it is.
func (c *Conn) plainReply(err error) error {
	var rh tls.RecordHeaderError
	t, ok := c.tlsTail()
	if !ok || !errors.As(err, &rh) {
		return err
	}
	h := rh.RecordHeader[:]
	if code := atoi3(string(h)); code < 100 || code > 599 || (h[3] != ' ' && h[3] != '-') {
		return err
	}
	return &ProtocolError{
		Msg:  "the server replied in plain text on the TLS control connection (it failed, or ended TLS)",
		Line: clip(t.plainLine(h)),
	}
}

// tlsTail returns the tailConn under the TLS control connection, if any.
func (c *Conn) tlsTail() (*tailConn, bool) {
	tc, ok := c.conn.(*tls.Conn)
	if !ok {
		return nil, false
	}
	t, ok := tc.NetConn().(*tailConn)
	return t, ok
}
