package cli_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdListServe starts a minimal FTP server on 127.0.0.1 whose LIST sends
// the lines of FILE as they are, to test what ferry makes of listings no
// real server on this machine produces:
//
//	listserve [-syst TEXT] FILE
//
// It sets $URL. It offers no MLSD (FEAT lists nothing), accepts any login
// and answers PASV/EPSV, TYPE, CWD, PWD, SYST, LIST and QUIT.
func cmdListServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! listserve")
	}
	syst := "UNIX Type: L8"
	if len(args) == 3 && args[0] == "-syst" {
		syst, args = args[1], args[2:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: listserve [-syst TEXT] FILE")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	listing := strings.ReplaceAll(strings.TrimSuffix(string(data), "\n"), "\n", "\r\n") + "\r\n"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	var wg sync.WaitGroup
	ts.Defer(func() {
		l.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				serveListing(c, syst, listing)
			}()
		}
	}()
	ts.Setenv("URL", "ftp://"+l.Addr().String())
}

func serveListing(c net.Conn, syst, listing string) {
	defer c.Close()
	r := bufio.NewReader(c)
	reply := func(s string) { fmt.Fprintf(c, "%s\r\n", s) }
	reply("220 listing server")
	var pasv net.Listener
	defer func() {
		if pasv != nil {
			pasv.Close()
		}
	}()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		switch strings.ToUpper(verb) {
		case "USER":
			reply("331 password")
		case "PASS":
			reply("230 in")
		case "SYST":
			reply("215 " + syst)
		case "FEAT":
			reply("211-Features:")
			reply(" EPSV")
			reply("211 End")
		case "PWD":
			reply(`257 "/" is the directory`)
		case "CWD":
			reply("250 ok")
		case "TYPE", "MODE", "STRU", "OPTS":
			reply("200 ok")
		case "EPSV", "PASV":
			if pasv != nil {
				pasv.Close()
			}
			if pasv, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
				reply("425 no listener")
				continue
			}
			port := pasv.Addr().(*net.TCPAddr).Port
			if strings.EqualFold(verb, "EPSV") {
				reply(fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)", port))
			} else {
				reply(fmt.Sprintf("227 Entering Passive Mode (127,0,0,1,%d,%d)", port>>8, port&0xff))
			}
		case "LIST", "NLST":
			if pasv == nil {
				reply("425 use PASV first")
				continue
			}
			reply("150 here it comes")
			if d, err := pasv.Accept(); err == nil {
				if strings.EqualFold(verb, "LIST") {
					_, _ = d.Write([]byte(listing))
				}
				d.Close()
			}
			pasv.Close()
			pasv = nil
			reply("226 done")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}
