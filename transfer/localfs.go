package transfer

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// partSuffix names the temporary file a download is written to until it is
// complete and verified; a later run with Resume continues it.
const partSuffix = ".part"

// stateSuffix names the state file of a segmented download, beside its
// temporary file.
const stateSuffix = ".part.state"

// checkName refuses a name from a listing that is not exactly one path
// element, or that would change a command line.
func checkName(dir, name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00\r\n") ||
		(filepath.Separator != '/' && strings.ContainsRune(name, filepath.Separator)) {
		return &UnsafeNameError{Dir: dir, Name: name}
	}
	return nil
}

// openDirOf opens an os.Root on the directory of the local path p and
// returns it with p's last element, so that a single-file transfer is
// confined like a tree: its temporary and state files cannot escape.
func openDirOf(p string) (*os.Root, string, error) {
	dir, base := filepath.Split(p)
	if base == "" || base == "." || base == ".." {
		return nil, "", &LocalError{Op: "open", Path: p, Err: errors.New("not a file name")}
	}
	if dir == "" {
		dir = "."
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", &LocalError{Op: "open", Path: dir, Err: err}
	}
	return root, base, nil
}

// openTree opens (creating it when create is set) the local directory of
// a tree.
func openTree(dir string, create bool) (*os.Root, error) {
	if create {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, &LocalError{Op: "mkdir", Path: dir, Err: err}
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, &LocalError{Op: "open", Path: dir, Err: err}
	}
	return root, nil
}

// remoteJoin joins a remote directory and a slash-separated relative path;
// an empty directory is the login directory.
func remoteJoin(dir, rel string) string {
	if dir == "" {
		return rel
	}
	if rel == "" {
		return dir
	}
	return path.Join(dir, rel)
}

// localPath shows where rel lives under the tree at dir, for messages.
func localPath(dir, rel string) string {
	return filepath.Join(dir, filepath.FromSlash(rel))
}

// isNotExist reports a missing file, locally or on the server.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
