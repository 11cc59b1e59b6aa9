package ftpfs_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spf13/afero"
	"go.uber.org/goleak"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/ftpfs"
	"github.com/ferryftp/ftp/internal/ftptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// tree is the test tree: files at several depths, an empty file and an
// empty directory.
var tree = map[string]string{
	"hello.txt":        "hello, world\n",
	"empty":            "",
	"a/b/c/deep.txt":   "deep",
	"a/one":            "1",
	"a/two":            "22",
	"big/blob":         string(make([]byte, 40<<10)),
	"emptydir/":        "",
	"with space/x y z": "spaces",
}

func fill(t testing.TB, fsys afero.Fs) []string {
	var names []string
	for name, content := range tree {
		if name[len(name)-1] == '/' {
			fsys.MkdirAll("/"+name, 0o755)
			continue
		}
		if err := afero.WriteFile(fsys, "/"+name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

func start(t *testing.T, opts ftptest.Options) (*ftptest.Server, *ftp.Client) {
	t.Helper()
	srv, err := ftptest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := &ftp.Client{Addr: srv.Addr(), MaxConns: 2, Dialer: ftp.Dialer{Timeout: 5 * time.Second, ReplyTimeout: 5 * time.Second, DataTimeout: 5 * time.Second}}
	if opts.TLS != ftptest.TLSNone {
		c.Dialer.TLS = ftp.TLSExplicit
		c.Dialer.TLSConfig = &tls.Config{RootCAs: srv.CertPool(), ServerName: srv.ServerName()}
	}
	t.Cleanup(func() { c.Close() })
	return srv, c
}

func TestFS(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts ftptest.Options
	}{
		{"MLSD", ftptest.Options{}},
		{"LIST", ftptest.Options{DisableMLSD: true, DisableMLST: true}},
		{"TLS", ftptest.Options{TLS: ftptest.TLSExplicit, RequireSessionReuse: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := start(t, tc.opts)
			names := fill(t, srv.FS())
			fsys := ftpfs.New(c)
			if err := fstest.TestFS(fsys, names...); err != nil {
				t.Fatal(err)
			}
			sub, err := fs.Sub(fsys, "a")
			if err != nil {
				t.Fatal(err)
			}
			if err := fstest.TestFS(sub, "one", "two", "b/c/deep.txt"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFSErrors(t *testing.T) {
	srv, c := start(t, ftptest.Options{})
	fill(t, srv.FS())
	fsys := ftpfs.New(c)
	for _, name := range []string{"/hello.txt", "../x", "a/", ""} {
		if _, err := fsys.Open(name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%q) = %v, want fs.ErrInvalid", name, err)
		}
	}
	if _, err := fs.Stat(fsys, "nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(nope) = %v, want fs.ErrNotExist", err)
	}
	if _, err := fs.ReadFile(fsys, "a/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(a/nope) = %v, want fs.ErrNotExist", err)
	}
	if _, err := fs.Sub(fsys, "hello.txt"); err == nil {
		t.Errorf("Sub of a file succeeded")
	}
}

func TestFSContext(t *testing.T) {
	srv, c := start(t, ftptest.Options{})
	fill(t, srv.FS())
	ctx, cancel := context.WithCancel(context.Background())
	fsys := ftpfs.NewContext(ctx, c)
	if _, err := fs.ReadDir(fsys, "a"); err != nil {
		t.Fatal(err)
	}
	cancel()
	err := fs.WalkDir(fsys, ".", func(_ string, _ fs.DirEntry, err error) error { return err })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("WalkDir with a cancelled context = %v", err)
	}
}
