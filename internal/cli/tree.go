package cli

import (
	"context"
	"path"
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

// displayPath shows the login directory as ".".
func displayPath(p string) string {
	if p == "" {
		return "."
	}
	return p
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
