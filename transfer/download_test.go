package transfer

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

func TestDownloadVerifiesWithChecksum(t *testing.T) {
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	want := data(1, 300_000)
	afero.WriteFile(fx.fs, "/f.bin", want, 0o644)
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	fx.fs.Chtimes("/f.bin", mtime, mtime)
	local := filepath.Join(t.TempDir(), "f.bin")
	r, err := fx.cp.Download(context.Background(), "f.bin", local)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(local)
	if !bytes.Equal(got, want) {
		t.Fatal("content differs")
	}
	if r.Checksum == "" || r.Size != int64(len(want)) || r.Transferred != int64(len(want)) {
		t.Errorf("result %+v", r)
	}
	if st, _ := os.Stat(local); !st.ModTime().Equal(mtime) {
		t.Errorf("mtime %v, want %v", st.ModTime(), mtime)
	}
	if _, err := os.Stat(local + partSuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf(".part left behind: %v", err)
	}
}

// A server that drops the connection after every 100 kB: each retry
// continues where the data stopped, so the file arrives whole, each byte
// once.
func TestDownloadResumesAfterDrops(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	want := data(2, 350_000)
	afero.WriteFile(fx.fs, "/f.bin", want, 0o644)
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 100_000})
	fx.cp.Retry.Attempts = 5
	local := filepath.Join(t.TempDir(), "f.bin")
	r, err := fx.cp.Download(context.Background(), "f.bin", local)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(local)
	if sha(got) != sha(want) {
		t.Fatal("content differs")
	}
	if r.Transferred != int64(len(want)) {
		t.Errorf("transferred %d bytes for a %d-byte file: not resumed", r.Transferred, len(want))
	}
}

// A failed download leaves an existing complete file alone, and keeps the
// partial data for a later Resume.
func TestDownloadFailureNeverClobbers(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	want := data(3, 200_000)
	afero.WriteFile(fx.fs, "/f.bin", want, 0o644)
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 50_000})
	fx.cp.Retry.Attempts = 2
	dir := t.TempDir()
	local := filepath.Join(dir, "f.bin")
	os.WriteFile(local, []byte("precious"), 0o644)
	_, err := fx.cp.Download(context.Background(), "f.bin", local)
	var re *RetryError
	if !errors.As(err, &re) || len(re.Later) != 1 {
		t.Fatalf("err = %v, want a RetryError with one later attempt", err)
	}
	if b, _ := os.ReadFile(local); string(b) != "precious" {
		t.Fatalf("local file clobbered: %q", b)
	}
	part, _ := os.ReadFile(local + partSuffix)
	if len(part) != 100_000 || !bytes.Equal(part, want[:100_000]) {
		t.Fatalf(".part has %d bytes, want the first 100000", len(part))
	}
	// A later run with Resume continues it.
	fx.srv.SetFaults(ftptest.Faults{})
	fx.cp.Resume = true
	r, err := fx.cp.Download(context.Background(), "f.bin", local)
	if err != nil {
		t.Fatal(err)
	}
	if r.Resumed != 100_000 || r.Transferred != 100_000 {
		t.Errorf("resumed %d, transferred %d; want 100000 each", r.Resumed, r.Transferred)
	}
	if b, _ := os.ReadFile(local); !bytes.Equal(b, want) {
		t.Fatal("content differs after resume")
	}
}

// A server that reports success for a short file (226 after truncating)
// is caught by the size check and never renamed into place.
func TestDownloadShortFileIsNotSuccess(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	want := data(4, 100_000)
	afero.WriteFile(fx.fs, "/f.bin", want, 0o644)
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Truncate, After: 30_000})
	fx.cp.Retry.Attempts = 2
	local := filepath.Join(t.TempDir(), "f.bin")
	_, err := fx.cp.Download(context.Background(), "f.bin", local)
	if err == nil {
		t.Fatal("a truncated download reported success")
	}
	if _, serr := os.Stat(local); !errors.Is(serr, fs.ErrNotExist) {
		t.Fatalf("short file under the final name (err %v)", err)
	}
	// With attempts enough, each one resumes after the last byte that
	// arrived, and the whole file comes.
	fx.cp.Retry.Attempts = 4
	fx.cp.Resume = true
	if _, err := fx.cp.Download(context.Background(), "f.bin", local); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(local); !bytes.Equal(b, want) {
		t.Fatal("content differs")
	}
}

func TestDownloadMissingFileIsPermanent(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	dir := t.TempDir()
	start := time.Now()
	_, err := fx.cp.Download(context.Background(), "nope", filepath.Join(dir, "nope"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want not exist", err)
	}
	var re *RetryError
	if errors.As(err, &re) {
		t.Errorf("a missing file was retried: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left %v behind", ents)
	}
	_ = start
}

func TestDownloadToStream(t *testing.T) {
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	want := data(5, 120_000)
	afero.WriteFile(fx.fs, "/f.bin", want, 0o644)
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 50_000})
	var buf bytes.Buffer
	r, err := fx.cp.DownloadTo(context.Background(), "f.bin", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) || r.Checksum == "" {
		t.Fatalf("got %d bytes (checksum %q)", buf.Len(), r.Checksum)
	}
}
