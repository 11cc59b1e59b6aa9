package ftp_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	embedded "github.com/ferryftp/ftp/internal/server"
)

// streamServer is the least an FTP server can be: RETR sends size bytes
// from one buffer, STOR reads into one buffer, and nothing is allocated per
// chunk. Benchmarks and allocation tests use it so that what they measure
// is the client, and the loopback copies they compare with send and
// receive with the same code (sendStream, drainStream).
type streamServer struct {
	*loopback
	tls   *tls.Config   // nil: plain; else implicit TLS, PROT P honoured
	size  int64         // bytes each RETR sends
	pace  time.Duration // pause between chunks sent
	stall bool          // STOR reads nothing until ABOR
	// readPace makes STOR read 16 KiB at a time with this pause between,
	// through a small receive buffer: a slow link.
	readPace time.Duration
}

// chunk is the size of the server's reads and writes.
const chunk = 256 << 10

var streamBuf = make([]byte, chunk)

func newStreamServer(tb testing.TB, size int64, tlsConfig *tls.Config) *streamServer {
	tb.Helper()
	s := &streamServer{tls: tlsConfig, size: size}
	s.loopback = listenLoopback(tb, s.serve)
	return s
}

func (s *streamServer) serve(c net.Conn) {
	defer c.Close()
	if s.tls != nil {
		c = tls.Server(c, s.tls)
	}
	r := bufio.NewReader(c)
	reply := func(line string) { io.WriteString(c, line+"\r\n") }
	reply("220 stream")
	var dataLn net.Listener
	var stalled net.Conn // a STOR's data connection left unread
	protP := false
	defer func() {
		if dataLn != nil {
			dataLn.Close()
		}
		if stalled != nil {
			stalled.Close()
		}
	}()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimLeft(line, "\xff\xf4\xf2") // Telnet IP and Synch before ABOR
		verb, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch strings.ToUpper(verb) {
		case "USER":
			reply("331 password")
		case "PASS":
			reply("230 in")
		case "FEAT":
			reply("211 no features")
		case "PROT":
			protP = strings.HasSuffix(strings.TrimSpace(line), "P")
			reply("200 ok")
		case "EPSV":
			if dataLn != nil {
				dataLn.Close()
			}
			if dataLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
				reply("425 no port")
				continue
			}
			reply(fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)", dataLn.Addr().(*net.TCPAddr).Port))
		case "RETR", "STOR":
			if dataLn == nil {
				reply("425 use EPSV first")
				continue
			}
			dc, err := dataLn.Accept()
			dataLn.Close()
			dataLn = nil
			if err != nil {
				reply("425 no data connection")
				continue
			}
			s.track(dc)
			if protP {
				dc = tls.Server(dc, s.tls)
			}
			if strings.ToUpper(verb) == "STOR" && s.stall {
				reply("150 Ok to send data")
				stalled = dc
				continue
			}
			if strings.ToUpper(verb) == "RETR" {
				reply(fmt.Sprintf("150 Opening BINARY mode data connection (%d bytes)", s.size))
				err = sendStream(dc, s.size, s.pace)
			} else {
				reply("150 Ok to send data")
				if s.readPace > 0 {
					if tc, ok := dc.(*net.TCPConn); ok {
						tc.SetReadBuffer(16 << 10)
					}
					err = slowDrain(dc, s.readPace)
				} else {
					_, err = drainStream(dc)
				}
			}
			dc.Close()
			if err != nil {
				reply("426 " + err.Error())
				continue
			}
			reply("226 Transfer complete")
		case "ABOR":
			if stalled != nil {
				stalled.Close()
				stalled = nil
				reply("426 Transfer aborted")
			}
			reply("226 ABOR ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("200 ok")
		}
	}
}

// sendStream writes size bytes in chunks, pausing pace between them.
func sendStream(w io.Writer, size int64, pace time.Duration) error {
	for size > 0 {
		n := min(size, chunk)
		if _, err := w.Write(streamBuf[:n]); err != nil {
			return err
		}
		size -= n
		if pace > 0 {
			time.Sleep(pace)
		}
	}
	if cw, ok := w.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	return nil
}

// drainStream reads r to its end. A TLS close without close_notify is taken
// as the end, as the FTP servers do.
func drainStream(r io.Reader) (int64, error) {
	buf := make([]byte, chunk)
	var n int64
	for {
		m, err := r.Read(buf)
		n += int64(m)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// slowDrain reads r to its end 16 KiB at a time, pausing between reads.
func slowDrain(r io.Reader, pace time.Duration) error {
	buf := make([]byte, 16<<10)
	for {
		_, err := r.Read(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		time.Sleep(pace)
	}
}

// selfSignedTLS returns a server config with a fresh certificate for
// 127.0.0.1 and a client config that trusts it, both TLS 1.3 only.
func selfSignedTLS(tb testing.TB) (server, client *tls.Config) {
	tb.Helper()
	cert, err := embedded.NewCertificate(embedded.CertOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	server = &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS13}
	client = &tls.Config{RootCAs: cert.Pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS13}
	return server, client
}
