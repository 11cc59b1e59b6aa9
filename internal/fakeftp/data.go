package fakeftp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Passive opens a data listener on the server's own loopback address and
// replies with template after expanding these placeholders:
//
//	{h}     the listener's IPv4 address with commas: 127,0,0,1
//	{p1}    port / 256
//	{p2}    port % 256
//	{port}  the port in decimal
//	{ip}    the listener's address: 127.0.0.1 or ::1
//
// Text without placeholders is sent as is, so a script can advertise a bogus
// address ("227 (252,253,254,255,{p1},{p2})"), an overflowing port
// ("227 (127,0,0,1,300,1)") or any other malformed form while the listener
// still waits. The listener accepts one connection, whenever the client
// makes it; the data steps that follow wait for it. A new Passive or Connect
// step closes the previous data connection.
func Passive(template string) Step {
	return step(fmt.Sprintf("Passive(%q)", template), func(ss *session) error {
		ln, err := net.Listen("tcp", net.JoinHostPort(ss.srv.host, "0"))
		if err != nil {
			return err
		}
		if !ss.srv.track(ln) {
			return ErrInterrupted
		}
		ss.closeData()
		ch := make(chan accepted, 1)
		ss.dataLn, ss.pending = ln, ch
		s := ss.srv
		s.goroutine(func() {
			defer ln.Close()
			c, err := ln.Accept()
			if err != nil {
				ch <- accepted{err: err}
				return
			}
			if !s.track(c) {
				ch <- accepted{err: ErrInterrupted}
				return
			}
			ch <- accepted{conn: &dataConn{Conn: c, upload: s.newUpload()}}
		})
		reply, err := expand(template, ln.Addr().(*net.TCPAddr))
		if err != nil {
			return err
		}
		return Reply(reply).run(ss)
	})
}

// PASV is Passive with the usual 227 reply, vsftpd's wording.
func PASV() Step { return Passive("227 Entering Passive Mode ({h},{p1},{p2}).") }

// EPSV is Passive with the RFC 2428 229 reply.
func EPSV() Step { return Passive("229 Entering Extended Passive Mode (|||{port}|)") }

// Connect opens an active-mode data connection from 127.0.0.1 (or ::1) to
// the address in the client's last PORT or EPRT line on this control
// connection. It refuses any address that is not loopback.
func Connect() Step { return connect("Connect()", "") }

// ConnectFrom is Connect from the local address ip, such as "127.0.0.2", to
// test that a client refuses data connections from a host other than the
// server.
func ConnectFrom(ip string) Step { return connect(fmt.Sprintf("ConnectFrom(%q)", ip), ip) }

func connect(desc, from string) Step {
	return step(desc, func(ss *session) error {
		addr, err := parsePort(ss.lastPort)
		if err != nil {
			return err
		}
		if !addr.IP.IsLoopback() {
			return fmt.Errorf("refusing to connect to non-loopback address %v from %q", addr, ss.lastPort)
		}
		d := net.Dialer{Timeout: ss.srv.timeout}
		if from != "" {
			ip := net.ParseIP(from)
			if ip == nil {
				return fmt.Errorf("bad source address %q", from)
			}
			d.LocalAddr = &net.TCPAddr{IP: ip}
		}
		ss.closeData()
		c, err := d.Dial("tcp", addr.String())
		if err != nil {
			return err
		}
		if !ss.srv.track(c) {
			return ErrInterrupted
		}
		dc := &dataConn{Conn: c, upload: ss.srv.newUpload()}
		if err := ss.secure(dc); err != nil {
			c.Close()
			return err
		}
		ss.data = dc
		return nil
	})
}

// SendData writes p on the data connection, waiting for the client to
// connect first if needed. It does not close the connection: follow it with
// CloseData, ResetData, or a pause.
func SendData(p string) Step {
	return step(fmt.Sprintf("SendData(%q)", clip(p)), func(ss *session) error {
		d, err := ss.dataConn()
		if err != nil {
			return err
		}
		d.SetWriteDeadline(ss.deadline())
		_, err = io.WriteString(d, p)
		return err
	})
}

// ReadData reads the data connection until the client closes it, recording
// the bytes (see Server.Uploaded).
func ReadData() Step {
	return step("ReadData()", func(ss *session) error {
		_, err := ss.readData(-1)
		return err
	})
}

// ReadDataN reads exactly n bytes from the data connection and records them,
// leaving the rest unread. Follow it with ResetData and a 552 reply to play
// a server whose disk fills up mid-upload.
func ReadDataN(n int) Step {
	return step(fmt.Sprintf("ReadDataN(%d)", n), func(ss *session) error {
		_, err := ss.readData(n)
		return err
	})
}

// ExpectData reads the data connection until the client closes it and
// requires the bytes to be exactly want.
func ExpectData(want string) Step {
	return step(fmt.Sprintf("ExpectData(%q)", clip(want)), func(ss *session) error {
		got, err := ss.readData(-1)
		if err != nil {
			return err
		}
		if string(got) != want {
			return &MismatchError{What: "uploaded data", Want: want, Got: string(got)}
		}
		return nil
	})
}

