package ftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/ferryftp/ftp/listing"
)

// ErrLoop is passed to a WalkDir function for a directory that is one of
// its own ancestors, reached through a symbolic link that the server lists
// as the directory it points to; RemoveAll gives it for the directories it
// leaves for that reason, and for the server that lists a directory as it
// listed its parent.
var ErrLoop = errors.New("ftp: directory loop")

// WalkDir walks the tree rooted at root as fs.WalkDir does: fn is called
// for root and for everything below it, in lexical order, with paths that
// begin with root; fs.SkipDir skips a directory (or the rest of the
// directory holding a file), fs.SkipAll ends the walk. Each directory is
// listed once (ReadDir). No connection is held while fn runs, so fn may
// use the Client.
//
// Symbolic links are not followed when the listing shows them as links
// (vsftpd, ProFTPD and Pure-FTPd do). Servers that list a link to a
// directory as the directory itself, with the MLSD "unique" fact (as
// pyftpdlib does), cannot make the walk go round forever: a directory whose
// unique identity is one of its ancestors' is reported to fn a second time
// with an error wrapping ErrLoop instead of being listed.
func (c *Client) WalkDir(ctx context.Context, root string, fn fs.WalkDirFunc) error {
	info, err := c.Stat(ctx, root)
	if err != nil {
		err = fn(root, nil, err)
	} else {
		err = c.walkDir(ctx, root, fs.FileInfoToDirEntry(info), fn, nil)
	}
	if err == fs.SkipDir || err == fs.SkipAll {
		return nil
	}
	return err
}

func (c *Client) walkDir(ctx context.Context, name string, d fs.DirEntry, fn fs.WalkDirFunc, ancestors []string) error {
	if err := fn(name, d, nil); err != nil || !d.IsDir() {
		if err == fs.SkipDir && d.IsDir() {
			err = nil
		}
		return err
	}
	if id := uniqueID(d); id != "" {
		if slices.Contains(ancestors, id) {
			err := fn(name, d, &fs.PathError{Op: "walk", Path: name, Err: fmt.Errorf("%w through a symbolic link (unique=%s)", ErrLoop, id)})
			if err == fs.SkipDir {
				err = nil
			}
			return err
		}
		ancestors = append(ancestors, id)
	}
	entries, err := c.ReadDir(ctx, name)
	if err != nil {
		// Like fs.WalkDir: report, and go on with what could be read if
		// fn says so.
		if err = fn(name, d, err); err != nil {
			if err == fs.SkipDir {
				err = nil
			}
			return err
		}
	}
	for _, e := range entries {
		if err := c.walkDir(ctx, path.Join(name, e.Name()), e, fn, ancestors); err != nil {
			if err == fs.SkipDir {
				break
			}
			return err
		}
	}
	return nil
}

// uniqueID returns the MLSx "unique" fact (RFC 3659 section 7.5.2) of a
// directory entry: the same for every name of one object.
func uniqueID(d fs.DirEntry) string {
	info, err := d.Info()
	if err != nil {
		return ""
	}
	e, ok := info.Sys().(*listing.Entry)
	if !ok {
		return ""
	}
	id, _ := e.Fact("unique")
	return id
}
