package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/ferryftp/ftp/internal/conformance"
)

// TestCCC: after CCC the control connection is plain text again and data
// connections stay protected (ProFTPD is the daemon here that allows CCC).
func TestCCC(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			in := Start(t, ProFTPD, Explicit)
			c := login(t, in, dialer(in, v))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := c.ClearCommandChannel(ctx); err != nil {
				t.Fatalf("CCC: %v", err)
			}
			if _, ok := c.TLSConnectionState(); ok {
				t.Fatal("the control connection is still TLS after CCC")
			}
			dir, _ := in.Scratch(t)
			data := conformance.Data(64 << 10)
			if err := c.Store(ctx, dir+"/f", bytes.NewReader(data)); err != nil {
				t.Fatalf("upload after CCC: %v", err)
			}
			got, err := conformance.Download(ctx, c, dir+"/f", 0)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("download after CCC: %d bytes, %v", len(got), err)
			}
			if err := c.Quit(ctx); err != nil {
				t.Fatalf("Quit: %v", err)
			}
		})
	}
}
