package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// text is n lines of text with LF line ends.
func text(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "line %d of the text\n", i)
	}
	return b.Bytes()
}

// commands returns a context whose Trace records the commands sent, and
// a function that returns them.
func commands() (context.Context, func() []string) {
	var mu sync.Mutex
	var sent []string
	ctx := ftp.WithTrace(context.Background(), &ftp.Trace{CommandSent: func(_ context.Context, info ftp.CommandInfo) {
		mu.Lock()
		sent = append(sent, info.Line)
		mu.Unlock()
	}})
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(sent)
	}
}

func sentVerb(cmds []string, verb string) bool {
	return slices.ContainsFunc(cmds, func(c string) bool { return strings.HasPrefix(c, verb+" ") })
}

// An ASCII download converts the server's line ends, and a .part file
// left by an earlier run is started over, not resumed: a REST offset
// counts the server's bytes. No checksum is asked for, the server's being
// of other bytes.
func TestASCIIDownload(t *testing.T) {
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	afero.WriteFile(fx.fs, "/t.txt", []byte("one\r\ntwo\r\nthree\r\n"), 0o644)
	local := filepath.Join(t.TempDir(), "t.txt")
	os.WriteFile(local+partSuffix, []byte("one\n"), 0o644)
	fx.cp.ASCII, fx.cp.Resume = true, true
	ctx, sent := commands()
	r, err := fx.cp.Download(ctx, "t.txt", local)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(local); string(got) != "one\ntwo\nthree\n" {
		t.Errorf("got %q", got)
	}
	if r.Resumed != 0 || r.Checksum != "" || r.Size != 17 || r.Transferred != 14 {
		t.Errorf("result %+v", r)
	}
	cmds := sent()
	if !slices.Contains(cmds, "TYPE A") || sentVerb(cmds, "REST") || sentVerb(cmds, "HASH") {
		t.Errorf("commands %q", cmds)
	}
	// Back in binary mode, the same file keeps its CRs.
	fx.cp.ASCII = false
	if _, err := fx.cp.Download(context.Background(), "t.txt", local); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(local); string(got) != "one\r\ntwo\r\nthree\r\n" {
		t.Errorf("binary got %q", got)
	}
}

// A retry of an ASCII download starts over instead of resuming, and the
// file arrives whole.
func TestASCIIDownloadRetriesFromTheStart(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	want := text(3000) // about 60 kB
	afero.WriteFile(fx.fs, "/t.txt", want, 0o644)
	local := filepath.Join(t.TempDir(), "t.txt")
	fx.cp.ASCII = true
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 20_000})
	ctx, sent := commands()
	// Every attempt is cut: the retries start over, and fail the same way.
	_, err := fx.cp.Download(ctx, "t.txt", local)
	if err == nil {
		t.Fatal("no error though every attempt was cut")
	}
	if sentVerb(sent(), "REST") {
		t.Error("an ASCII retry resumed with REST")
	}
	if _, err := os.Stat(local); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed download left the file under its name")
	}
	fx.srv.SetFaults(ftptest.Faults{})
	r, err := fx.cp.Download(ctx, "t.txt", local)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(local); !bytes.Equal(got, want) {
		t.Errorf("content differs (%d bytes, want %d)", len(got), len(want))
	}
	if r.Resumed != 0 {
		t.Errorf("resumed %d", r.Resumed)
	}
}

// A server that ends the data early but says it is complete (226) is
// caught by the size, within the slack that line ends allow, and the
// local file is not put in place.
func TestASCIIDownloadShortCopyCaught(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	afero.WriteFile(fx.fs, "/t.txt", text(3000), 0o644)
	local := filepath.Join(t.TempDir(), "t.txt")
	fx.cp.ASCII = true
	fx.cp.Retry.Attempts = 2
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Truncate, After: 30_000})
	_, err := fx.cp.Download(context.Background(), "t.txt", local)
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.What != "size" {
		t.Fatalf("err = %v; want a size mismatch", err)
	}
	if _, err := os.Stat(local); !errors.Is(err, os.ErrNotExist) {
		t.Error("a short copy was put in place")
	}
}

// Resume does not make an ASCII download take a shorter local file for
// the beginning of the remote one: when the download fails, the local
// file is still there, untouched.
func TestASCIIDownloadKeepsLocalFile(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	afero.WriteFile(fx.fs, "/t.txt", text(3000), 0o644)
	local := filepath.Join(t.TempDir(), "t.txt")
	os.WriteFile(local, []byte("mine\n"), 0o644)
	fx.cp.ASCII, fx.cp.Resume = true, true
	fx.cp.Retry.Attempts = 1
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 1000})
	if _, err := fx.cp.Download(context.Background(), "t.txt", local); err == nil {
		t.Fatal("no error")
	}
	if got, _ := os.ReadFile(local); string(got) != "mine\n" {
		t.Errorf("local file now %q", got)
	}
}

// Checksums cannot vouch for an ASCII transfer: requiring one fails at
// once, without moving a byte or retrying.
func TestASCIIChecksumRequired(t *testing.T) {
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	afero.WriteFile(fx.fs, "/t.txt", text(10), 0o644)
	fx.cp.ASCII, fx.cp.Checksum = true, ChecksumRequire
	r, err := fx.cp.Download(context.Background(), "t.txt", filepath.Join(t.TempDir(), "t.txt"))
	var re *RetryError
	if !errors.Is(err, errASCIIChecksum) || errors.As(err, &re) || r.Transferred != 0 {
		t.Fatalf("err = %v, result %+v", err, r)
	}
}

