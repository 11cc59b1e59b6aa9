package transfer_test

import (
	"testing"

	"github.com/ferryftp/ftp/internal/faultrun"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// TestFaults downloads, uploads and downloads in segments a 20 MiB file
// through a relay that cuts the data connection (FIN or reset), cuts the
// control connection, stalls past the timeout, or refuses new connections,
// at seeded random offsets: every outcome must be the whole file with the
// right SHA-256, or an error, and no local file may be clobbered.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("transfers 800 MiB through a relay")
	}
	fsys := afero.NewMemMapFs()
	fsys.MkdirAll("/runs", 0o755)
	srv := ftptest.New(t, ftptest.Options{FS: fsys, EnableHASH: true})
	tally := faultrun.Run(t, faultrun.Server{
		Addr: srv.Addr(), User: "u", Password: "p", Dir: "/runs",
		Read:  func(name string) ([]byte, error) { return afero.ReadFile(fsys, name) },
		Write: func(name string, b []byte) error { return afero.WriteFile(fsys, name, b, 0o644) },
	}, []faultrun.Op{faultrun.Download, faultrun.Upload, faultrun.Segmented}, 40, 20<<20, 1)
	if tally.Complete == 0 {
		t.Error("no run completed: the faults are not survivable at all")
	}
}
