package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ferryftp/ftp"
)

// tracer writes the protocol trace of -d from the ftp package's trace
// hooks: "> CMD" for each command, "< CODE text" for each reply, "* ..." for
// TLS handshakes, data connections, transfers and fallbacks, and with -dd
// ">> raw" / "<< raw" for every line on the wire. The ftp package masks PASS
// and ACCT arguments before any hook sees them.
type tracer struct {
	mu  sync.Mutex // one line at a time from parallel connections
	w   io.Writer
	raw bool // -dd
}

// newTracer returns a tracer for the given -d count, or nil when tracing
// is off.
func newTracer(w io.Writer, debug int) *tracer {
	if debug <= 0 {
		return nil
	}
	return &tracer{w: w, raw: debug > 1}
}

// print writes one trace line for connection id (0 when there is only
// one; a parallel run prefixes "[2] ").
func (tr *tracer) print(id int, format string, args ...any) {
	if tr == nil {
		return
	}
	line := fmt.Sprintf(format, args...)
	if id > 0 {
		line = fmt.Sprintf("[%d] %s", id, line)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	fmt.Fprintln(tr.w, line)
}

// note prints one line of ferry's own commentary in the trace.
func (tr *tracer) note(format string, args ...any) {
	tr.print(0, "* "+format, args...)
}

// hooks returns the trace hooks for connection number id, or nil when
// tracing is off.
func (tr *tracer) hooks(id int) *ftp.Trace {
	if tr == nil {
		return nil
	}
	t := &ftp.Trace{
		CommandSent: func(_ context.Context, info ftp.CommandInfo) {
			if info.Err != nil {
				tr.print(id, "> %s (not sent: %v)", info.Line, info.Err)
				return
			}
			tr.print(id, "> %s", info.Line)
		},
		ReplyReceived: func(_ context.Context, info ftp.ReplyInfo) {
			tr.print(id, "< %d %s", info.Code, oneLine(info.Message))
		},
		TLSHandshakeDone: func(_ context.Context, st tls.ConnectionState, err error) {
			if err != nil {
				tr.print(id, "* control connection TLS handshake failed: %v", err)
				return
			}
			tr.print(id, "* control connection %s", tlsSummary(&st))
		},
		DataConnDone: func(_ context.Context, info ftp.DataConnInfo) {
			mode := "active"
			if info.Passive {
				mode = "passive"
			}
			where := "to " + info.Addr
			switch {
			case info.Addr == "":
				where = "with the server"
			case !info.Passive:
				where = "from " + info.Addr
			}
			if info.Err != nil {
				tr.print(id, "* data connection %s (%s) failed: %v", where, mode, info.Err)
				return
			}
			if info.TLS != nil {
				mode += ", " + tlsSummary(info.TLS)
			}
			tr.print(id, "* data connection %s (%s)", where, mode)
		},
		TransferDone: func(_ context.Context, info ftp.TransferInfo) {
			what := strings.TrimSpace(info.Command + " " + info.Path)
			if info.Err != nil {
				tr.print(id, "* %s failed after %d bytes in %v", what, info.Bytes, info.Duration.Round(100*time.Microsecond))
				return
			}
			tr.print(id, "* %s: %d bytes in %v", what, info.Bytes, info.Duration.Round(100*time.Microsecond))
		},
		Fallback: func(_ context.Context, info ftp.FallbackInfo) {
			when := "for this command"
			if info.Remembered {
				when = "from now on"
			}
			tr.print(id, "* %s refused or unusable, using %s %s", info.From, info.To, when)
		},
	}
	if tr.raw {
		t.LineSent = func(_ context.Context, line string) { tr.print(id, ">> %s", line) }
		t.LineReceived = func(_ context.Context, line string) { tr.print(id, "<< %s", line) }
	}
	return t
}

// tlsSummary is "TLS 1.3, TLS_AES_128_GCM_SHA256, resumed".
func tlsSummary(st *tls.ConnectionState) string {
	s := tls.VersionName(st.Version) + ", " + tls.CipherSuiteName(st.CipherSuite)
	if st.DidResume {
		return s + ", resumed"
	}
	return s + ", new session"
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