// CloseData closes the data connection cleanly (FIN), after waiting for the
// client to connect, so that an empty transfer is a real connection.
func CloseData() Step {
	return step("CloseData()", func(ss *session) error {
		d, err := ss.dataConn()
		if err != nil {
			return err
		}
		ss.data = nil
		return d.Close()
	})
}

// ResetData aborts the data connection with a TCP RST (SO_LINGER 0), after
// waiting for the client to connect.
func ResetData() Step {
	return step("ResetData()", func(ss *session) error {
		d, err := ss.dataConn()
		if err != nil {
			return err
		}
		ss.data = nil
		return reset(d.Conn)
	})
}

// dataConn returns the current data connection, waiting within the timeout
// for the client to connect to a Passive listener.
func (ss *session) dataConn() (*dataConn, error) {
	if ss.data != nil {
		return ss.data, nil
	}
	if ss.pending == nil {
		return nil, errors.New("no data connection open: the script needs a Passive or Connect step before this one")
	}
	t := time.NewTimer(ss.srv.timeout)
	defer t.Stop()
	select {
	case a := <-ss.pending:
		ss.pending, ss.dataLn = nil, nil // the accept goroutine closed the listener
		if a.err != nil {
			return nil, a.err
		}
		if err := ss.secure(a.conn); err != nil {
			a.conn.Close()
			return nil, err
		}
		ss.data = a.conn
		return a.conn, nil
	case <-t.C:
		return nil, fmt.Errorf("%w: the client did not open the data connection", ErrTimeout)
	case <-ss.srv.quit:
		return nil, ErrInterrupted
	}
}

// readData reads n bytes, or until EOF when n < 0, recording as it goes so
// that a partial upload is visible even when the step fails.
func (ss *session) readData(n int) ([]byte, error) {
	d, err := ss.dataConn()
	if err != nil {
		return nil, err
	}
	d.SetReadDeadline(ss.deadline())
	var got []byte
	buf := make([]byte, 32<<10)
	for n < 0 || len(got) < n {
		p := buf
		if n >= 0 {
			p = buf[:min(len(buf), n-len(got))]
		}
		k, err := d.Read(p)
		got = append(got, p[:k]...)
		ss.srv.addUpload(d.upload, p[:k])
		if err == io.EOF && n < 0 {
			return got, nil
		}
		if err != nil {
			return got, fmt.Errorf("after %d bytes of data: %w", len(got), err)
		}
	}
	return got, nil
}

// parsePort returns the address in a PORT or EPRT line.
func parsePort(line string) (*net.TCPAddr, error) {
	if line == "" {
		return nil, errors.New("no PORT or EPRT line from the client to connect to")
	}
	cmd, arg, _ := strings.Cut(line, " ")
	bad := func(why string) error { return fmt.Errorf("cannot connect to %q: %s", line, why) }
	if strings.EqualFold(cmd, "PORT") {
		f := strings.Split(arg, ",")
		if len(f) != 6 {
			return nil, bad("want h1,h2,h3,h4,p1,p2")
		}
		var b [6]byte
		for i, s := range f {
			v, err := strconv.ParseUint(s, 10, 8)
			if err != nil {
				return nil, bad("field is not a number in 0-255")
			}
			b[i] = byte(v)
		}
		return &net.TCPAddr{IP: net.IPv4(b[0], b[1], b[2], b[3]), Port: int(b[4])<<8 | int(b[5])}, nil
	}
	// EPRT <d><af><d><addr><d><port><d>, where <d> is any delimiter byte.
	if len(arg) < 1 {
		return nil, bad("empty EPRT argument")
	}
	f := strings.Split(arg, arg[:1])
	if len(f) != 5 || f[0] != "" || f[4] != "" || (f[1] != "1" && f[1] != "2") {
		return nil, bad("want |af|addr|port|")
	}
	ip := net.ParseIP(f[2])
	port, err := strconv.ParseUint(f[3], 10, 16)
	if ip == nil || err != nil {
		return nil, bad("bad address or port")
	}
	return &net.TCPAddr{IP: ip, Port: int(port)}, nil
}

// expand fills in the placeholders of a Passive reply template.
func expand(template string, a *net.TCPAddr) (string, error) {
	h := "{h}"
	if ip4 := a.IP.To4(); ip4 != nil {
		h = fmt.Sprintf("%d,%d,%d,%d", ip4[0], ip4[1], ip4[2], ip4[3])
	} else if strings.Contains(template, "{h}") {
		return "", fmt.Errorf("{h} needs an IPv4 listener, have %v", a.IP)
	}
	return strings.NewReplacer(
		"{h}", h,
		"{p1}", strconv.Itoa(a.Port>>8),
		"{p2}", strconv.Itoa(a.Port&0xff),
		"{port}", strconv.Itoa(a.Port),
		"{ip}", a.IP.String(),
	).Replace(template), nil
}
