// Package faultrun runs transfers through a fault-injecting relay
// (internal/netem) and checks the one promise that matters under faults:
// every outcome is either the complete file, with the right SHA-256, or an
// error, and a failed download never replaces the local file that was
// there. It is a test kit for the transfer package's tests and the
// integration tests against real daemons.
//
// To look at one run: FAULTRUN_ONLY=3,6 runs only those (the faults are
// drawn as always), FAULTRUN_TRACE=1 logs every control line.
package faultrun

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"

	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/netem"
	"github.com/ferryftp/ftp/transfer"
)

// Server is what a run needs of the server behind the relay.
type Server struct {
	Addr           string // control address
	User, Password string
	Dialer         ftp.Dialer // TLS settings; timeouts and DialContext are set here
	Dir            string     // a remote directory the runs may write in
	// Read returns a remote file's content, read beside FTP (from the
	// server's file system), to check uploads.
	Read func(name string) ([]byte, error)
	// Write puts a file on the server beside FTP, for downloads.
	Write func(name string, b []byte) error
}

// Op is a kind of run.
type Op int

// The runs: a download, an upload, a segmented download.
const (
	Download Op = iota
	Upload
	Segmented
)

func (o Op) String() string { return [...]string{"download", "upload", "segmented"}[o] }

// Tally counts outcomes.
type Tally struct {
	Runs, Complete, Errors int
	ShortSuccess           int // a short or wrong file reported as success: must stay 0
	Clobbered              int // a local file replaced by a failed download: must stay 0
}

// Run makes runs transfers of a size-byte file with faults at offsets
// drawn from seed, cycling through ops, and fails t on a broken promise.
func Run(t *testing.T, srv Server, ops []Op, runs, size int, seed uint64) Tally {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	content := make([]byte, size)
	for i := range content {
		content[i] = byte(r.Uint32())
	}
	sum := sha256.Sum256(content)
	src := srv.Dir + "/source.bin"
	if err := srv.Write(src, content); err != nil {
		t.Fatalf("faultrun: %v", err)
	}
	proxy, err := netem.New(srv.Addr, netem.Shape{})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	local := t.TempDir()
	upload := filepath.Join(local, "upload.bin")
	if err := os.WriteFile(upload, content, 0o644); err != nil {
		t.Fatal(err)
	}
	var tally Tally
	for i := range runs {
		op := ops[i%len(ops)]
		fault := drawFault(r, op, size)
		if only := os.Getenv("FAULTRUN_ONLY"); only != "" && !strings.Contains(","+only+",", ","+fmt.Sprint(i)+",") {
			continue
		}
		name := fmt.Sprintf("%s-%03d.bin", op, i)
		desc := fmt.Sprintf("run %d (%v, %v)", i, op, fault)
		precious := []byte(fmt.Sprintf("precious local file %d\n", i))
		dst := filepath.Join(local, name)
		if op != Upload && i%3 == 0 {
			// A file already there: a failed download must leave it.
			os.WriteFile(dst, precious, 0o644)
		}
		d := srv.Dialer
		d.DialContext = proxy.DialContext
		if os.Getenv("FAULTRUN_TRACE") != "" {
			d.Trace = &ftp.Trace{
				LineSent:     func(_ context.Context, l string) { t.Log(">", l) },
				LineReceived: func(_ context.Context, l string) { t.Log("<", l) },
			}
		}
		d.Timeout, d.ReplyTimeout, d.DataTimeout, d.AbortTimeout = 3*time.Second, 3*time.Second, 250*time.Millisecond, 250*time.Millisecond
		client := &ftp.Client{Addr: srv.Addr, User: srv.User, Password: srv.Password, Dialer: d, MaxConns: 4}
		trig := &trigger{at: fault.trigger, fire: func() { fault.strike(proxy) }}
		cp := &transfer.Copier{
			Client:   client,
			Retry:    transfer.Retry{Attempts: 5, Min: time.Millisecond, Max: 20 * time.Millisecond},
			Progress: trig,
		}
		fault.arm(proxy)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var res transfer.Result
		switch op {
		case Download:
			res, err = cp.Download(ctx, src, dst)
		case Segmented:
			res, err = cp.DownloadSegmented(ctx, src, dst, 4)
		case Upload:
			res, err = cp.Upload(ctx, upload, srv.Dir+"/"+name)
		}
		cancel()
		client.Close()
		// Disarm what did not strike, with a fault that never does (a
		// zero Fault is not "none").
		proxy.FaultData(netem.Fault{Kind: netem.Stall, After: math.MaxInt64})
		tally.Runs++
		var got []byte
		switch {
		case op == Upload && err == nil:
			got, _ = srv.Read(srv.Dir + "/" + name)
		case op != Upload:
			got, _ = os.ReadFile(dst)
		}
		switch {
		case err == nil && sha256.Sum256(got) == sum:
			tally.Complete++
		case err == nil:
			tally.ShortSuccess++
			t.Errorf("%s: reported success with %d bytes of %d (or wrong content); result %+v", desc, len(got), size, res)
		default:
			tally.Errors++
			if op != Upload && i%3 == 0 && !bytes.Equal(got, precious) {
				tally.Clobbered++
				t.Errorf("%s: failed (%v) and the local file is no longer what it was (%d bytes)", desc, err, len(got))
			}
			if op != Upload && i%3 != 0 && len(got) > 0 {
				t.Errorf("%s: failed (%v) but a file is under the final name", desc, err)
			}
			t.Logf("%s: error: %v", desc, err)
		}
		os.Remove(dst)
		os.Remove(dst + ".part")
		os.Remove(dst + ".part.state")
	}
	t.Logf("faultrun: %d runs of %d bytes: %d complete with the right SHA-256, %d errors, %d short successes, %d clobbered",
		tally.Runs, size, tally.Complete, tally.Errors, tally.ShortSuccess, tally.Clobbered)
	return tally
}

