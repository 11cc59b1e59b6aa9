package transfer_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/ferryftp/ftp/internal/netem"
	"github.com/ferryftp/ftp/transfer"
	"github.com/spf13/afero"
)

// A segmented download asked for 4 segments from a server that takes no
// more connections than the 2 the Client has: the Client lowers its limit,
// the segments share the 2 connections, and the file arrives whole.
func TestSegmentedShrinksWithTheLimit(t *testing.T) {
	fsys := afero.NewMemMapFs()
	want := bytes.Repeat([]byte("0123456789abcdef"), 4<<16) // 4 MiB
	afero.WriteFile(fsys, "/big.bin", want, 0o644)
	srv := ftptest.New(t, ftptest.Options{FS: fsys})
	proxy, err := netem.New(srv.Addr(), netem.Shape{})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	c := &ftp.Client{Addr: srv.Addr(), User: "u", Password: "p", MaxConns: 4,
		Dialer: ftp.Dialer{DialContext: proxy.DialContext, Timeout: 2 * time.Second}}
	defer c.Close()
	ctx := context.Background()
	// Two connections open and idle in the pool.
	c1, r1, err := c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, r2, err := c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = c1
	r1()
	r2()
	proxy.RefuseFor(time.Minute)
	cp := &transfer.Copier{Client: c}
	local := filepath.Join(t.TempDir(), "big.bin")
	if _, err := cp.DownloadSegmented(ctx, "big.bin", local, 4); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(local); !bytes.Equal(got, want) {
		t.Fatal("content differs")
	}
	if st := proxy.Stats(); st.PeakControl > 2 || st.Refused == 0 {
		t.Errorf("stats %+v: want at most 2 control connections and refusals", st)
	}
}
