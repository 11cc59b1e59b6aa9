package ftp_test

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/fakeftp"
	"github.com/ferryftp/ftp/internal/ftptest"
)

// TestRemoveAll: a tree goes, empty directories and all; a file goes; what
// does not exist is not an error; names that cannot mean a tree of the
// caller's are refused before anything is sent.
func TestRemoveAll(t *testing.T) {
	srv := startServer(t, ftptest.Options{})
	for _, p := range []string{"/t/a/b/f1", "/t/a/f2", "/t/f3", "/lone"} {
		srv.FS().MkdirAll(path.Dir(p), 0o755)
		afero.WriteFile(srv.FS(), p, []byte(p), 0o644)
	}
	srv.FS().MkdirAll("/t/empty/deeper", 0o755)
	c := newClient(t, srv, 1)
	ctx := testCtx(t)
	for _, name := range []string{"/t", "/lone", "/none", "/t/none/x"} {
		if err := c.RemoveAll(ctx, name); err != nil {
			t.Fatalf("RemoveAll(%s): %v", name, err)
		}
		if ok, _ := afero.Exists(srv.FS(), name); ok {
			t.Fatalf("%s still there", name)
		}
	}
	if names, _ := afero.ReadDir(srv.FS(), "/"); len(names) != 0 {
		t.Errorf("left %v", names)
	}
	for _, name := range []string{"", "/", ".", "..", "a/..", "a/.", "/..", "//"} {
		var pe *fs.PathError
		if err := c.RemoveAll(ctx, name); !errors.As(err, &pe) || !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("RemoveAll(%q) = %v, want fs.ErrInvalid", name, err)
		}
	}
}

// keepFs refuses to remove the files named keep, in the words of a
// server without the permission.
type keepFs struct{ afero.Fs }

func (f keepFs) Remove(name string) error {
	if path.Base(name) == "keep" {
		return os.ErrPermission
	}
	return f.Fs.Remove(name)
}

// TestRemoveAllReportsWhatIsLeft: what cannot be removed is listed with
// its reason, the rest goes, and the directories that hold what is left
// stay without being listed themselves.
func TestRemoveAllReportsWhatIsLeft(t *testing.T) {
	mem := afero.NewMemMapFs()
	for _, p := range []string{"/t/a/keep", "/t/a/go", "/t/b/go", "/t/keep", "/t/z"} {
		mem.MkdirAll(path.Dir(p), 0o755)
		afero.WriteFile(mem, p, []byte(p), 0o644)
	}
	srv := startServer(t, ftptest.Options{FS: keepFs{mem}})
	c := newClient(t, srv, 1)
	err := c.RemoveAll(testCtx(t), "/t")
	var re *ftp.RemoveAllError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *RemoveAllError", err)
	}
	var left []string
	for _, pe := range re.Left {
		left = append(left, pe.Op+" "+pe.Path)
	}
	if want := []string{"remove /t/a/keep", "remove /t/keep"}; !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "removeall /t: 2 left; DELE /t/a/keep: 550 ") {
		t.Errorf("err = %v", err)
	}
	for _, p := range []string{"/t/a/keep", "/t/keep"} {
		if ok, _ := afero.Exists(mem, p); !ok {
			t.Errorf("%s was removed", p)
		}
	}
	for _, p := range []string{"/t/a/go", "/t/b", "/t/z"} {
		if ok, _ := afero.Exists(mem, p); ok {
			t.Errorf("%s was left", p)
		}
	}
}

