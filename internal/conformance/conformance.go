// Package conformance holds the checks every server the client is tested
// against must pass, so that the in-process server's end-to-end tests and
// the real daemons' integration matrix run the very same operations.
package conformance

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"path"
	"slices"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

// Data returns n bytes that are the same in every run.
func Data(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// Download reads path from offset to its end through c.
func Download(ctx context.Context, c *ftp.Conn, p string, offset int64) ([]byte, error) {
	d, err := c.RetrieveFrom(ctx, p, offset)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return io.ReadAll(d)
}

// Exercise runs, inside dir (an empty writable directory), every operation
// a working FTP session needs: mkdir, upload, list, download with byte
// comparison, resumed download and upload, size, modification time,
// rename, delete, rmdir, and an aborted download after which the
// connection is used again. size is the test file's size.
func Exercise(t testing.TB, c *ftp.Conn, dir string, size int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	data := Data(size)
	sub := path.Join(dir, "sub")
	f := path.Join(sub, "f.bin")
	g := path.Join(sub, "g.bin")
	h := path.Join(sub, "h.bin")

	if _, err := c.MakeDir(ctx, sub); err != nil {
		t.Fatalf("MakeDir %s: %v", sub, err)
	}
	if err := c.Store(ctx, f, bytes.NewReader(data)); err != nil {
		t.Fatalf("Store %s: %v", f, err)
	}
	if got, err := Download(ctx, c, f, 0); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Retrieve %s: %d bytes, err %v; want %d bytes", f, len(got), err, len(data))
	}
	entries, err := c.ReadDir(ctx, sub)
	if err != nil {
		t.Fatalf("ReadDir %s: %v", sub, err)
	}
	if len(entries) != 1 || entries[0].Name != "f.bin" || entries[0].Size != int64(size) || entries[0].Type != listing.File {
		t.Fatalf("ReadDir %s = %+v, want one file f.bin of %d bytes", sub, entries, size)
	}

	off := int64(size / 3)
	if got, err := Download(ctx, c, f, off); err != nil || !bytes.Equal(got, data[off:]) {
		t.Fatalf("RetrieveFrom(%d): %d bytes, err %v", off, len(got), err)
	}
	if err := c.Store(ctx, g, bytes.NewReader(data[:off])); err != nil {
		t.Fatalf("Store %s: %v", g, err)
	}
	if err := c.StoreFrom(ctx, g, bytes.NewReader(data[off:]), off); err != nil {
		t.Fatalf("StoreFrom(%d): %v", off, err)
	}
	if got, err := Download(ctx, c, g, 0); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("resumed upload: %d bytes, err %v", len(got), err)
	}
	if n, err := c.Size(ctx, g); err != nil || n != int64(size) {
		t.Fatalf("Size = %d, %v; want %d", n, err, size)
	}
	if mt, err := c.ModTime(ctx, g); err != nil || time.Since(mt).Abs() > time.Hour {
		t.Fatalf("ModTime = %v, %v; want about now", mt, err)
	}
	if err := c.Rename(ctx, g, h); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	if _, err := c.Size(ctx, g); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Size of the renamed file: %v, want fs.ErrNotExist", err)
	}

	// Abort a download in the middle, then go on using the connection.
	d, err := c.Retrieve(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(d, make([]byte, 10)); err != nil {
		t.Fatalf("first bytes of the download to abort: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("aborting a download: %v", err)
	}
	if err := c.NoOp(ctx); err != nil {
		t.Fatalf("NOOP after the abort: %v", err)
	}
	if got, err := Download(ctx, c, h, 0); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("download after the abort: %d bytes, err %v", len(got), err)
	}

	for _, p := range []string{f, h} {
		if err := c.Delete(ctx, p); err != nil {
			t.Fatalf("Delete %s: %v", p, err)
		}
	}
	if err := c.RemoveDir(ctx, sub); err != nil {
		t.Fatalf("RemoveDir %s: %v", sub, err)
	}
	entries, err = c.ReadDir(ctx, dir)
	if err != nil {
		t.Fatalf("ReadDir %s: %v", dir, err)
	}
	if slices.ContainsFunc(entries, func(e listing.Entry) bool { return e.Name == "sub" }) {
		t.Fatalf("ReadDir %s still shows sub after RemoveDir", dir)
	}
}
