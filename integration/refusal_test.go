package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
)

// refusalKinds are the commands a server refuses before any data flows.
// Each used to cost the Conn its TLS session: the data connection's
// handshake, begun before the refusal, failed, crypto/tls forgot the
// session, and the next data connection did a full handshake, which vsftpd
// (522, then it hangs up) and ProFTPD (425) refuse.
var refusalKinds = []struct {
	name string
	do   func(ctx context.Context, c *ftp.Conn) error
}{
	{"RETR missing", func(ctx context.Context, c *ftp.Conn) error {
		d, err := c.Retrieve(ctx, "/missing.txt")
		if err == nil {
			_, err = io.Copy(io.Discard, d)
			d.Close()
		}
		return err
	}},
	{"SIZE missing", func(ctx context.Context, c *ftp.Conn) error {
		_, err := c.Size(ctx, "/missing.txt")
		return err
	}},
	{"STOR refused", func(ctx context.Context, c *ftp.Conn) error {
		return c.Store(ctx, "/no/such/dir/f.txt", strings.NewReader("x"))
	}},
	{"APPE refused", func(ctx context.Context, c *ftp.Conn) error {
		return c.Append(ctx, "/no/such/dir/f.txt", strings.NewReader("x"))
	}},
	{"MLSD missing", func(ctx context.Context, c *ftp.Conn) error {
		_, err := c.MachineList(ctx, "/missing-dir")
		return err
	}},
}

// TestTransfersAfterRefusals runs, in every TLS cell of the daemon matrix
// and with every session-reuse strategy the daemon accepts, each kind of
// refusal followed by three transfers (RETR, STOR, LIST) on the same Conn.
// Every transfer must succeed, and every data connection must have resumed
// the TLS session where the daemon resumes. The counts are logged as a
// table.
func TestTransfersAfterRefusals(t *testing.T) {
	var table []string
	for _, kind := range Kinds {
		for _, mode := range []TLSMode{Explicit, Implicit} {
			if !kind.Supports(mode) {
				continue
			}
			for _, v := range tlsVersions {
				for _, reuse := range []ftp.SessionReuse{ftp.ReuseChain, ftp.ReusePinned, ftp.ReuseOff} {
					name := fmt.Sprintf("%v/%v/%s/%v", kind, mode, versionName(v), reuse)
					t.Run(name, func(t *testing.T) {
						in := Start(t, kind, mode)
						if reuse == ftp.ReuseOff && in.ReuseRequired {
							t.Skip("the daemon requires session reuse")
						}
						ok, total, resumed, conns := transfersAfterRefusals(t, in, v, reuse)
						table = append(table, fmt.Sprintf("%-40s %2d/%2d transfers ok, %2d/%2d data connections resumed", name, ok, total, resumed, conns))
					})
				}
			}
		}
	}
	sort.Strings(table)
	t.Logf("transfers after refusals:\n%s", strings.Join(table, "\n"))
}

func transfersAfterRefusals(t *testing.T, in *Instance, version uint16, reuse ftp.SessionReuse) (ok, total, resumed, conns int) {
	var log dataConnLog
	d := dialer(in, version)
	d.SessionReuse = reuse
	d.Trace = log.trace()
	c := login(t, in, d)
	dir, _ := in.Scratch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	transfers := []func(i int) error{
		func(int) error {
			dl, err := c.Retrieve(ctx, "/hello.txt")
			if err != nil {
				return err
			}
			defer dl.Close()
			got, err := io.ReadAll(dl)
			if err == nil && !bytes.Equal(got, fixtures["hello.txt"]) {
				err = fmt.Errorf("got %q", got)
			}
			return err
		},
		func(i int) error {
			return c.Store(ctx, path.Join(dir, fmt.Sprintf("up%d.txt", i)), strings.NewReader("uploaded\n"))
		},
		func(int) error {
			lines, err := c.List(ctx, "/dir")
			if err == nil && !strings.Contains(strings.Join(lines, "\n"), "nested.txt") {
				err = fmt.Errorf("listing lacks nested.txt: %q", lines)
			}
			return err
		},
	}
	for i, r := range refusalKinds {
		if err := r.do(ctx, c); err == nil {
			t.Errorf("%s: accepted", r.name)
		}
		for j, tr := range transfers {
			total++
			if err := tr(i); err != nil {
				t.Errorf("transfer %d after %s: %v", j+1, r.name, err)
				continue
			}
			ok++
		}
	}
	conns, resumed = dataTLSResumed(&log)
	if want := in.ResumesTLS(version) && reuse != ftp.ReuseOff; want && resumed != conns {
		t.Errorf("%d of %d TLS data connections resumed, want all", resumed, conns)
	}
	if conns < total {
		t.Errorf("trace shows %d TLS data connections for %d transfers", conns, total)
	}
	return ok, total, resumed, conns
}

// TestRefusedUploadSaysFileMayBeEmpty: vsftpd and ProFTPD open, and so
// truncate, the file before they refuse a data connection that did not
// resume the TLS session. The library cannot prevent that once STOR is
// sent, so the error says so.
func TestRefusedUploadSaysFileMayBeEmpty(t *testing.T) {
	for _, kind := range []Kind{Vsftpd, ProFTPD} {
		t.Run(kind.String(), func(t *testing.T) {
			in := Start(t, kind, Explicit)
			dir, local := in.Scratch(t)
			file := filepath.Join(local, "f")
			if err := os.WriteFile(file, []byte("the old content"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := chownToFTPUser(file); err != nil {
				t.Fatal(err)
			}
			d := dialer(in, tls.VersionTLS13)
			d.SessionReuse = ftp.ReuseOff
			c := login(t, in, d)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := c.Store(ctx, path.Join(dir, "f"), strings.NewReader("new"))
			if !errors.Is(err, ftp.ErrIncompleteUpload) || !errors.Is(err, ftp.ErrDataTLSRefused) {
				t.Fatalf("Store = %v; want ErrIncompleteUpload and ErrDataTLSRefused", err)
			}
			if !strings.Contains(err.Error(), "may now be empty") {
				t.Errorf("error does not say the remote file may be empty: %v", err)
			}
			if got, _ := os.ReadFile(file); len(got) != 0 {
				t.Logf("the server left %q (the error allowed for it)", got)
			}
		})
	}
}