// fault is one run's failure.
type fault struct {
	kind    string // "cut", "reset", "stall", "control", "refuse"
	after   int64  // data bytes before it strikes
	dir     netem.Dir
	trigger int64 // for control cuts and refusals: bytes moved first
}

func (f fault) String() string { return fmt.Sprintf("%s after %d", f.kind, max(f.after, f.trigger)) }

func drawFault(r *rand.Rand, op Op, size int) fault {
	f := fault{after: r.Int64N(int64(size)), dir: netem.Downstream}
	if op == Upload {
		f.dir = netem.Upstream
	}
	switch r.IntN(5) {
	case 0:
		f.kind = "cut"
	case 1:
		f.kind = "reset"
	case 2:
		f.kind = "stall"
	case 3:
		f.kind, f.trigger, f.after = "control", f.after, 0
	case 4:
		f.kind, f.trigger = "refuse", f.after/2+1
	}
	return f
}

// arm sets the data faults before the transfer starts.
func (f fault) arm(p *netem.Proxy) {
	switch f.kind {
	case "cut", "refuse":
		p.FaultData(netem.Fault{Kind: netem.Close, After: f.after, Dir: f.dir})
	case "reset":
		p.FaultData(netem.Fault{Kind: netem.Reset, After: f.after, Dir: f.dir})
	case "stall":
		// Longer than the data timeout, and finite, so that the relay's
		// stalled link ends by itself.
		p.FaultData(netem.Fault{Kind: netem.Stall, After: f.after, Dir: f.dir, Stall: time.Second})
	}
}

// strike does what happens mid-transfer: the control connection cut, or
// new connections refused for a while (the data cut armed by arm then
// forces a reconnection into the refusal).
func (f fault) strike(p *netem.Proxy) {
	switch f.kind {
	case "control":
		p.CutControl()
	case "refuse":
		p.RefuseFor(200 * time.Millisecond)
	}
}

// trigger is a transfer.Progress that fires once when at bytes have moved.
type trigger struct {
	at    int64
	fire  func()
	moved atomic.Int64
	once  sync.Once
}

func (t *trigger) Planned(int, int64)           {}
func (t *trigger) Started(string, int64, int64) {}
func (t *trigger) Finished(transfer.Result)     {}
func (t *trigger) Moved(_ string, n int64) {
	if t.at > 0 && t.moved.Add(n) >= t.at {
		t.once.Do(t.fire)
	}
}
