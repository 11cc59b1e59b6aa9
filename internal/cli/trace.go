package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/ferryftp/ftp"
)

// traceHandler turns the ftp package's log records into the protocol
// trace of -d: "> CMD" for each command, "< CODE text" for each reply, and
// with -dd ">> raw" / "<< raw" for every line on the wire. The ftp package
// already masks PASS and ACCT arguments in these records.
type traceHandler struct {
	mu     *sync.Mutex
	w      io.Writer
	level  slog.Level
	prefix string // "[2] " for the second connection of a parallel run
}

// newTraceHandler returns a handler for the given -d count, or nil when
// tracing is off.
func newTraceHandler(w io.Writer, debug int) *traceHandler {
	if debug <= 0 {
		return nil
	}
	level := slog.LevelDebug
	if debug > 1 {
		level = ftp.LevelTrace
	}
	return &traceHandler{mu: &sync.Mutex{}, w: w, level: level}
}

// logger returns a logger for connection number id (0 for the only one),
// or nil when tracing is off.
func (h *traceHandler) logger(id int) *slog.Logger {
	if h == nil {
		return nil
	}
	c := *h
	if id > 0 {
		c.prefix = fmt.Sprintf("[%d] ", id)
	}
	return slog.New(&c)
}

// note prints one line of ferry's own commentary in the trace.
func (h *traceHandler) note(format string, args ...any) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(h.w, h.prefix+"* "+format+"\n", args...)
}

// Enabled implements slog.Handler.
func (h *traceHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

// WithAttrs implements slog.Handler; attributes are not shown.
func (h *traceHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup implements slog.Handler; groups are not shown.
func (h *traceHandler) WithGroup(string) slog.Handler { return h }

// Handle implements slog.Handler.
func (h *traceHandler) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]slog.Value{}
	var order []string
	r.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.Resolve()
		order = append(order, a.Key)
		return true
	})
	var line string
	switch r.Message {
	case "ftp command":
		line = "> " + attrs["cmd"].String()
	case "ftp reply":
		line = fmt.Sprintf("< %s %s", attrs["code"].String(), oneLine(attrs["msg"].String()))
	case "ftp send":
		line = ">> " + attrs["line"].String()
	case "ftp recv":
		line = "<< " + attrs["line"].String()
	default:
		var b strings.Builder
		b.WriteString("* " + strings.TrimPrefix(r.Message, "ftp "))
		for _, k := range order {
			fmt.Fprintf(&b, " %s=%s", k, attrs[k].String())
		}
		line = b.String()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := fmt.Fprintln(h.w, h.prefix+line)
	return err
}

// oneLine joins a multi-line reply's text so each reply is one trace line.
func oneLine(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return strings.Join(parts, " | ")
}
