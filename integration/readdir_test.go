package integration

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"time"
)

// TestReadDirMissing: on every daemon, with MLSD and with LIST, ReadDir of
// a missing directory is an error matching fs.ErrNotExist (vsftpd and
// Pure-FTPd answer LIST of one with an empty listing and 226), and ReadDir
// of an empty directory is no error and no entries.
func TestReadDirMissing(t *testing.T) {
	for _, kind := range Kinds {
		for _, disableMLSD := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/DisableMLSD=%v", kind, disableMLSD), func(t *testing.T) {
				in := Start(t, kind, Plain)
				d := dialer(in, 0)
				d.DisableMLSD = disableMLSD
				c := login(t, in, d)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				if entries, err := c.ReadDir(ctx, "/no-such-dir"); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("ReadDir(/no-such-dir) = %d entries, %v; want an error matching fs.ErrNotExist", len(entries), err)
				}
				empty, _ := in.Scratch(t)
				if entries, err := c.ReadDir(ctx, empty); err != nil || len(entries) != 0 {
					t.Errorf("ReadDir(%s) = %v, %v; want no entries and no error", empty, entries, err)
				}
				if entries, err := c.ReadDir(ctx, "/dir"); err != nil || len(entries) != 2 {
					t.Errorf("ReadDir(/dir) = %v, %v; want nested.txt and sub", entries, err)
				}
			})
		}
	}
}
