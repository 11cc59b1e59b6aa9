package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/netem"
	"github.com/ferryftp/ftp/transfer"
)

// asciiText is text with LF line ends, a blank line, a lone CR (data, to
// be kept) and a last line without its line end.
var asciiText = []byte(strings.Repeat("The quick brown fox\njumps over\n\nthe lazy dog.\r!\n", 2000) + "no line end")

// TestTransferASCII moves text in ASCII mode with each daemon: an upload
// and its download give back the same text whatever each daemon does to
// line ends on its side, a file stored with CRLF arrives with "\n" (but
// for Pure-FTPd's quirks), the size checks pass within the slack line ends
// allow, and a download cut off is started over, never resumed with REST.
func TestTransferASCII(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			in := Start(t, kind, Plain)
			dir, local := in.Scratch(t)
			px, err := netem.New(in.Addr, netem.Shape{})
			if err != nil {
				t.Fatal(err)
			}
			defer px.Close()
			c := &ftp.Client{Addr: px.Addr(), User: in.User, Password: in.Password, MaxConns: 2}
			defer c.Close()
			cp := &transfer.Copier{Client: c, ASCII: true, Retry: transfer.Retry{Min: time.Millisecond}}
			var mu sync.Mutex
			var sent []string
			ctx, cancel := context.WithTimeout(ftp.WithTrace(context.Background(), &ftp.Trace{
				CommandSent: func(_ context.Context, info ftp.CommandInfo) {
					mu.Lock()
					sent = append(sent, info.Verb)
					mu.Unlock()
				},
			}), 60*time.Second)
			defer cancel()
			work := t.TempDir()

			src := filepath.Join(work, "up.txt")
			os.WriteFile(src, asciiText, 0o644)
			if _, err := cp.Upload(ctx, src, dir+"/t.txt"); err != nil {
				t.Fatalf("upload: %v", err)
			}
			stored, _ := os.ReadFile(filepath.Join(local, "t.txt"))
			t.Logf("%d bytes uploaded, %d stored (%d CRLF)", len(asciiText), len(stored), bytes.Count(stored, []byte("\r\n")))
			back := filepath.Join(work, "back.txt")
			if _, err := cp.Download(ctx, dir+"/t.txt", back); err != nil {
				t.Fatalf("download: %v", err)
			}
			want := asciiText
			if kind == PureFTPd {
				want = bytes.ReplaceAll(asciiText, []byte("\r"), nil) // see its quirks
			}
			if got, _ := os.ReadFile(back); !bytes.Equal(got, want) {
				t.Errorf("the text came back as %d bytes, %d CRLF; sent %d", len(got), bytes.Count(got, []byte("\r\n")), len(asciiText))
			}

			// A file stored with CRLF, as from Windows.
			crlf := bytes.ReplaceAll([]byte(strings.Repeat("line\n", 20_000)), []byte("\n"), []byte("\r\n"))
			p := filepath.Join(local, "crlf.txt")
			os.WriteFile(p, crlf, 0o644)
			chownToFTPUser(p)
			// The first data connection is cut part way: the retry starts
			// over.
			px.FaultData(netem.Fault{Kind: netem.Reset, After: 30_000, Dir: netem.Downstream})
			mu.Lock()
			sent = nil
			mu.Unlock()
			r, err := cp.Download(ctx, dir+"/crlf.txt", filepath.Join(work, "crlf.txt"))
			if err != nil {
				t.Fatalf("download after a cut: %v", err)
			}
			got, _ := os.ReadFile(filepath.Join(work, "crlf.txt"))
			want = []byte(strings.Repeat("line\n", 20_000))
			if kind == PureFTPd {
				want = crlf // CR CR LF on the wire
			}
			if !bytes.Equal(got, want) {
				t.Errorf("CRLF text arrived as %d bytes, %d CRLF; want %d", len(got), bytes.Count(got, []byte("\r\n")), len(want))
			}
			mu.Lock()
			defer mu.Unlock()
			if slices.Contains(sent, "REST") || slices.Contains(sent, "HASH") {
				t.Errorf("commands %q", sent)
			}
			if n := strings.Count(strings.Join(sent, " "), "RETR"); n != 2 || r.Transferred <= int64(len(got)) {
				t.Errorf("%d RETR, %d bytes moved for %d: the cut was not retried from the start", n, r.Transferred, len(got))
			}
		})
	}
}
