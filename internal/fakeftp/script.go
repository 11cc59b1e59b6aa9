package fakeftp

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Script is the list of steps played on one control connection.
type Script []Step

// optionalFromStart reports whether the whole script is optional, so that a
// client that never connects for it is not an error.
func (sc Script) optionalFromStart() bool { return len(sc) == 0 || sc[0].optional }

// Step is one action of a Script. Build steps with the functions of this
// package; the zero Step fails when played.
type Step struct {
	desc     string
	run      func(*session) error
	optional bool
}

// String describes the step as it is named in error reports.
func (st Step) String() string { return st.desc }

func step(desc string, run func(*session) error) Step { return Step{desc: desc, run: run} }

// Optional marks the rest of the script as optional: if the client closes the
// connection, goes quiet past the timeout, or the test ends while a later step
// waits, that is not an error. Lines that do arrive must still match.
func Optional() Step { return Step{desc: "Optional()", optional: true} }

// Reply sends each line followed by CRLF, all in one write. Lines are written
// verbatim, so a line may itself hold a bare CR or LF, invalid UTF-8 or
// anything else a hostile server sends.
func Reply(lines ...string) Step {
	return step(fmt.Sprintf("Reply(%s)", quoteAll(lines)), func(ss *session) error {
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(l)
			b.WriteString("\r\n")
		}
		return ss.write([]byte(b.String()))
	})
}

// Raw sends p verbatim on the control connection, with no line ending added.
func Raw(p string) Step {
	return step(fmt.Sprintf("Raw(%q)", clip(p)), func(ss *session) error {
		return ss.write([]byte(p))
	})
}

// Endless writes gen(0), gen(1), ... verbatim on the control connection until
// the client gives up and closes it, which is the step's success. It fails if
// the client neither reads nor closes within the timeout. Use it for an
// endless multi-line reply or a line that never ends:
//
//	fakeftp.Raw("220-Welcome\r\n"),
//	fakeftp.Endless(func(n int) string { return fmt.Sprintf("220-line %d\r\n", n) }),
func Endless(gen func(n int) string) Step {
	return step("Endless(...)", func(ss *session) error {
		if !ss.alive {
			return errControlClosed
		}
		w := bufio.NewWriterSize(ss.conn, 32<<10)
		for n := 0; ; n++ {
			ss.conn.SetWriteDeadline(ss.deadline())
			if _, err := w.WriteString(gen(n)); err != nil {
				if err := ss.srv.classify(err); !errors.Is(err, errClientGone) {
					return err
				}
				ss.alive = false
				ss.conn.Close()
				return nil
			}
		}
	})
}

// Expect reads one client line and requires it to be exactly line (without
// the CRLF). A difference fails the script with a MismatchError.
func Expect(line string) Step {
	return step(fmt.Sprintf("Expect(%q)", line), func(ss *session) error {
		got, err := ss.readLine()
		if err != nil {
			return err
		}
		if got != line {
			return &MismatchError{What: "client line", Want: line, Got: got}
		}
		return nil
	})
}

// ExpectMatch reads one client line and requires it to match pattern, in
// which "*" matches any run of bytes and every other byte matches itself:
// "PORT *" or "EPRT |1|127.0.0.1|*|". What each "*" matched is recorded,
// see Server.Matches.
func ExpectMatch(pattern string) Step {
	return step(fmt.Sprintf("ExpectMatch(%q)", pattern), func(ss *session) error {
		got, err := ss.readLine()
		if err != nil {
			return err
		}
		m, ok := glob(pattern, got)
		if !ok {
			return &MismatchError{What: "client line (pattern)", Want: pattern, Got: got}
		}
		ss.srv.addMatch(m)
		return nil
	})
}

// IPSynch is the Telnet "Interrupt Process" and "Synch" sequence (IAC IP
// IAC DM) that RFC 959 section 4.1 suggests sending before ABOR.
const IPSynch = "\xff\xf4\xff\xf2"

// ExpectUrgent reads one client line and requires it to be line once any
// leading Telnet commands (IAC followed by a byte other than IAC) are taken
// off. It suits ABOR, which clients may precede with IPSynch sent partly as
// TCP urgent data; the fake keeps urgent data inline (SO_OOBINLINE), so the
// full line, prefix included, is in Server.Received for exact assertions.
func ExpectUrgent(line string) Step {
	return step(fmt.Sprintf("ExpectUrgent(%q)", line), func(ss *session) error {
		got, err := ss.readLine()
		if err != nil {
			return err
		}
		if rest := stripTelnet(got); rest != line {
			return &MismatchError{What: "client line (after Telnet commands)", Want: line, Got: got}
		}
		return nil
	})
}

