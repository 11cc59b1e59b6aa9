package cli

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"

	"github.com/ferryftp/ftp/listing"
)

// treeEntry is one file or directory of a tree, by its slash-separated
// path relative to the tree's root.
type treeEntry struct {
	rel   string
	dir   bool
	size  int64 // -1 unknown
	mtime time.Time
	prec  listing.Precision
}

// walkRemote lists the tree under root, depth first, parents before
// children. Every name is checked before use: a listing with "/", "..",
// NUL or line breaks in a name is refused. Links and special files are
// skipped, so a tree copy never follows a server's links.
func (s *session) walkRemote(ctx context.Context, root string) ([]treeEntry, error) {
	var out []treeEntry
	var walk func(rel string) error
	walk = func(rel string) error {
		dir := remoteJoin(root, rel)
		entries, err := s.readDir(ctx, dir)
		if err != nil {
			return &opError{Op: "list", Path: displayPath(dir), Err: err}
		}
		for _, e := range entries {
			if err := checkName(displayPath(dir), e.Name); err != nil {
				return err
			}
			if e.Type != listing.File && e.Type != listing.Dir {
				s.a.trace.note("skipping %s (%s)", path.Join(rel, e.Name), e.Type)
				continue
			}
			child := path.Join(rel, e.Name)
			out = append(out, treeEntry{rel: child, dir: e.Type == listing.Dir, size: e.Size, mtime: e.ModTime, prec: e.Precision})
			if e.Type == listing.Dir {
				if err := walk(child); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(""); err != nil {
		return nil, err
	}
	return out, nil
}

// checkRemoteDir makes sure dir exists and is a directory before a tree
// is copied from it: some servers (vsftpd) list a missing directory as an
// empty one, which would make a mirror with --delete wipe its copy.
func (s *session) checkRemoteDir(ctx context.Context, dir string) error {
	if dir == "" {
		return nil
	}
	e, err := s.stat(ctx, dir)
	if err != nil {
		return &opError{Op: "stat", Path: dir, Err: err}
	}
	if e.Type != listing.Dir {
		return &opError{Op: "list", Path: dir, Err: errors.New("not a directory")}
	}
	return nil
}

// walkLocal lists the local tree under root like walkRemote. Symbolic
// links are not followed.
func walkLocal(root string) ([]treeEntry, error) {
	var out []treeEntry
	err := fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &localError{Op: "read", Path: filepath.Join(root, filepath.FromSlash(p)), Err: err}
		}
		if p == "." {
			return nil
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return &localError{Op: "stat", Path: filepath.Join(root, filepath.FromSlash(p)), Err: err}
		}
		out = append(out, treeEntry{rel: p, dir: d.IsDir(), size: info.Size(), mtime: info.ModTime(), prec: listing.PrecisionSubsecond})
		return nil
	})
	return out, err
}

// displayPath shows the login directory as ".".
func displayPath(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// getTree downloads the remote tree under remoteDir into localDir,
// which is created if needed; every write goes through an os.Root on it.
func (s *session) getTree(ctx context.Context, remoteDir, localDir string, resume bool) error {
	if err := s.checkRemoteDir(ctx, remoteDir); err != nil {
		return err
	}
	entries, err := s.walkRemote(ctx, remoteDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(localDir, 0o755); err != nil {
		return &localError{Op: "mkdir", Path: localDir, Err: err}
	}
	root, err := os.OpenRoot(localDir)
	if err != nil {
		return &localError{Op: "open", Path: localDir, Err: err}
	}
	defer root.Close()
	var total int64
	for _, e := range entries {
		if !e.dir && e.size > 0 {
			total += e.size
		}
	}
	pr := s.a.newProgress(true, total)
	defer pr.wait()
	for _, e := range entries {
		local := filepath.FromSlash(e.rel)
		if e.dir {
			if err := root.Mkdir(local, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return &localError{Op: "mkdir", Path: filepath.Join(localDir, local), Err: err}
			}
			continue
		}
		f := fetch{remote: remoteJoin(remoteDir, e.rel), local: local, lfs: root, resume: resume, size: e.size}
		if e.prec >= listing.PrecisionSecond {
			f.mtime = e.mtime
		}
		if err := s.download(ctx, f, pr); err != nil {
			return &opError{Op: "get", Path: f.remote, Err: err}
		}
	}
	return nil
}

// putTree uploads the local tree under localDir into remoteDir, creating
// remote directories as needed.
func (s *session) putTree(ctx context.Context, localDir, remoteDir string, resume bool) error {
	entries, err := walkLocal(localDir)
	if err != nil {
		return err
	}
	root, err := os.OpenRoot(localDir)
	if err != nil {
		return &localError{Op: "open", Path: localDir, Err: err}
	}
	defer root.Close()
	var total int64
	for _, e := range entries {
		if !e.dir {
			total += e.size
		}
	}
	if remoteDir != "" {
		if err := s.mkdirAll(ctx, remoteDir); err != nil {
			return err
		}
	}
	pr := s.a.newProgress(true, total)
	defer pr.wait()
	for _, e := range entries {
		remote := remoteJoin(remoteDir, e.rel)
		if e.dir {
			if err := s.mkdirAll(ctx, remote); err != nil {
				return err
			}
			continue
		}
		u := send{local: filepath.FromSlash(e.rel), lfs: root, remote: remote, resume: resume}
		if err := s.upload(ctx, u, pr); err != nil {
			return &opError{Op: "put", Path: remote, Err: err}
		}
	}
	return nil
}

// sortDeepestFirst orders paths so that children come before parents,
// for deletion.
func sortDeepestFirst(rels []string) {
	sort.Slice(rels, func(i, j int) bool {
		di, dj := depth(rels[i]), depth(rels[j])
		if di != dj {
			return di > dj
		}
		return rels[i] > rels[j]
	})
}

func depth(rel string) int {
	n := 0
	for i := 0; i < len(rel); i++ {
		if rel[i] == '/' {
			n++
		}
	}
	return n
}
