package server

import (
	"os"
	"path"
	"syscall"
	"time"

	ftpserver "github.com/fclairamb/ftpserverlib"
	"github.com/spf13/afero"
)

// sessionFs is the afero.Fs handed to one logged-in control connection. It
// resolves relative names against the session's working directory (HASH
// and its X* variants in ftpserverlib v0.32.3 pass the client's argument
// unresolved) and passes files opened to Hooks.File. It deliberately
// implements none of ftpserverlib's driver extensions.
type sessionFs struct {
	afero.Fs
	cc   ftpserver.ClientContext
	wrap func(ftpserver.ClientContext, afero.File) afero.File
}

func (f *sessionFs) abs(name string) string {
	if path.IsAbs(name) {
		return name
	}
	return path.Join(f.cc.Path(), name)
}

// OpenFile implements afero.Fs. Uploaded files are created rw-r--r--
// (less under a stricter umask): ftpserverlib asks for 0777, and nothing
// uploaded should become executable.
func (f *sessionFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if flag&os.O_CREATE != 0 {
		perm = 0o644
	}
	file, err := f.Fs.OpenFile(f.abs(name), flag, perm)
	if err != nil || f.wrap == nil {
		return file, err
	}
	return f.wrap(f.cc, file), nil
}

// Open implements afero.Fs.
func (f *sessionFs) Open(name string) (afero.File, error) { return f.Fs.Open(f.abs(name)) }

// Create implements afero.Fs.
func (f *sessionFs) Create(name string) (afero.File, error) {
	return f.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Stat implements afero.Fs.
func (f *sessionFs) Stat(name string) (os.FileInfo, error) { return f.Fs.Stat(f.abs(name)) }

// Mkdir implements afero.Fs.
func (f *sessionFs) Mkdir(name string, perm os.FileMode) error { return f.Fs.Mkdir(f.abs(name), perm) }

// MkdirAll implements afero.Fs.
func (f *sessionFs) MkdirAll(name string, perm os.FileMode) error {
	return f.Fs.MkdirAll(f.abs(name), perm)
}

// Remove implements afero.Fs, as os.Remove does: a directory that is not
// empty is refused (DELE and RMD both come here), as every FTP server
// refuses it. afero's MemMapFs would drop it and keep what it holds,
// unreachable.
func (f *sessionFs) Remove(name string) error {
	p := f.abs(name)
	if st, err := f.Fs.Stat(p); err == nil && st.IsDir() {
		if d, err := f.Fs.Open(p); err == nil {
			names, _ := d.Readdirnames(1)
			d.Close()
			if len(names) > 0 {
				return &os.PathError{Op: "remove", Path: p, Err: syscall.ENOTEMPTY}
			}
		}
	}
	return f.Fs.Remove(p)
}

// RemoveAll implements afero.Fs.
func (f *sessionFs) RemoveAll(name string) error { return f.Fs.RemoveAll(f.abs(name)) }

// Rename implements afero.Fs.
func (f *sessionFs) Rename(from, to string) error { return f.Fs.Rename(f.abs(from), f.abs(to)) }

// Chmod implements afero.Fs.
func (f *sessionFs) Chmod(name string, mode os.FileMode) error { return f.Fs.Chmod(f.abs(name), mode) }

// Chown implements afero.Fs.
func (f *sessionFs) Chown(name string, uid, gid int) error { return f.Fs.Chown(f.abs(name), uid, gid) }

// Chtimes implements afero.Fs.
func (f *sessionFs) Chtimes(name string, atime, mtime time.Time) error {
	return f.Fs.Chtimes(f.abs(name), atime, mtime)
}
