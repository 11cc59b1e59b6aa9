package fakeftp_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ferryftp/ftp/internal/fakeftp"
)

// TestPassiveRetr plays 150, data, close, 226, with the client connecting to
// the data port before it sends RETR.
func TestPassiveRetr(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Expect("PASV"),
		fakeftp.PASV(),
		fakeftp.Expect("RETR f"),
		fakeftp.Reply("150 opening"),
		fakeftp.SendData("hello "),
		fakeftp.SendData("world"),
		fakeftp.CloseData(),
		fakeftp.Reply("226 done"),
	})
	c, _ := client(t, srv)
	send(t, c, "PASV")
	reply := readLine(t, c)
	if !strings.HasPrefix(reply, "227 Entering Passive Mode (127,0,0,1,") || !strings.HasSuffix(reply, ").") {
		t.Fatalf("227 reply %q", reply)
	}
	d := dialData(t, pasvAddr(t, reply))
	send(t, c, "RETR f")
	if got := readLine(t, c); got != "150 opening" {
		t.Fatalf("got %q", got)
	}
	if got, err := io.ReadAll(d); string(got) != "hello world" || err != nil {
		t.Errorf("data %q, %v", got, err)
	}
	if got := readLine(t, c); got != "226 done" {
		t.Errorf("got %q", got)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestEPSVLateConnect has the client connect only after the 150, and the
// server send 226 before the data: both orders must be scriptable.
func TestEPSVLateConnect(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Expect("EPSV"),
		fakeftp.EPSV(),
		fakeftp.Expect("LIST"),
		fakeftp.Reply("200 odd but seen", "150 here"),
		fakeftp.Reply("226 early"),
		fakeftp.SendData("a\r\nb\r\n"),
		fakeftp.CloseData(),
	})
	c, _ := client(t, srv)
	send(t, c, "EPSV")
	port := epsvPort(t, readLine(t, c))
	send(t, c, "LIST")
	for _, want := range []string{"200 odd but seen", "150 here", "226 early"} {
		if got := readLine(t, c); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	d := dialData(t, "127.0.0.1:"+port)
	if got, _ := io.ReadAll(d); string(got) != "a\r\nb\r\n" {
		t.Errorf("data %q", got)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestPassiveTemplates shows the reply text is the script's, placeholders
// aside, while the listener is real.
func TestPassiveTemplates(t *testing.T) {
	for _, tc := range []struct {
		tmpl string
		re   string // matches the reply; the groups give the port
	}{
		{"227 Entering Passive Mode (252,253,254,255,{p1},{p2})", `^227 Entering Passive Mode \(252,253,254,255,(\d+),(\d+)\)$`},
		{"227 Entering Passive Mode ( 127, 0, 0, 1, {p1}, {p2} )", `^227 Entering Passive Mode \( 127, 0, 0, 1, (\d+), (\d+) \)$`},
		{"227 Entering Passive Mode {h},{p1},{p2}", `^227 Entering Passive Mode 127,0,0,1,(\d+),(\d+)$`},
		{"229 Entering Extended Passive Mode (|||{port}|) at {ip}", `^229 Entering Extended Passive Mode \(\|\|\|(\d+)\|\) at 127\.0\.0\.1$`},
	} {
		srv := fakeftp.New(t, fakeftp.Script{
			fakeftp.Passive(tc.tmpl),
			fakeftp.SendData("ok"),
			fakeftp.CloseData(),
		})
		c, _ := client(t, srv)
		got := readLine(t, c)
		m := regexp.MustCompile(tc.re).FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("reply %q does not fit template %q", got, tc.tmpl)
		}
		port, _ := strconv.Atoi(m[1])
		if len(m) == 3 {
			p2, _ := strconv.Atoi(m[2])
			port = port<<8 | p2
		}
		d := dialData(t, fmt.Sprintf("127.0.0.1:%d", port))
		if b, _ := io.ReadAll(d); string(b) != "ok" {
			t.Errorf("%s: data %q", tc.tmpl, b)
		}
		if err := srv.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPassiveNeverUsed: a client that rejects an overflowing PASV port and
// quits leaves the listener unused, which is fine.
func TestPassiveNeverUsed(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Expect("PASV"),
		fakeftp.Passive("227 Entering Passive Mode (127,0,0,1,300,1)"),
		fakeftp.Expect("QUIT"),
		fakeftp.ExpectEOF(),
	})
	c, _ := client(t, srv)
	send(t, c, "PASV")
	if got := readLine(t, c); got != "227 Entering Passive Mode (127,0,0,1,300,1)" {
		t.Errorf("got %q", got)
	}
	send(t, c, "QUIT")
	c.Close()
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

func listen(t *testing.T, ip string) *net.TCPListener {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	tl := ln.(*net.TCPListener)
	tl.SetDeadline(time.Now().Add(10 * time.Second))
	return tl
}

func TestActive(t *testing.T) {
	for _, cmd := range []string{"PORT", "EPRT"} {
		t.Run(cmd, func(t *testing.T) {
			srv := fakeftp.New(t, fakeftp.Script{
				fakeftp.ExpectMatch(cmd + " *"),
				fakeftp.Connect(),
				fakeftp.Reply("200 connected"),
				fakeftp.Expect("STOR f"),
				fakeftp.Reply("150 go"),
				fakeftp.ExpectData("uploaded bytes"),
				fakeftp.Reply("226 stored"),
			})
			ln := listen(t, "127.0.0.1")
			port := ln.Addr().(*net.TCPAddr).Port
			c, _ := client(t, srv)
			if cmd == "PORT" {
				send(t, c, fmt.Sprintf("PORT 127,0,0,1,%d,%d", port>>8, port&0xff))
			} else {
				send(t, c, fmt.Sprintf("EPRT |1|127.0.0.1|%d|", port))
			}
			d, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			readLine(t, c)
			send(t, c, "STOR f")
			readLine(t, c)
			io.WriteString(d, "uploaded bytes")
			d.Close()
			if got := readLine(t, c); got != "226 stored" {
				t.Errorf("got %q", got)
			}
			if err := srv.Wait(); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff([][]byte{[]byte("uploaded bytes")}, srv.Uploaded()); d != "" {
				t.Errorf("Uploaded() (-want +got):\n%s", d)
			}
		})
	}
}

// TestConnectFrom opens the active data connection from another loopback
// address, as a data-connection hijacker would.
func TestConnectFrom(t *testing.T) {
	probe, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 on this host: %v", err)
	}
	probe.Close()
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.ExpectMatch("PORT *"),
		fakeftp.ConnectFrom("127.0.0.2"),
	})
	ln := listen(t, "127.0.0.1")
	port := ln.Addr().(*net.TCPAddr).Port
	c, _ := client(t, srv)
	send(t, c, fmt.Sprintf("PORT 127,0,0,1,%d,%d", port>>8, port&0xff))
	d, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if ip := d.RemoteAddr().(*net.TCPAddr).IP.String(); ip != "127.0.0.2" {
		t.Errorf("data connection from %s, want 127.0.0.2", ip)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestDiskFull reads part of an upload, resets the data connection and
// answers 552, as a server whose disk fills up does.
func TestDiskFull(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Expect("EPSV"),
		fakeftp.EPSV(),
		fakeftp.Expect("STOR big"),
		fakeftp.Reply("150 go"),
		fakeftp.ReadDataN(1000),
		fakeftp.ResetData(),
		fakeftp.Reply("552 disk full"),
	})
	c, _ := client(t, srv)
	send(t, c, "EPSV")
	d := dialData(t, "127.0.0.1:"+epsvPort(t, readLine(t, c)))
	send(t, c, "STOR big")
	readLine(t, c)
	payload := bytes.Repeat([]byte("0123456789"), 1<<20)
	_, err := d.Write(payload)
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
		t.Errorf("upload error %v, want a reset", err)
	}
	if got := readLine(t, c); got != "552 disk full" {
		t.Errorf("got %q", got)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	up := srv.Uploaded()
	if len(up) != 1 || !bytes.Equal(up[0], payload[:1000]) {
		t.Errorf("Uploaded() has %d conns, first %d bytes; want 1 conn of 1000 bytes", len(up), len(up[0]))
	}
}

