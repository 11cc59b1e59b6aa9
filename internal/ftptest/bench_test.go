package ftptest

import (
	"bytes"
	"crypto/tls"
	"testing"

	"github.com/spf13/afero"
)

// BenchmarkRETR measures download throughput through the in-process server,
// the ceiling for end-to-end client benchmarks built on it.
func BenchmarkRETR(b *testing.B) {
	const size = 8 << 20
	payload := bytes.Repeat([]byte{0x5a}, size)
	for _, mode := range []TLSMode{TLSNone, TLSExplicit} {
		b.Run(mode.String(), func(b *testing.B) {
			s := New(b, Options{TLS: mode, RequireSessionReuse: mode != TLSNone})
			if err := afero.WriteFile(s.FS(), "/big", payload, 0o644); err != nil {
				b.Fatal(err)
			}
			var c *rawClient
			if mode == TLSNone {
				c = dial(b, s, nil)
				c.login("u", "p")
			} else {
				c = dial(b, s, clientConfig(s, tls.NewLRUClientSessionCache(4)))
				c.authTLS()
				c.login("u", "p")
				c.protP()
			}
			b.SetBytes(size)
			for b.Loop() {
				if r := c.transfer("RETR big", nil, false); r.code != 226 || len(r.data) != size {
					b.Fatalf("RETR: code %d, %d bytes, %v", r.code, len(r.data), r.dataErr)
				}
			}
		})
	}
}
