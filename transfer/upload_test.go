package transfer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

func writeLocal(t *testing.T, b []byte) string {
	p := filepath.Join(t.TempDir(), "up.bin")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUploadVerifiedKeepsTime(t *testing.T) {
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	want := data(10, 250_000)
	local := writeLocal(t, want)
	mtime := time.Date(2021, 5, 6, 7, 8, 9, 0, time.UTC)
	os.Chtimes(local, mtime, mtime)
	r, err := fx.cp.Upload(context.Background(), local, "up.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := afero.ReadFile(fx.fs, "/up.bin")
	if !bytes.Equal(got, want) || !strings.HasPrefix(r.Checksum, "SHA-256:") {
		t.Fatalf("got %d bytes, checksum %q", len(got), r.Checksum)
	}
	if st, _ := fx.fs.Stat("/up.bin"); !st.ModTime().Equal(mtime) {
		t.Errorf("remote mtime %v, want %v", st.ModTime(), mtime)
	}
}

// Drops during an upload: each retry asks the server's size and sends the
// rest (REST+STOR), and the result is verified.
func TestUploadResumesAfterDrops(t *testing.T) {
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	want := data(11, 300_000)
	local := writeLocal(t, want)
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 100_000})
	fx.cp.Retry.Attempts = 5
	r, err := fx.cp.Upload(context.Background(), local, "up.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := afero.ReadFile(fx.fs, "/up.bin")
	if !bytes.Equal(got, want) {
		t.Fatalf("stored %d bytes, content differs", len(got))
	}
	// Every attempt stores 100 kB at most: only resuming can finish.
	if r.Restarted {
		t.Error("restarted")
	}
}

// A server that stores a short file and says 226 is caught by the size
// check after the upload, and the rest is sent.
func TestUploadShortStoreIsResumed(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	want := data(12, 100_000)
	local := writeLocal(t, want)
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Truncate, After: 70_000})
	if _, err := fx.cp.Upload(context.Background(), local, "up.bin"); err != nil {
		t.Fatal(err)
	}
	got, _ := afero.ReadFile(fx.fs, "/up.bin")
	if !bytes.Equal(got, want) {
		t.Fatalf("stored %d bytes, content differs", len(got))
	}
}

func TestUploadAtomic(t *testing.T) {
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	afero.WriteFile(fx.fs, "/up.bin", []byte("old"), 0o644)
	want := data(13, 100_000)
	local := writeLocal(t, want)
	fx.cp.AtomicUpload = true
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 40_000})
	fx.cp.Retry.Attempts = 1
	if _, err := fx.cp.Upload(context.Background(), local, "up.bin"); err == nil {
		t.Fatal("want an error")
	}
	if got, _ := afero.ReadFile(fx.fs, "/up.bin"); string(got) != "old" {
		t.Fatalf("the target changed before the upload completed: %d bytes", len(got))
	}
	fx.srv.SetFaults(ftptest.Faults{})
	fx.cp.Resume = true
	r, err := fx.cp.Upload(context.Background(), local, "up.bin")
	if err != nil {
		t.Fatal(err)
	}
	if r.Resumed != 40_000 {
		t.Errorf("resumed %d bytes, want 40000", r.Resumed)
	}
	got, _ := afero.ReadFile(fx.fs, "/up.bin")
	if !bytes.Equal(got, want) {
		t.Fatal("content differs")
	}
	if _, err := fx.fs.Stat("/.up.bin.part"); err == nil {
		t.Error("temporary name left behind")
	}
}

func TestUploadFromStream(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	want := data(14, 50_000)
	if _, err := fx.cp.UploadFrom(context.Background(), bytes.NewReader(want), "s.bin"); err != nil {
		t.Fatal(err)
	}
	got, _ := afero.ReadFile(fx.fs, "/s.bin")
	if !bytes.Equal(got, want) {
		t.Fatal("content differs")
	}
	// A failure after part of the stream was read is not retried.
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 10_000})
	_, err := fx.cp.UploadFrom(context.Background(), bytes.NewReader(want), "s2.bin")
	var re *RetryError
	if err == nil || errors.As(err, &re) {
		t.Fatalf("err = %v; want one failed attempt", err)
	}
}

// storeFileCalls records the offsets storeFile hands the file to Store
// from, for the length of the test, and reports progress every
// millisecond.
func storeFileCalls(t *testing.T) *[]int64 {
	var (
		mu    sync.Mutex
		calls []int64
	)
	oldHook, oldEvery := testHookStoreFile, offsetEvery
	testHookStoreFile = func(_ *os.File, from int64) {
		mu.Lock()
		calls = append(calls, from)
		mu.Unlock()
	}
	offsetEvery = time.Millisecond
	t.Cleanup(func() { testHookStoreFile, offsetEvery = oldHook, oldEvery })
	return &calls
}

// With nothing to compute from the bytes (no checksum, binary), Store
// gets the file itself, so that a plain connection sends it with
// sendfile(2); progress is still reported, and a resumed attempt starts
// from the server's size.
func TestUploadHandsTheFileToStore(t *testing.T) {
	everyWrite(t)
	calls := storeFileCalls(t)
	fx := newFixture(t, ftptest.Options{})
	size := 3<<20 + 7
	want := data(13, size)
	local := writeLocal(t, want)
	l := &fileLog{t: t}
	r, err := fx.cp.Upload(l.ctx(), local, "up.bin")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := afero.ReadFile(fx.fs, "/up.bin"); !bytes.Equal(got, want) {
		t.Fatalf("stored %d bytes, content differs", len(got))
	}
	if len(*calls) != 1 || (*calls)[0] != 0 {
		t.Errorf("Store got the file at offsets %v, want [0]", *calls)
	}
	l.checkProgress("up.bin", int64(size))
	if d := l.done("up.bin"); d.Transferred != int64(size) || r.Transferred != int64(size) || d.Err != nil {
		t.Errorf("done %+v, result %+v", d, r)
	}

	// Drops: each retry sends the rest, from the offset the server has.
	*calls = nil
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 1 << 20})
	fx.cp.Retry.Attempts = 8
	if _, err := fx.cp.Upload(context.Background(), local, "again.bin"); err != nil {
		t.Fatal(err)
	}
	if got, _ := afero.ReadFile(fx.fs, "/again.bin"); !bytes.Equal(got, want) {
		t.Fatalf("stored %d bytes, content differs", len(got))
	}
	if len(*calls) < 4 || (*calls)[0] != 0 || (*calls)[1] == 0 {
		t.Errorf("Store got the file at offsets %v; want 0, then resumed ones (1 MB an attempt)", *calls)
	}
}

// Where the bytes must be seen, the file is read through the checksum
// (or the line count of an ASCII transfer), not handed to Store.
func TestUploadReadsTheFileWhenItMust(t *testing.T) {
	calls := storeFileCalls(t)
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	local := writeLocal(t, data(14, 500_000))
	r, err := fx.cp.Upload(context.Background(), local, "up.bin")
	if err != nil {
		t.Fatal(err)
	}
	if r.Checksum == "" || len(*calls) != 0 {
		t.Errorf("checksum %q, Store got the file %d times; want a checksum and none", r.Checksum, len(*calls))
	}
	fx = newFixture(t, ftptest.Options{})
	fx.cp.ASCII = true
	local = writeLocal(t, []byte(strings.Repeat("a line\n", 1000)))
	if _, err := fx.cp.Upload(context.Background(), local, "up.txt"); err != nil {
		t.Fatal(err)
	}
	if len(*calls) != 0 {
		t.Errorf("ASCII: Store got the file %d times", len(*calls))
	}
}
