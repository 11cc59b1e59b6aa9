package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
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

// recorder is a slog handler that keeps the records' messages and attributes.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Message)
	rec.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	r.mu.Lock()
	r.lines = append(r.lines, b.String())
	r.mu.Unlock()
	return nil
}

// TestVsftpdTLS13LargeTransfers: 5 MiB up and down over TLS 1.3 to vsftpd,
// which sends session tickets on data connections and fails uploads whose
// client closes without reading them (426). The trace must show every data
// connection resumed.
func TestVsftpdTLS13LargeTransfers(t *testing.T) {
	in := Start(t, Vsftpd, Explicit)
	rec := &recorder{}
	d := dialer(in, tls.VersionTLS13)
	d.Logger = slog.New(rec)
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
	if data, resumed := dataTLSResumed(rec); data != 6 || resumed != 6 {
		t.Fatalf("trace shows %d TLS data connections, %d resumed; want 6 and 6:\n%s", data, resumed, strings.Join(rec.lines, "\n"))
	}
	for _, l := range rec.lines {
		if strings.HasPrefix(l, "ftp data connection event=data connection TLS") && !strings.Contains(l, "version=TLS 1.3") {
			t.Errorf("not TLS 1.3: %s", l)
		}
	}
}

// dataTLSResumed counts the TLS data connections in a trace and how many
// of them resumed a session.
func dataTLSResumed(rec *recorder) (conns, resumed int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, l := range rec.lines {
		if strings.HasPrefix(l, "ftp data connection event=data connection TLS") {
			conns++
			if strings.Contains(l, "resumed=true") {
				resumed++
			}
		}
	}
	return conns, resumed
}
