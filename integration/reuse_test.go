package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/conformance"
)

// TestSessionReuseStrategies lists a directory three times over explicit
// TLS with each session-reuse strategy. Chain and pinned must work on every
// daemon; off must be refused, with an error that says why, by the daemons
// that require reuse, and work on the others.
func TestSessionReuseStrategies(t *testing.T) {
	for _, kind := range Kinds {
		for _, v := range tlsVersions {
			for _, s := range []ftp.SessionReuse{ftp.ReuseChain, ftp.ReusePinned, ftp.ReuseOff} {
				t.Run(fmt.Sprintf("%v/%s/%v", kind, tls.VersionName(v), s), func(t *testing.T) {
					in := Start(t, kind, Explicit)
					d := dialer(in, v)
					d.SessionReuse = s
					c := login(t, in, d)
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					defer cancel()
					var err error
					for i := 0; i < 3 && err == nil; i++ {
						_, err = c.List(ctx, "/dir")
					}
					switch {
					case s == ftp.ReuseOff && in.ReuseRequired:
						if err == nil {
							t.Fatal("data connections without session reuse were accepted by a daemon that requires reuse")
						}
						if !errors.Is(err, ftp.ErrDataTLSRefused) {
							t.Fatalf("refusal does not say why: %v", err)
						}
					case err != nil:
						t.Fatalf("LIST: %v", err)
					}
				})
			}
		}
	}
}

// dataConnLog records, through the trace hooks, the data connections a
// Conn opens.
type dataConnLog struct {
	mu    sync.Mutex
	conns []ftp.DataConnInfo
}

func (l *dataConnLog) trace() *ftp.Trace {
	return &ftp.Trace{DataConnDone: func(_ context.Context, info ftp.DataConnInfo) {
		l.mu.Lock()
		l.conns = append(l.conns, info)
		l.mu.Unlock()
	}}
}

// tls returns the TLS data connections that were set up.
func (l *dataConnLog) tls() []*tls.ConnectionState {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*tls.ConnectionState
	for _, info := range l.conns {
		if info.Err == nil && info.TLS != nil {
			out = append(out, info.TLS)
		}
	}
	return out
}

func (l *dataConnLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, info := range l.conns {
		fmt.Fprintf(&b, "%s %s passive=%v", info.Command, info.Addr, info.Passive)
		if info.TLS != nil {
			fmt.Fprintf(&b, " %s resumed=%v", tls.VersionName(info.TLS.Version), info.TLS.DidResume)
		}
		if info.Err != nil {
			fmt.Fprintf(&b, " err=%v", info.Err)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestVsftpdTLS13LargeTransfers: 5 MiB up and down over TLS 1.3 to vsftpd,
// which sends session tickets on data connections and fails uploads whose
// client closes without reading them (426). The trace must show every data
// connection resumed.
func TestVsftpdTLS13LargeTransfers(t *testing.T) {
	in := Start(t, Vsftpd, Explicit)
	var log dataConnLog
	d := dialer(in, tls.VersionTLS13)
	d.Trace = log.trace()
	c := login(t, in, d)
	dir, _ := in.Scratch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	data := conformance.Data(5 << 20)
	for i := 0; i < 3; i++ {
		p := fmt.Sprintf("%s/big%d.bin", dir, i)
		if err := c.Store(ctx, p, bytes.NewReader(data)); err != nil {
			t.Fatalf("upload %d: %v", i, err)
		}
		got, err := conformance.Download(ctx, c, p, 0)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("download %d: %d bytes, %v", i, len(got), err)
		}
	}
	if data, resumed := dataTLSResumed(&log); data != 6 || resumed != 6 {
		t.Fatalf("trace shows %d TLS data connections, %d resumed; want 6 and 6:\n%s", data, resumed, &log)
	}
	for _, st := range log.tls() {
		if st.Version != tls.VersionTLS13 {
			t.Errorf("data connection not TLS 1.3: %s", &log)
		}
	}
}

// dataTLSResumed counts the TLS data connections in a trace and how many
// of them resumed a session.
func dataTLSResumed(log *dataConnLog) (conns, resumed int) {
	for _, st := range log.tls() {
		conns++
		if st.DidResume {
			resumed++
		}
	}
	return conns, resumed
}
