package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/ferryftp/ftp/internal/cli"
	"github.com/ferryftp/ftp/internal/ftptest"
)

// TestInterrupt cancels Main's context in the middle of a stalled
// download, as Ctrl-C does: Main must return 130 within a second, leave
// no file under the final name, and keep the partial one.
func TestInterrupt(t *testing.T) {
	fs := afero.NewMemMapFs()
	if err := afero.WriteFile(fs, "/big.bin", bytes.Repeat([]byte("x"), 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := ftptest.New(t, ftptest.Options{FS: fs, Faults: ftptest.Faults{Transfer: ftptest.Stall, After: 64 << 10}})
	dir := t.TempDir()
	local := filepath.Join(dir, "big.bin")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, []string{"-d", "get", srv.URL() + "/big.bin", local}, strings.NewReader(""), &bytes.Buffer{}, &stderr, nil)
	}()
	// Wait until the stalled transfer has delivered its first bytes.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if st, err := os.Stat(local + ".part"); err == nil && st.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("download did not start; stderr:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	cancel()
	var code int
	select {
	case code = <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Main did not return within 3s of cancellation")
	}
	elapsed := time.Since(start)
	if code != cli.ExitInterrupted {
		t.Errorf("exit status %d, want %d; stderr:\n%s", code, cli.ExitInterrupted, stderr.String())
	}
	if elapsed > time.Second {
		t.Errorf("Main took %v to return after cancellation, want under 1s", elapsed)
	}
	if _, err := os.Stat(local); err == nil {
		t.Errorf("%s exists after an interrupted download", local)
	}
	if _, err := os.Stat(local + ".part"); err != nil {
		t.Errorf("partial file: %v", err)
	}
	if !strings.Contains(stderr.String(), "> ABOR") {
		t.Errorf("no ABOR in the trace:\n%s", stderr.String())
	}
	t.Logf("returned %v after cancellation", elapsed)
}
