package ftp

import (
	"bufio"
	"errors"
	"io"
	"net/textproto"
	"strconv"
	"strings"
)

// Default limits on what the server may send on the control connection.
// They bound memory and stop a hostile or broken server from making the
// client read forever; both can be changed in Dialer.
const (
	// DefaultMaxLineLength is the longest control-connection line accepted,
	// in bytes, without its line ending. ftplib uses 8 KiB; a path of 4 KiB
	// quoted in a 257 reply, with doubled quotes, still fits in 16 KiB.
	DefaultMaxLineLength = 16 << 10

	// DefaultMaxReplySize is the largest whole reply accepted, in bytes. It is
	// large because STAT of a directory returns a listing on the control
	// connection.
	DefaultMaxReplySize = 4 << 20
)

// Reply is a complete server reply: its code and its lines, exactly as
// received but for the line endings.
type Reply struct {
	Code  int
	Lines []string
}

// Message returns the reply text without the reply codes, lines joined with
// "\n". Continuation lines keep their text; a "NNN-" or "NNN " prefix that
// repeats the reply code is removed from them (Pure-FTPd prefixes every line).
func (r *Reply) Message() string {
	if r == nil || len(r.Lines) == 0 {
		return ""
	}
	var b strings.Builder
	for i, l := range r.Lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(stripCode(l, r.Code))
	}
	return b.String()
}

// String returns the reply as received, lines joined with "\n".
func (r *Reply) String() string {
	if r == nil {
		return ""
	}
	return strings.Join(r.Lines, "\n")
}

func (r *Reply) firstLine() string {
	if r == nil || len(r.Lines) == 0 {
		return ""
	}
	return r.Lines[0]
}

// Class is the first digit of the code: 1 preliminary, 2 completion,
// 3 intermediate, 4 transient failure, 5 permanent failure.
func (r *Reply) Class() int { return r.Code / 100 }

// stripCode removes a leading "NNN-" or "NNN " that repeats the code.
func stripCode(line string, code int) string {
	if atoi3(line) == code {
		if len(line) == 3 {
			return ""
		}
		if line[3] == ' ' || line[3] == '-' {
			return line[4:]
		}
	}
	return line
}

// atoi3 returns the value of the first three bytes if they are digits, else -1.
func atoi3(s string) int {
	if len(s) < 3 {
		return -1
	}
	n := 0
	for i := 0; i < 3; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// replyReader reads bounded replies. It uses net/textproto for the line
// reading (CRLF or LF endings; a bare CR stays inside the line, unlike
// ftplib's universal newlines, so "200 a\rb" cannot forge a second reply),
// with a limiter underneath so that no line can grow past maxLine bytes.
type replyReader struct {
	lim      *lineLimiter
	text     *textproto.Reader
	maxReply int
	onLine   func(string) // raw-line trace hook
}

func newReplyReader(r io.Reader, maxLine, maxReply int) *replyReader {
	if maxLine <= 0 {
		maxLine = DefaultMaxLineLength
	}
	if maxReply <= 0 {
		maxReply = DefaultMaxReplySize
	}
	lim := &lineLimiter{r: r, max: maxLine + 2} // + CRLF
	return &replyReader{lim: lim, text: textproto.NewReader(bufio.NewReaderSize(lim, 4096)), maxReply: maxReply}
}

var errLineTooLong = errors.New("line too long")

// readLine reads one line and turns limiter and EOF failures into errors
// that say what happened.
func (rr *replyReader) readLine() (string, error) {
	line, err := rr.text.ReadLine()
	if err != nil {
		if errors.Is(err, errLineTooLong) {
			return "", &ProtocolError{Msg: "reply line longer than " + strconv.Itoa(rr.lim.max-2) + " bytes"}
		}
		if errors.Is(err, io.EOF) {
			return "", errServerClosed
		}
		return "", err
	}
	// The limiter leaves room for CRLF, so a line ended by a bare LF (or
	// one byte over, before CRLF) gets past it: check the line itself.
	if len(line) > rr.lim.max-2 {
		return "", &ProtocolError{Msg: "reply line longer than " + strconv.Itoa(rr.lim.max-2) + " bytes"}
	}
	if rr.onLine != nil {
		rr.onLine(line)
	}
	return line, nil
}

// read reads one complete reply. A multi-line reply ("NNN-" first line) ends
// only at a line that is exactly the same code followed by a space or the end
// of the line, as RFC 959 4.2 requires: "2200 x" or "220x" inside a 220-
// reply is text, not its end (ftplib stops there and loses sync).
func (rr *replyReader) read() (*Reply, error) {
	first, err := rr.readLine()
	if err != nil {
		return nil, err
	}
	code := atoi3(first)
	if code < 100 || code > 599 || (len(first) > 3 && first[3] != ' ' && first[3] != '-') {
		return nil, &ProtocolError{Msg: "reply does not start with a 3-digit code", Line: clip(first)}
	}
	r := &Reply{Code: code, Lines: []string{first}}
	if len(first) == 3 || first[3] == ' ' {
		return r, nil
	}
	size := len(first)
	for {
		line, err := rr.readLine()
		if err != nil {
			return nil, err
		}
		size += len(line) + 1
		if size > rr.maxReply {
			return nil, &ProtocolError{Msg: "multi-line reply longer than " + strconv.Itoa(rr.maxReply) + " bytes", Line: clip(first)}
		}
		r.Lines = append(r.Lines, line)
		if atoi3(line) == code && (len(line) == 3 || line[3] == ' ') {
			return r, nil
		}
	}
}

// buffered reports how many bytes have been read from the connection but
// not yet consumed as replies.
func (rr *replyReader) buffered() int { return rr.text.R.Buffered() }

func clip(s string) string {
	const n = 120
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// lineLimiter passes reads through, failing once more than max bytes arrive
// without a line feed. It bounds memory below textproto, which would
// otherwise grow a line without limit.
type lineLimiter struct {
	r   io.Reader
	max int
	run int // bytes since the last LF
	err error
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	// Never read more than can still complete a line within the limit, so
	// the error surfaces exactly when the limit is passed.
	if room := l.max - l.run + 1; len(p) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			l.run = 0
		} else {
			l.run++
			if l.run > l.max {
				l.err = errLineTooLong
				return n, nil
			}
		}
	}
	return n, err
}