// An ASCII upload sends "\n" as CRLF (the server stores its own line
// ends), is checked by size within the line slack, and a retry sends the
// file again from the start, never with REST or APPE.
func TestASCIIUpload(t *testing.T) {
	fx := newFixture(t, ftptest.Options{EnableHASH: true})
	want := text(3000)
	local := filepath.Join(t.TempDir(), "t.txt")
	os.WriteFile(local, want, 0o644)
	fx.cp.ASCII = true
	fx.cp.Retry.Attempts = 6
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 20_000})
	ctx, sent := commands()
	if _, err := fx.cp.Upload(ctx, local, "t.txt"); err == nil {
		t.Fatal("no error though every attempt was cut")
	}
	fx.srv.SetFaults(ftptest.Faults{})
	r, err := fx.cp.Upload(ctx, local, "t.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := afero.ReadFile(fx.fs, "/t.txt"); !bytes.Equal(got, want) {
		t.Errorf("stored %d bytes, want %d", len(got), len(want))
	}
	cmds := sent()
	if sentVerb(cmds, "REST") || sentVerb(cmds, "APPE") || sentVerb(cmds, "HASH") || !slices.Contains(cmds, "TYPE A") {
		t.Errorf("commands %q", cmds)
	}
	if r.Checksum != "" || r.Resumed != 0 || r.Transferred != int64(len(want)) {
		t.Errorf("result %+v", r)
	}
}

// A stream, once partly written, cannot be continued in ASCII mode nor
// taken back: the failure is final.
func TestASCIIDownloadToIsNotRetriedOnceWritten(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	afero.WriteFile(fx.fs, "/t.txt", text(3000), 0o644)
	fx.cp.ASCII = true
	fx.srv.SetFaults(ftptest.Faults{Transfer: ftptest.Drop, After: 20_000})
	var out bytes.Buffer
	_, err := fx.cp.DownloadTo(context.Background(), "t.txt", &out)
	var re *RetryError
	if !errors.Is(err, errOutputWritten) || errors.As(err, &re) {
		t.Fatalf("err = %v; want one attempt, final", err)
	}
}

// ASCII mode reaches every path: a segmented download goes over one
// connection, a sync fetches small files one by one (a pipelined batch
// would not convert them), uploads of a sync convert too.
func TestASCIISegmentedAndSync(t *testing.T) {
	fx := newFixture(t, ftptest.Options{})
	crlf := bytes.ReplaceAll(text(200_000), []byte("\n"), []byte("\r\n")) // over 4 MB
	afero.WriteFile(fx.fs, "/big.txt", crlf, 0o644)
	fx.fs.MkdirAll("/tree/d", 0o755)
	afero.WriteFile(fx.fs, "/tree/a.txt", []byte("a\r\nb\r\n"), 0o644)
	afero.WriteFile(fx.fs, "/tree/d/c.txt", []byte("c\r\n"), 0o644)
	fx.cp.ASCII = true
	dir := t.TempDir()
	if _, err := fx.cp.DownloadSegmented(context.Background(), "big.txt", filepath.Join(dir, "big.txt"), 4); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "big.txt")); !bytes.Equal(got, text(200_000)) {
		t.Errorf("segmented: %d bytes, want %d", len(got), len(text(200_000)))
	}
	dst := filepath.Join(dir, "tree")
	_, sum, err := fx.cp.Sync(context.Background(), SyncOptions{Remote: "tree", Local: dst})
	if err != nil {
		t.Fatal(err)
	}
	moved := map[string]int64{}
	for _, r := range sum.Results {
		moved[r.Remote] = r.Transferred
	}
	if moved["tree/a.txt"] != 4 || moved["tree/d/c.txt"] != 2 {
		t.Errorf("bytes moved %v; want each file fetched once, converted", moved)
	}
	for name, want := range map[string]string{"a.txt": "a\nb\n", "d/c.txt": "c\n"} {
		if got, _ := os.ReadFile(filepath.Join(dst, name)); string(got) != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if _, _, err := fx.cp.Sync(context.Background(), SyncOptions{Direction: Upload, Local: dst, Remote: "up"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := afero.ReadFile(fx.fs, "/up/a.txt"); string(got) != "a\nb\n" {
		t.Errorf("uploaded %q", got)
	}
}

func TestCheckASCIISize(t *testing.T) {
	for _, c := range []struct {
		want, got, lines int64
		ok               bool
	}{
		{100, 100, 10, true},  // LF on both sides
		{110, 100, 10, true},  // CRLF on the server's side
		{90, 100, 10, true},   // an upload of CRLF text to a LF server
		{111, 100, 10, false}, // more than one byte a line: cut short
		{-1, 5, 0, true},      // size unknown
		{50, 0, 0, false},
	} {
		err := checkASCIISize("f", c.want, c.got, c.lines)
		if (err == nil) != c.ok {
			t.Errorf("%+v: %v", c, err)
		}
	}
}