// TestTruncatedDownload sends part of the data and resets.
func TestTruncatedDownload(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.EPSV(),
		fakeftp.Expect("RETR f"),
		fakeftp.SendData("partial"),
		fakeftp.ResetData(),
		fakeftp.Reply("426 aborted"),
	})
	c, _ := client(t, srv)
	// Connect before RETR: a reset that came before the connect finished
	// would fail the dial itself.
	d := dialData(t, "127.0.0.1:"+epsvPort(t, readLine(t, c)))
	send(t, c, "RETR f")
	got, err := io.ReadAll(d)
	if string(got) != "partial" || !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("read %q, %v; want partial data and a reset", got, err)
	}
	readLine(t, c)
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestUnusedDataConnClosedAtEnd: a data connection the script never uses is
// closed when the script ends, not when the test ends, so a client waiting
// on it sees the end at once.
func TestUnusedDataConnClosedAtEnd(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.Expect("EPSV"),
		fakeftp.EPSV(),
		fakeftp.Expect("QUIT"),
	})
	c, _ := client(t, srv)
	send(t, c, "EPSV")
	d := dialData(t, "127.0.0.1:"+epsvPort(t, readLine(t, c)))
	send(t, c, "QUIT")
	d.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := d.Read(make([]byte, 1))
	if err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("data read: %v, want EOF or a reset", err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestReadDataAndDoData records an upload without checking it, and sends a
// download through the data connection a Do step gets.
func TestReadDataAndDoData(t *testing.T) {
	srv := fakeftp.New(t, fakeftp.Script{
		fakeftp.EPSV(),
		fakeftp.ReadData(),
		fakeftp.EPSV(),
		fakeftp.Do("send by hand", func(c *fakeftp.Conn) error {
			d, err := c.Data()
			if err != nil {
				return err
			}
			_, err = io.WriteString(d, "by hand")
			return err
		}),
		fakeftp.CloseData(),
	})
	c, _ := client(t, srv)
	up := dialData(t, "127.0.0.1:"+epsvPort(t, readLine(t, c)))
	io.WriteString(up, "any\x00bytes")
	up.Close()
	down := dialData(t, "127.0.0.1:"+epsvPort(t, readLine(t, c)))
	if got, err := io.ReadAll(down); string(got) != "by hand" || err != nil {
		t.Errorf("download %q, %v", got, err)
	}
	<-srv.Done()
	if err := srv.Err(); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]byte{[]byte("any\x00bytes"), {}}, srv.Uploaded()); d != "" {
		t.Errorf("Uploaded() (-want +got):\n%s", d)
	}
}
