package transfer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
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
