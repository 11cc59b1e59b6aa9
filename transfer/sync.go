package transfer

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

// Direction says which side of a sync is the source.
type Direction int

const (
	// Download makes the local tree a copy of the remote one.
	Download Direction = iota
	// Upload makes the remote tree a copy of the local one.
	Upload
)

// Compare says how a sync decides that a file is already in place.
type Compare int

const (
	// CompareSizeTime: same size, and the same modification time at the
	// precision the coarser side knows (a listing may give only minutes,
	// or days for old files); when either side has no time, the size
	// decides.
	CompareSizeTime Compare = iota
	// CompareChecksum: same size and the same checksum, computed by the
	// server (HASH and its older forms) and locally. Where the server
	// offers none, size and time decide.
	CompareChecksum
	// CompareNone copies every file.
	CompareNone
)

// SyncOptions describes a sync. The zero value downloads the login
// directory into the current directory, comparing sizes and times.
type SyncOptions struct {
	Direction Direction
	Remote    string // the remote tree's root ("" is the login directory)
	Local     string // the local tree's root ("" is the current directory)
	Compare   Compare

	// OnlyNewer leaves alone a destination file that is newer than the
	// source's (lftp's --only-newer).
	OnlyNewer bool
	// Delete removes from the destination what the source does not have.
	Delete bool
	// Include, when not empty, limits the files to those matching one of
	// its patterns; Exclude leaves out files and directories matching one
	// of its. Patterns are path.Match patterns, matched against the path
	// relative to the root and against the last element.
	Include, Exclude []string
}

// entry is one file or directory of a tree.
type entry struct {
	rel   string // slash-separated, relative to the root
	dir   bool
	size  int64
	mtime time.Time
	prec  listing.Precision
}

func (o *SyncOptions) excluded(rel string) bool {
	return matchAny(o.Exclude, rel)
}

func (o *SyncOptions) included(rel string) bool {
	return len(o.Include) == 0 || matchAny(o.Include, rel)
}

func matchAny(patterns []string, rel string) bool {
	base := path.Base(rel)
	for _, p := range patterns {
		if ok, _ := path.Match(p, rel); ok {
			return true
		}
		if ok, _ := path.Match(p, base); ok {
			return true
		}
	}
	return false
}

// walkRemote lists the tree under root, Copier.Parallel directories at a
// time. Names that cannot be used safely are returned apart, not followed;
// links and special files are left out, so a copy never follows a
// server's links.
func (cp *Copier) walkRemote(ctx context.Context, root string, o *SyncOptions) (files []entry, unsafe []Action, err error) {
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		first error
		sem   = make(chan struct{}, cp.parallel())
	)
	var visit func(rel string)
	visit = func(rel string) {
		defer wg.Done()
		sem <- struct{}{}
		dir := remoteJoin(root, rel)
		// The connection's own ReadDir, not the Client's: the Client
		// leaves out names it cannot hold, and they must be reported.
		var ents []listing.Entry
		var unreadable *ftp.ListingError
		err := cp.Retry.do(ctx, func(int) (err error) {
			c, release, err := cp.conn(ctx)
			if err != nil {
				return err
			}
			defer func() { release(err) }()
			ents, err = c.ReadDir(ctx, dir)
			if errors.As(err, &unreadable) {
				err = nil // the rest is usable; the lines are reported
			}
			return err
		})
		<-sem
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if first == nil {
				first = err
			}
			return
		}
		if unreadable != nil {
			unsafe = append(unsafe, Action{Op: OpSkip, Path: orDot(rel), Remote: root, Local: o.Local, Reason: unreadable.Error()})
		}
		for _, e := range ents {
			if err := checkName(displayDir(dir), e.Name); err != nil {
				unsafe = append(unsafe, Action{Op: OpSkip, Path: orDot(rel), Name: e.Name, Remote: root, Local: o.Local, Reason: "unsafe name"})
				continue
			}
			child := path.Join(rel, e.Name)
			if e.Type != listing.File && e.Type != listing.Dir {
				continue
			}
			if o.excluded(child) {
				continue
			}
			isDir := e.Type == listing.Dir
			if !isDir && !o.included(child) {
				continue
			}
			files = append(files, entry{rel: child, dir: isDir, size: e.Size, mtime: e.ModTime, prec: e.Precision})
			if isDir {
				wg.Add(1)
				go visit(child)
			}
		}
	}
	wg.Add(1)
	go visit("")
	wg.Wait()
	if first != nil {
		return nil, nil, first
	}
	slices.SortFunc(files, func(a, b entry) int { return strings.Compare(a.rel, b.rel) })
	return files, unsafe, nil
}

func displayDir(d string) string {
	if d == "" {
		return "."
	}
	return d
}

// walkLocal lists the local tree under dir like walkRemote. Symbolic links
// are not followed.
func walkLocal(dir string, o *SyncOptions) ([]entry, error) {
	var out []entry
	root := dir
	if root == "" {
		root = "."
	}
	err := fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &LocalError{Op: "read", Path: localPath(root, p), Err: err}
		}
		if p == "." {
			return nil
		}
		if o.excluded(p) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && (!d.Type().IsRegular() || !o.included(p)) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return &LocalError{Op: "stat", Path: localPath(root, p), Err: err}
		}
		out = append(out, entry{rel: p, dir: d.IsDir(), size: info.Size(), mtime: info.ModTime(), prec: listing.PrecisionSubsecond})
		return nil
	})
	return out, err
}

// sameTime compares two times at the coarser of their precisions; ok is
// false when either side has no time to compare.
func sameTime(a, b entry) (equal, ok bool) {
	prec := min(a.prec, b.prec)
	if prec == listing.PrecisionNone || a.mtime.IsZero() || b.mtime.IsZero() {
		return false, false
	}
	return prec.Truncate(a.mtime.UTC()).Equal(prec.Truncate(b.mtime.UTC())), true
}

// newer reports whether a is later than b at the coarser precision.
func newer(a, b entry) bool {
	prec := min(a.prec, b.prec)
	if prec == listing.PrecisionNone || a.mtime.IsZero() || b.mtime.IsZero() {
		return false
	}
	return prec.Truncate(a.mtime.UTC()).After(prec.Truncate(b.mtime.UTC()))
}
