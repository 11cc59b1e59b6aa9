package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryftp/ftp/internal/cli"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// TestGetTwoServers: get of URLs from two servers, mixed, logs in once to
// each (one client each); a missing file on one is reported and the
// others, on both, arrive; the status is that failure's.
func TestGetTwoServers(t *testing.T) {
	var srvs [2]*ftptest.Server
	var args []string
	want := map[string][]byte{}
	for s := range srvs {
		fsys := afero.NewMemMapFs()
		for i := range 5 {
			name := fmt.Sprintf("s%d-%d.txt", s, i)
			b := bytes.Repeat([]byte{byte('a' + s)}, 100+i)
			afero.WriteFile(fsys, "/pub/"+name, b, 0o644)
			want[name] = b
		}
		srvs[s] = ftptest.New(t, ftptest.Options{FS: fsys})
	}
	for i := range 5 {
		for s, srv := range srvs {
			args = append(args, fmt.Sprintf("ftp://u:p@%s/pub/s%d-%d.txt", srv.Addr(), s, i))
		}
	}
	args = append(args, "ftp://u:p@"+srvs[1].Addr()+"/pub/missing.txt")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), append(append([]string{"--tls", "none", "--retries", "0", "-d", "get", "-P", "1"}, args...), dir),
		strings.NewReader(""), &stdout, &stderr, nil)
	if code != cli.ExitPermanent {
		t.Errorf("exit status %d, want %d", code, cli.ExitPermanent)
	}
	trace := stderr.String()
	for _, srv := range srvs {
		if n := strings.Count(trace, "* connecting to "+srv.Addr()); n != 1 {
			t.Errorf("%d connections to %s, want 1", n, srv.Addr())
		}
	}
	if n := strings.Count(trace, "> USER"); n != 2 {
		t.Errorf("%d logins, want 2", n)
	}
	if !strings.Contains(trace, "ferry: get pub/missing.txt: no such file") {
		t.Errorf("the missing file is not reported:\n%s", trace)
	}
	for name, b := range want {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: %v, %q", name, err, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.txt.part")); err == nil {
		t.Error("missing.txt.part left behind")
	}
}

// TestGetManyWritesStderrInTurn fetches files and fails others on four
// connections at once with the trace and a line per file on: the trace,
// the per-file lines and the failures are written to stderr from several
// goroutines, which must take turns (the race detector catches a writer
// that is not safe for that, as a test's buffer is not).
func TestGetManyWritesStderrInTurn(t *testing.T) {
	fsys := afero.NewMemMapFs()
	var args []string
	srv := ftptest.New(t, ftptest.Options{FS: fsys})
	for i := range 24 {
		name := fmt.Sprintf("f%02d.txt", i)
		if i%3 != 0 {
			afero.WriteFile(fsys, "/pub/"+name, []byte(name), 0o644)
		}
		args = append(args, fmt.Sprintf("ftp://u:p@%s/pub/%s", srv.Addr(), name))
	}
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), append(append([]string{"--tls", "none", "--retries", "0", "-d", "get", "-v", "-P", "4"}, args...), dir),
		strings.NewReader(""), &stdout, &stderr, nil)
	if code != cli.ExitPermanent {
		t.Errorf("exit status %d, want %d", code, cli.ExitPermanent)
	}
	if n := strings.Count(stderr.String(), ": no such file"); n != 8 {
		t.Errorf("%d missing files reported, want 8:\n%s", n, stderr.String())
	}
}
