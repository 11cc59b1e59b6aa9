package ftptest

import (
	"net/netip"
	"strconv"
	"strings"
)

// observeReply learns passive ports from 227/229 replies and carries out a
// hang-up pending after a refused data connection: false means the reply
// must not reach the client.
func (s *Server) observeReply(sess *session, line string) bool {
	if !sess.beforeReply() {
		return false
	}
	var port int
	switch {
	case strings.HasPrefix(line, "227 "):
		port = parsePASVPort(line)
	case strings.HasPrefix(line, "229 "):
		port = parseEPSVPort(line)
	}
	if port > 0 {
		s.announcePassive(sess, port)
	}
	return true
}

// observeCommand learns active-mode addresses and fires HangupOn: false
// means the command must not reach ftpserverlib.
func (s *Server) observeCommand(sess *session, line string) bool {
	verb, arg, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	switch verb {
	case "PORT":
		if ap, ok := parsePORTArg(arg); ok {
			s.announceActive(sess, ap)
		}
	case "EPRT":
		if ap, ok := parseEPRTArg(arg); ok {
			s.announceActive(sess, ap)
		}
	}
	if s.shouldHangup(verb) {
		sess.replyAndHangUp("421 Service not available, closing control connection.")
		return false
	}
	return true
}

// parsePASVPort extracts the port from "227 ... (h1,h2,h3,h4,p1,p2)".
func parsePASVPort(line string) int {
	open, closing := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	if open < 0 || closing < open {
		return 0
	}
	if ap, ok := parsePORTArg(line[open+1 : closing]); ok {
		return int(ap.Port())
	}
	return 0
}

// parseEPSVPort extracts the port from "229 ... (|||port|)".
func parseEPSVPort(line string) int {
	open := strings.Index(line, "(|||")
	if open < 0 {
		return 0
	}
	rest := line[open+4:]
	end := strings.IndexByte(rest, '|')
	if end < 0 {
		return 0
	}
	p, err := strconv.ParseUint(rest[:end], 10, 16)
	if err != nil {
		return 0
	}
	return int(p)
}

// parsePORTArg parses RFC 959 "h1,h2,h3,h4,p1,p2".
func parsePORTArg(arg string) (netip.AddrPort, bool) {
	parts := strings.Split(strings.TrimSpace(arg), ",")
	if len(parts) != 6 {
		return netip.AddrPort{}, false
	}
	var b [6]byte
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return netip.AddrPort{}, false
		}
		b[i] = byte(v)
	}
	addr := netip.AddrFrom4([4]byte{b[0], b[1], b[2], b[3]})
	return netip.AddrPortFrom(addr, uint16(b[4])<<8|uint16(b[5])), true
}

// parseEPRTArg parses RFC 2428 "|af|addr|port|" (any delimiter).
func parseEPRTArg(arg string) (netip.AddrPort, bool) {
	arg = strings.TrimSpace(arg)
	if len(arg) < 2 {
		return netip.AddrPort{}, false
	}
	f := strings.Split(arg[1:], arg[:1])
	if len(f) != 4 {
		return netip.AddrPort{}, false
	}
	addr, err := netip.ParseAddr(f[1])
	if err != nil {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(f[2], 10, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), true
}
