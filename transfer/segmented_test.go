package transfer

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

func TestSegmentedDownload(t *testing.T) {
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	want := data(20, 5<<20+12345)
	afero.WriteFile(fx.fs, "/big.bin", want, 0o644)
	local := filepath.Join(t.TempDir(), "big.bin")
	r, err := fx.cp.DownloadSegmented(context.Background(), "big.bin", local, 4)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(local)
	if sha(got) != sha(want) {
		t.Fatal("content differs")
	}
	if r.Checksum == "" || r.Transferred != int64(len(want)) {
		t.Errorf("result %+v", r)
	}
	for _, suffix := range []string{partSuffix, stateSuffix} {
		if _, err := os.Stat(local + suffix); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s left behind", suffix)
		}
	}
}

// Drops in every segment: each range is retried from where it stopped.
func TestSegmentedDownloadSurvivesDrops(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	want := data(21, 4<<20)
	afero.WriteFile(fx.fs, "/big.bin", want, 0o644)
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 700_000})
	fx.cp.Retry.Attempts = 3
	local := filepath.Join(t.TempDir(), "big.bin")
	r, err := fx.cp.DownloadSegmented(context.Background(), "big.bin", local, 3)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(local)
	if sha(got) != sha(want) {
		t.Fatal("content differs")
	}
	if r.Transferred != int64(len(want)) {
		t.Errorf("transferred %d, want %d: ranges fetched twice", r.Transferred, len(want))
	}
}

// An interrupted segmented download leaves its state file; with Resume
// only the missing ranges are fetched.
func TestSegmentedDownloadResumes(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	want := data(22, 4<<20)
	afero.WriteFile(fx.fs, "/big.bin", want, 0o644)
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Fail, After: 300_000})
	fx.cp.Retry.Attempts = 1 // the first failure ends it
	local := filepath.Join(t.TempDir(), "big.bin")
	if _, err := fx.cp.DownloadSegmented(context.Background(), "big.bin", local, 4); err == nil {
		t.Fatal("want an error")
	}
	if _, err := os.Stat(local); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("incomplete file under the final name")
	}
	ckpt := loadCheckpoint(mustRoot(t, filepath.Dir(local)), "big.bin"+stateSuffix)
	if ckpt == nil || ckpt.written() == 0 {
		t.Fatalf("no state recorded: %+v", ckpt)
	}
	fx.srv.SetFaults(ftptest.Faults{})
	fx.cp.Resume = true
	fx.cp.Retry.Attempts = 4
	r, err := fx.cp.DownloadSegmented(context.Background(), "big.bin", local, 4)
	if err != nil {
		t.Fatal(err)
	}
	if r.Resumed != ckpt.written() || r.Transferred != int64(len(want))-ckpt.written() {
		t.Errorf("resumed %d transferred %d; state had %d", r.Resumed, r.Transferred, ckpt.written())
	}
	if got, _ := os.ReadFile(local); !bytes.Equal(got, want) {
		t.Fatal("content differs")
	}
}

func mustRoot(t *testing.T, dir string) *os.Root {
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestCheckpointRanges(t *testing.T) {
	cp := &checkpoint{Size: 100}
	cp.add(10, 20)
	cp.add(30, 40)
	cp.add(20, 30)
	cp.add(90, 100)
	if len(cp.Done) != 2 || cp.Done[0] != (span{10, 40}) {
		t.Fatalf("done %v", cp.Done)
	}
	want := []span{{0, 10}, {40, 90}}
	got := cp.missing()
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("missing %v, want %v", got, want)
	}
	if cp.written() != 40 {
		t.Fatalf("written %d", cp.written())
	}
}
