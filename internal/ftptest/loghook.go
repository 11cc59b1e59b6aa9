package ftptest

import (
	"context"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
)

// hookHandler is the slog.Handler given to ftpserverlib. Besides forwarding
// records to Options.Logger, it watches the per-connection debug records of
// commands and replies: they are the only place where ftpserverlib reveals
// which control connection a passive port or a PORT address belongs to,
// which the session-reuse check needs, and where a HangupOn fault can strike
// before the command runs. Both records are emitted synchronously on the
// control connection's goroutine, before the reply reaches the client, so
// the mapping is always in place before the data connection arrives.
type hookHandler struct {
	srv    *Server
	inner  slog.Handler
	client uint32 // ftpserverlib's "clientId" attribute, 0 if none
}

// Enabled implements slog.Handler; every record is needed for the hooks.
func (h *hookHandler) Enabled(context.Context, slog.Level) bool { return true }

// Handle implements slog.Handler.
func (h *hookHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.client != 0 && r.Level == slog.LevelDebug {
		switch r.Message {
		case "Sending answer":
			h.srv.observeReply(h.client, recordLine(r))
		case "Received line":
			h.srv.observeCommand(h.client, recordLine(r))
		}
	}
	if !h.inner.Enabled(ctx, r.Level) {
		return nil
	}
	return h.inner.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h *hookHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	for _, a := range attrs {
		if a.Key == "clientId" && a.Value.Kind() == slog.KindUint64 {
			c.client = uint32(a.Value.Uint64())
		}
	}
	c.inner = h.inner.WithAttrs(attrs)
	return &c
}

// WithGroup implements slog.Handler.
func (h *hookHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.inner = h.inner.WithGroup(name)
	return &c
}

func recordLine(r slog.Record) string {
	var line string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "line" {
			line = a.Value.String()
			return false
		}
		return true
	})
	return line
}

// observeReply learns passive ports from 227/229 replies and carries out a
// hang-up pending after a refused data connection.
func (s *Server) observeReply(client uint32, line string) {
	if sess := s.session(client); sess != nil {
		sess.beforeReply()
	}
	var port int
	switch {
	case strings.HasPrefix(line, "227 "):
		port = parsePASVPort(line)
	case strings.HasPrefix(line, "229 "):
		port = parseEPSVPort(line)
	}
	if port > 0 {
		s.announcePassive(client, port)
	}
}

// observeCommand learns active-mode addresses and fires HangupOn.
func (s *Server) observeCommand(client uint32, line string) {
	verb, arg, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	switch verb {
	case "PORT":
		if ap, ok := parsePORTArg(arg); ok {
			s.announceActive(client, ap)
		}
	case "EPRT":
		if ap, ok := parseEPRTArg(arg); ok {
			s.announceActive(client, ap)
		}
	}
	if s.shouldHangup(verb) {
		if sess := s.session(client); sess != nil {
			sess.replyAndHangUp("421 Service not available, closing control connection.")
		}
	}
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
