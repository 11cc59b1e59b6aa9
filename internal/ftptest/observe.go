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
		if addr, err := ParsePASV(line); err == nil {
			ap, _ := netip.ParseAddrPort(addr)
			port = int(ap.Port())
		}
	case strings.HasPrefix(line, "229 "):
		port, _ = ParseEPSV(line)
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

// parsePORTArg parses RFC 959 "h1,h2,h3,h4,p1,p2".
func parsePORTArg(arg string) (netip.AddrPort, bool) {
	parts := strings.Split(strings.TrimSpace(arg), ",")
	if len(parts) != 6 {
		return netip.AddrPort{}, false
	}
	var b [6]byte
	for i, p := range parts {
		v, err := strconv.ParseUint(strings.TrimSpace(p), 10, 8)
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