// ExpectEOF requires the client to close (or reset) the control connection
// next; a line instead is a mismatch.
func ExpectEOF() Step {
	return step("ExpectEOF()", func(ss *session) error {
		got, err := ss.readLine()
		if err == nil {
			return &MismatchError{What: "client close", Want: "<EOF>", Got: got}
		}
		if err := ss.srv.classify(err); !errors.Is(err, errClientGone) {
			return err
		}
		ss.alive = false
		return ss.conn.Close()
	})
}

// Stall stops answering: it records client lines without replying until the
// client closes the connection, which must happen within the timeout. Use it
// to test a client's own timeouts.
func Stall() Step {
	return step("Stall()", func(ss *session) error {
		if !ss.alive {
			return errControlClosed
		}
		ss.conn.SetReadDeadline(ss.deadline())
		for {
			line, err := ss.readRaw()
			if err != nil {
				if err := ss.srv.classify(err); !errors.Is(err, errClientGone) {
					return fmt.Errorf("client did not close: %w", err)
				}
				ss.alive = false
				return ss.conn.Close()
			}
			ss.srv.addReceived(line)
		}
	})
}

// Sleep pauses the script for d. Client lines sent meanwhile wait for the
// next Expect.
func Sleep(d time.Duration) Step {
	return step(fmt.Sprintf("Sleep(%v)", d), func(ss *session) error { return ss.wait(d, nil) })
}

// Until pauses the script until the test closes or sends on ch. Waiting longer
// than the timeout fails the step.
func Until(ch <-chan struct{}) Step {
	return step("Until(ch)", func(ss *session) error { return ss.wait(ss.srv.timeout, ch) })
}

// CloseControl closes the control connection cleanly (FIN).
func CloseControl() Step {
	return step("CloseControl()", func(ss *session) error {
		ss.alive = false
		return ss.conn.Close()
	})
}

// CloseWrite half-closes the control connection: the client reads EOF, while
// the fake can still read what the client sends.
func CloseWrite() Step {
	return step("CloseWrite()", func(ss *session) error {
		if !ss.alive {
			return errControlClosed
		}
		cw, ok := ss.conn.(interface{ CloseWrite() error })
		if !ok {
			return fmt.Errorf("%T cannot half-close", ss.conn)
		}
		return cw.CloseWrite()
	})
}

// ResetControl aborts the control connection: with SO_LINGER 0 the close
// sends a TCP RST, and the client's reads fail with "connection reset".
func ResetControl() Step {
	return step("ResetControl()", func(ss *session) error {
		ss.alive = false
		return reset(ss.conn)
	})
}

// Do runs f as a step, for behaviour the other steps do not cover, such as
// replying with text taken from the client's line. An error from f fails the
// script.
func Do(desc string, f func(c *Conn) error) Step {
	return step(fmt.Sprintf("Do(%q)", desc), func(ss *session) error { return f(&Conn{ss}) })
}

// Conn is the control connection as seen by a Do step. It is only valid
// during the call.
type Conn struct{ ss *session }

// ReadLine reads and records one client line, without the CRLF.
func (c *Conn) ReadLine() (string, error) { return c.ss.readLine() }

// Reply sends each line followed by CRLF.
func (c *Conn) Reply(lines ...string) error { return Reply(lines...).run(c.ss) }

// Data waits for the current data connection, like the data steps do.
func (c *Conn) Data() (net.Conn, error) {
	d, err := c.ss.dataConn()
	if err != nil {
		return nil, err
	}
	return d.Conn, nil
}

// reset closes c with a TCP RST, reaching through TLS to the TCP connection:
// a reset sends no close_notify.
func reset(c net.Conn) error {
	raw := c
	for {
		w, ok := raw.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		raw = w.NetConn()
	}
	if tc, ok := raw.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	return raw.Close()
}

// stripTelnet removes leading Telnet commands: IAC and the byte after it,
// unless that byte is IAC too (an escaped 0xFF data byte).
func stripTelnet(s string) string {
	for len(s) >= 2 && s[0] == 0xff && s[1] != 0xff {
		s = s[2:]
	}
	return s
}

// glob matches s against pattern, where "*" matches any run of bytes, and
// returns what each "*" matched. Taking the leftmost match of every literal
// piece between stars is enough to find a match when one exists.
func glob(pattern, s string) ([]string, bool) {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return nil, pattern == s
	}
	rest, ok := strings.CutPrefix(s, parts[0])
	if !ok {
		return nil, false
	}
	var caps []string
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, p)
		if i < 0 {
			return nil, false
		}
		caps = append(caps, rest[:i])
		rest = rest[i+len(p):]
	}
	last := parts[len(parts)-1]
	if !strings.HasSuffix(rest, last) {
		return nil, false
	}
	return append(caps, rest[:len(rest)-len(last)]), true
}

func quoteAll(lines []string) string {
	q := make([]string, len(lines))
	for i, l := range lines {
		q[i] = fmt.Sprintf("%q", clip(l))
	}
	return strings.Join(q, ", ")
}

// clip shortens s for error messages.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
