package transfer

import (
	"context"
	"crypto/sha256"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testPool lends connections to one server, keeping idle ones.
type testPool struct {
	addr string
	d    ftp.Dialer
	mu   sync.Mutex
	idle []*ftp.Conn
	max  chan struct{}
}

func newTestPool(t testing.TB, addr string, max int) *testPool {
	p := &testPool{addr: addr, d: ftp.Dialer{Timeout: 5 * time.Second, ReplyTimeout: 5 * time.Second, DataTimeout: 5 * time.Second}, max: make(chan struct{}, max)}
	t.Cleanup(func() {
		for _, c := range p.idle {
			c.Close()
		}
	})
	return p
}

func (p *testPool) Conn(ctx context.Context) (*ftp.Conn, func(), error) {
	select {
	case p.max <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, p.release(c), nil
	}
	p.mu.Unlock()
	c, err := p.d.Dial(ctx, p.addr)
	if err == nil {
		err = c.Login(ctx, "u", "p")
		if err != nil {
			c.Close()
		}
	}
	if err != nil {
		<-p.max
		return nil, nil, err
	}
	return c, p.release(c), nil
}

func (p *testPool) release(c *ftp.Conn) func() {
	return func() {
		defer func() { <-p.max }()
		if err := c.NoOp(context.Background()); err != nil {
			c.Close()
			return
		}
		p.mu.Lock()
		p.idle = append(p.idle, c)
		p.mu.Unlock()
	}
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
		Client: newTestPool(t, srv.Addr(), 4),
		Retry:  Retry{Attempts: 4, Min: time.Millisecond, Max: 5 * time.Millisecond},
	}}
}
