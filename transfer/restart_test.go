package transfer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// noResumeFs refuses what REST+STOR and APPE need, in the words of ProFTPD
// with AllowStoreRestart off.
type noResumeFs struct{ afero.Fs }

var errNotPermitted = errors.New("Append/Restart not permitted")

func (fs noResumeFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if flag&os.O_APPEND != 0 {
		return nil, errNotPermitted
	}
	f, err := fs.Fs.OpenFile(name, flag, perm)
	if err != nil || flag&(os.O_WRONLY|os.O_RDWR) == 0 {
		return f, err
	}
	return noSeekFile{f}, nil
}

type noSeekFile struct{ afero.File }

func (f noSeekFile) Seek(off int64, whence int) (int64, error) {
	if off != 0 || whence != io.SeekStart {
		return 0, errNotPermitted
	}
	return f.File.Seek(off, whence)
}

// A server that refuses both REST+STOR and APPE gets the whole file again,
// and the result says so.
func TestUploadRestartsWhereResumeIsRefused(t *testing.T) {
	mem := afero.NewMemMapFs()
	fx := newFixture(t, ftptest.Options{FS: noResumeFs{mem}})
	afero.WriteFile(mem, "/up.bin", []byte("0123"), 0o644) // an earlier, partial upload
	want := data(30, 50_000)
	local := filepath.Join(t.TempDir(), "up.bin")
	os.WriteFile(local, want, 0o644)
	fx.cp.Resume = true
	r, err := fx.cp.Upload(context.Background(), local, "up.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Restarted {
		t.Error("Restarted not set")
	}
	if got, _ := afero.ReadFile(mem, "/up.bin"); !bytes.Equal(got, want) {
		t.Fatalf("stored %d bytes, content differs", len(got))
	}
}
