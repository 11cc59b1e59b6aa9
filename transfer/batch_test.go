package transfer

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// One missing file among many: the others arrive, the summary counts
// them, and the error lists the failure.
func TestRunOneFailureDoesNotAbort(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	var jobs []Job
	for _, n := range []string{"a", "b", "missing", "c"} {
		if n != "missing" {
			afero.WriteFile(fx.fs, "/"+n, data(7, 5000), 0o644)
		}
		jobs = append(jobs, Job{Op: OpGet, Remote: n, Local: n, Size: -1})
	}
	dir := t.TempDir()
	sum, err := fx.cp.Run(context.Background(), dir, jobs)
	var be *BatchError
	if !errors.As(err, &be) || len(be.Failed) != 1 || be.Failed[0].Remote != "missing" {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the failure's cause is lost: %v", err)
	}
	if sum.Files != 3 || sum.Failed != 1 || sum.Bytes != 15000 {
		t.Fatalf("summary %+v", sum)
	}
	for _, n := range []string{"a", "b", "c"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Error(err)
		}
	}
}

// A name no local file may have is skipped and reported; the rest of the
// tree is copied.
func TestSyncSkipsUnsafeName(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	remoteTree(t, fx.fs, 3)
	afero.WriteFile(fx.fs, "/tree/evil\rname", []byte("x"), 0o644)
	dst := t.TempDir()
	_, sum, err := fx.cp.Sync(context.Background(), SyncOptions{Remote: "tree", Local: dst})
	var be *BatchError
	if !errors.As(err, &be) || len(be.Failed) != 1 || be.Failed[0].Op != OpSkip {
		t.Fatalf("err = %v", err)
	}
	if sum.Files != 3 {
		t.Fatalf("summary %+v", sum)
	}
}
