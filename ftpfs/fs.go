// Package ftpfs presents the files of an FTP server as an fs.FS, over a
// pooled ftp.Client, so that fs.WalkDir, fs.Glob, fs.ReadFile, fs.Sub,
// template.ParseFS, http.FS and the rest work on a server as on a disk.
//
// Names are slash-separated and relative to the Client's login directory,
// as fs.FS requires; use Sub (or fs.Sub) to start elsewhere, and
// fs.Sub(New(c), ".") is the login directory itself.
//
// # Contexts and deadlines
//
// The fs.FS interfaces take no context. Every call of an FS made by New
// uses context.Background, bounded only by the Client's Dialer timeouts
// (each reply, each data transfer). NewContext binds the FS, and every file
// it opens, to a context instead: cancelling it, or its deadline passing,
// fails the calls in progress and all later ones. To put a deadline on one
// walk, make an FS for it:
//
//	ctx, cancel := context.WithTimeout(ctx, time.Minute)
//	defer cancel()
//	err := fs.WalkDir(ftpfs.NewContext(ctx, c), ".", fn)
package ftpfs

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"path"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

// FS is the file system of an ftp.Client. It implements fs.ReadDirFS,
// fs.StatFS, fs.ReadFileFS and fs.SubFS, and may be used by several
// goroutines at once.
type FS struct {
	c    *ftp.Client
	ctx  context.Context
	root string // the directory "." stands for: "" is the login directory
}

// New returns the file system of c, rooted at c's login directory. Calls
// use context.Background; see NewContext.
func New(c *ftp.Client) fs.FS { return NewContext(context.Background(), c) }

// NewContext is New with every call, and every file opened, governed by
// ctx.
func NewContext(ctx context.Context, c *ftp.Client) fs.FS {
	return &FS{c: c, ctx: ctx}
}

var (
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadFileFS = (*FS)(nil)
	_ fs.SubFS      = (*FS)(nil)
)

// remote returns the server path for a valid fs name.
func (f *FS) remote(name string) string {
	if name == "." {
		return f.root
	}
	if f.root == "" {
		return name
	}
	return path.Join(f.root, name)
}

// pathErr reports err for the fs name, without the Client's own
// *fs.PathError around it, which names the server path.
func pathErr(op, name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// Open opens the named file or directory. A file's download starts at
// once (RETR); a directory is listed by its first ReadDir.
func (f *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	info, err := f.stat(name)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	if info.IsDir() {
		return &dir{fsys: f, name: name, info: info}, nil
	}
	rf, err := f.c.Open(f.ctx, f.remote(name))
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	return &file{File: rf, name: name, info: info}, nil
}

// Stat describes the named file or directory. On servers without MLST
// (vsftpd), it reads the parent's listing, so that it tells exactly what
// ReadDir tells.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	info, err := f.stat(name)
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	return info, nil
}

func (f *FS) stat(name string) (fs.FileInfo, error) {
	info, err := f.c.Stat(f.ctx, f.remote(name))
	if err != nil {
		return nil, err
	}
	if name == "." {
		return renamed{info, "."}, nil
	}
	if e, ok := info.Sys().(*listing.Entry); ok && e.Facts() == nil && e.Raw == "" {
		// From SIZE and MDTM, not MLST or a listing: another time
		// precision and no permissions. The parent's listing is what
		// ReadDir shows.
		entries, err := f.c.ReadDir(f.ctx, f.remote(path.Dir(name)))
		if err == nil {
			base := path.Base(name)
			for _, d := range entries {
				if d.Name() == base {
					return d.Info()
				}
			}
		}
	}
	return info, nil
}

// ReadDir lists the named directory, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	entries, err := f.c.ReadDir(f.ctx, f.remote(name))
	if err != nil {
		return entries, pathErr("readdir", name, err)
	}
	return entries, nil
}

// ReadFile reads the named file with one download.
func (f *FS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	rf, err := f.c.Open(f.ctx, f.remote(name))
	if err != nil {
		return nil, pathErr("readfile", name, err)
	}
	defer rf.Close()
	b, err := io.ReadAll(rf)
	if err != nil {
		return nil, pathErr("readfile", name, err)
	}
	return b, nil
}

// Sub returns the file system rooted at dir, which must be a directory.
func (f *FS) Sub(dir string) (fs.FS, error) {
	if !fs.ValidPath(dir) {
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: fs.ErrInvalid}
	}
	if dir == "." {
		return f, nil
	}
	info, err := f.stat(dir)
	if err != nil {
		return nil, pathErr("sub", dir, err)
	}
	if !info.IsDir() {
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: errors.New("not a directory")}
	}
	return &FS{c: f.c, ctx: f.ctx, root: f.remote(dir)}, nil
}

// renamed is a FileInfo under another name: "." for the root of an FS.
type renamed struct {
	fs.FileInfo
	name string
}

func (r renamed) Name() string { return r.name }
