package ftp

import "io"

// crlfReader turns CRLF into "\n" for ASCII downloads. A CR not followed by
// LF is data and is kept (ftplib splits lines at a lone CR).
type crlfReader struct {
	r    io.Reader
	back []byte // read buffer
	buf  []byte // the part of back not yet converted
	cr   bool   // a CR was read and the byte after it is not known yet
	err  error
}

func (c *crlfReader) Read(p []byte) (int, error) {
	for {
		if len(c.buf) == 0 {
			if c.err != nil {
				if c.cr && len(p) > 0 {
					c.cr = false
					p[0] = '\r'
					return 1, nil
				}
				return 0, c.err
			}
			if c.back == nil {
				c.back = make([]byte, 32<<10)
			}
			n, err := c.r.Read(c.back)
			c.buf, c.err = c.back[:n], err
			continue
		}
		out := 0
		for out < len(p) && len(c.buf) > 0 {
			b := c.buf[0]
			switch {
			case c.cr:
				c.cr = false
				if b == '\n' {
					c.buf = c.buf[1:]
					p[out] = '\n'
				} else {
					p[out] = '\r' // lone CR: keep it, then look at b again
				}
				out++
			case b == '\r':
				c.cr = true
				c.buf = c.buf[1:]
			default:
				p[out] = b
				out++
				c.buf = c.buf[1:]
			}
		}
		if out > 0 || len(p) == 0 {
			return out, nil
		}
	}
}

// lfWriterSource turns "\n" into CRLF for ASCII uploads (RFC 959's NVT-ASCII
// line ending). An existing CRLF is sent unchanged.
type lfWriterSource struct {
	r      io.Reader
	lastCR bool
	buf    []byte
	out    []byte
	err    error
}

func (l *lfWriterSource) Read(p []byte) (int, error) {
	for len(l.out) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		if l.buf == nil {
			l.buf = make([]byte, 16<<10)
		}
		n, err := l.r.Read(l.buf)
		l.err = err
		l.out = l.out[:0]
		for _, b := range l.buf[:n] {
			if b == '\n' && !l.lastCR {
				l.out = append(l.out, '\r')
			}
			l.out = append(l.out, b)
			l.lastCR = b == '\r'
		}
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}
