package transfer

import (
	"crypto/sha256"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newClient returns a pooled client of the server at addr, closed with the
// test.
func newClient(t testing.TB, addr string, max int) *ftp.Client {
	c := &ftp.Client{
		Addr: addr, User: "u", Password: "p", MaxConns: max,
		Dialer: ftp.Dialer{Timeout: 5 * time.Second, ReplyTimeout: 5 * time.Second, DataTimeout: 5 * time.Second},
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// data is n bytes of seeded noise.
func data(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sha(b []byte) [32]byte { return sha256.Sum256(b) }

// fixture is an in-process server with a file system and a Copier on it.
type fixture struct {
	srv *ftptest.Server
	fs  afero.Fs
	cp  *Copier
}

func newFixture(t testing.TB, opts ftptest.Options) *fixture {
	if opts.FS == nil {
		opts.FS = afero.NewMemMapFs()
	}
	srv := ftptest.New(t, opts)
	return &fixture{srv: srv, fs: opts.FS, cp: &Copier{
		Client: newClient(t, srv.Addr(), 4),
		Retry:  Retry{Attempts: 4, Min: time.Millisecond, Max: 5 * time.Millisecond},
	}}
}
