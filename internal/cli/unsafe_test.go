package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryftp/ftp/internal/cli"
	"github.com/ferryftp/ftp/internal/fakeftp"
)

// TestMirrorRefusesUnsafeNames has a hostile server list names that would
// lead outside the destination. mirror and get -r must skip them, report
// them, and write nothing outside (or inside) the destination.
func TestMirrorRefusesUnsafeNames(t *testing.T) {
	// "." and ".." themselves are dropped by ReadDir as the directory and
	// its parent; a NUL fails the listing parser.
	for _, name := range []string{"../escape.txt", "a/b.txt", "../../x", "/etc/passwd", "nul\x00name"} {
		t.Run(name, func(t *testing.T) {
			srv := fakeftp.New(t, fakeftp.Script{
				fakeftp.Reply("220 hostile server"),
				fakeftp.Expect("USER anonymous"),
				fakeftp.Reply("331 password"),
				fakeftp.Expect("PASS anonymous@"),
				fakeftp.Reply("230 in"),
				fakeftp.Expect("FEAT"),
				fakeftp.Reply("211-Features", " MLST type*;size*;modify*;", " EPSV", "211 End"),
				fakeftp.Expect("EPSV"),
				fakeftp.EPSV(),
				fakeftp.Expect("MLSD"),
				fakeftp.Reply("150 listing"),
				fakeftp.SendData("type=file;size=5;modify=20260101000000; " + name + "\r\n"),
				fakeftp.CloseData(),
				fakeftp.Reply("226 done"),
				fakeftp.Optional(),
				fakeftp.Expect("QUIT"),
				fakeftp.Reply("221 bye"),
			})
			top := t.TempDir()
			dst := filepath.Join(top, "dst")
			var stderr bytes.Buffer
			code := cli.Main(context.Background(), []string{"--tls", "none", "--retries", "0", "mirror", "ftp://" + srv.Addr() + "/", dst},
				strings.NewReader(""), &bytes.Buffer{}, &stderr, nil)
			if code == cli.ExitOK {
				t.Errorf("exit status 0 for a listing with %q", name)
			}
			if !strings.Contains(name, "\x00") && (code != cli.ExitConnection || !strings.Contains(stderr.String(), "unsafe name")) {
				t.Errorf("exit status %d, want %d, and a refusal naming the unsafe name; stderr: %s", code, cli.ExitConnection, stderr.String())
			}
			entries, _ := os.ReadDir(top)
			for _, e := range entries {
				if e.Name() != "dst" {
					t.Errorf("%s written outside the destination", e.Name())
				}
			}
			if got, _ := os.ReadDir(dst); len(got) != 0 {
				t.Errorf("destination holds %d entries after a refused listing", len(got))
			}
		})
	}
}