// TestRemoveAllDepthBound: a tree deeper than RemoveAll goes is taken for
// a server that lists one directory under ever longer names: the part
// beyond is left and reported.
func TestRemoveAllDepthBound(t *testing.T) {
	defer ftp.SetMaxRemoveDepth(2)()
	srv := startServer(t, ftptest.Options{})
	srv.FS().MkdirAll("/t/1/2/3", 0o755)
	afero.WriteFile(srv.FS(), "/t/1/f", nil, 0o644)
	afero.WriteFile(srv.FS(), "/t/1/2/3/f", nil, 0o644)
	c := newClient(t, srv, 1)
	err := c.RemoveAll(testCtx(t), "/t")
	var re *ftp.RemoveAllError
	if !errors.As(err, &re) || len(re.Left) != 1 || re.Left[0].Path != "/t/1/2" || !errors.Is(err, ftp.ErrLoop) {
		t.Fatalf("err = %v", err)
	}
	if ok, _ := afero.Exists(srv.FS(), "/t/1/f"); ok {
		t.Error("/t/1/f was left")
	}
}

// TestRemoveAllRefusesUnsafeNamesAndLoops: a listed name that is not one
// path element is never sent, a directory listed with the unique fact of
// one above it (a link to a parent, as pyftpdlib lists it) is not entered,
// nor one the server lists exactly as it listed its parent (a server that
// ignores the path it is asked to list). The script has no DELE for what
// must stay: any such command fails the test.
func TestRemoveAllRefusesUnsafeNamesAndLoops(t *testing.T) {
	mlsd := func(dir, listing string) []fakeftp.Step {
		return steps(epsv, fakeftp.Expect("MLSD "+dir), fakeftp.Reply("150 here"),
			fakeftp.SendData(listing), fakeftp.CloseData(), fakeftp.Reply("226 done"))
	}
	isDir := func(p string) []fakeftp.Step {
		return steps(fakeftp.Expect("DELE "+p), fakeftp.Reply("550 "+p+": Is a directory"))
	}
	sub := "type=dir;unique=A; loop\r\ntype=dir;unique=C; same\r\n"
	srv := fakeftp.New(t, steps(welcome,
		fakeftp.Expect("USER anonymous"), fakeftp.Reply("331 pass"),
		fakeftp.Expect("PASS anonymous@"), fakeftp.Reply("230 in"),
		fakeftp.Expect("FEAT"), fakeftp.Reply("211-Features:", " MLST type*;size*;unique*;", "211 End"),
		fakeftp.Expect("MLST /top"), fakeftp.Reply("250-facts", " type=dir;unique=A; /top", "250 End"),
		isDir("/top"),
		mlsd("/top", "type=cdir;unique=A; .\r\ntype=pdir;unique=P; ..\r\ntype=file;size=1;unique=E; ../escape\r\n"+
			"type=dir;unique=B; sub\r\ntype=file;size=1;unique=F; f\r\n"),
		isDir("/top/sub"),
		mlsd("/top/sub", sub),
		isDir("/top/sub/loop"),
		isDir("/top/sub/same"),
		mlsd("/top/sub/same", sub),
		fakeftp.Expect("DELE /top/f"), fakeftp.Reply("250 gone"),
		fakeftp.Optional(), fakeftp.Expect("QUIT"), fakeftp.Reply("221 bye"),
	))
	c := &ftp.Client{Addr: srv.Addr(), MaxConns: 1, Dialer: *quickDialer()}
	defer c.Close()
	err := c.RemoveAll(fakeCtx(t), "/top")
	var re *ftp.RemoveAllError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v", err)
	}
	var left []string
	for _, pe := range re.Left {
		left = append(left, pe.Path+": "+pe.Err.Error())
	}
	want := []string{
		`/top: ftp: listed name is not a single path element: "../escape"`,
		"/top/sub/loop: ftp: directory loop through a symbolic link (unique=A)",
		"/top/sub/same: ftp: directory loop: the server lists it as it listed its parent",
	}
	if !slices.Equal(left, want) {
		t.Errorf("left:\n%s\nwant:\n%s", strings.Join(left, "\n"), strings.Join(want, "\n"))
	}
	if !errors.Is(err, ftp.ErrUnsafeName) || !errors.Is(err, ftp.ErrLoop) {
		t.Errorf("err = %v", err)
	}
}
