package transfer_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/ferryftp/ftp/transfer"
	"github.com/spf13/afero"
)

// server starts an in-process server holding files, for the examples.
func server(files map[string]string) (*ftptest.Server, *ftp.Client) {
	fsys := afero.NewMemMapFs()
	for name, content := range files {
		afero.WriteFile(fsys, name, []byte(content), 0o644)
	}
	srv, err := ftptest.Start(ftptest.Options{FS: fsys, EnableHASH: true})
	if err != nil {
		panic(err)
	}
	return srv, &ftp.Client{Addr: srv.Addr(), User: "demo", Password: "demo"}
}

// A download that was cut off left report.csv.part behind; with Resume the
// next run asks only for the rest (REST) and verifies the whole file
// before renaming it into place.
func ExampleCopier_Download_resumed() {
	srv, client := server(map[string]string{"/report.csv": "id,total\n1,10\n2,20\n"})
	defer srv.Close()
	defer client.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	local := filepath.Join(dir, "report.csv")
	os.WriteFile(local+".part", []byte("id,total\n"), 0o644) // what the earlier run got

	cp := &transfer.Copier{Client: client, Resume: true}
	res, err := cp.Download(context.Background(), "report.csv", local)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(local)
	fmt.Printf("resumed after %d bytes, fetched %d, verified by %s\n", res.Resumed, res.Transferred, strings.SplitN(res.Checksum, ":", 2)[0])
	fmt.Print(string(b))
	// Output:
	// resumed after 9 bytes, fetched 10, verified by SHA-256
	// id,total
	// 1,10
	// 2,20
}

// An upload is verified by size, and by checksum where the server offers
// one; AtomicUpload makes it appear under its name only once complete.
func ExampleCopier_Upload() {
	srv, client := server(nil)
	defer srv.Close()
	defer client.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	local := filepath.Join(dir, "backup.tar")
	os.WriteFile(local, bytes.Repeat([]byte("x"), 100_000), 0o644)

	cp := &transfer.Copier{Client: client, AtomicUpload: true}
	res, err := cp.Upload(context.Background(), local, "backup.tar")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Size, "bytes, checksum", strings.SplitN(res.Checksum, ":", 2)[0])
	// Output:
	// 100000 bytes, checksum SHA-256
}

// A large file over four connections at once, each fetching its own range.
func ExampleCopier_DownloadSegmented() {
	big := strings.Repeat("0123456789abcdef", 400_000) // 6.4 MB
	srv, client := server(map[string]string{"/image.iso": big})
	defer srv.Close()
	client.MaxConns = 4
	defer client.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	cp := &transfer.Copier{Client: client}
	res, err := cp.DownloadSegmented(context.Background(), "image.iso", filepath.Join(dir, "image.iso"), 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Size, "bytes, verified by", strings.SplitN(res.Checksum, ":", 2)[0])
	// Output:
	// 6400000 bytes, verified by SHA-256
}

// A sync is planned first; the plan can be printed, stored, and applied
// whole or in shards (here two, as two machines of a job array would).
func ExampleCopier_Plan() {
	srv, client := server(map[string]string{
		"/pub/a.txt":     "alpha\n",
		"/pub/b/c.txt":   "charlie\n",
		"/pub/b/d.txt":   "delta\n",
		"/pub/skip.tmp":  "scratch\n",
		"/pub/b/e.txt":   "echo\n",
		"/pub/b/f/g.txt": "golf\n",
	})
	defer srv.Close()
	defer client.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	cp := &transfer.Copier{Client: client}
	ctx := context.Background()
	plan, err := cp.Plan(ctx, transfer.SyncOptions{Remote: "pub", Local: dir, Exclude: []string{"*.tmp"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range plan.Actions {
		fmt.Println(a.Op, a.Path)
	}
	var stored bytes.Buffer
	plan.WriteTo(&stored) // one JSON object per action
	again, _ := transfer.ReadPlan(&stored)
	for i := range 2 {
		sum, err := cp.Apply(ctx, again, transfer.Shard{I: i, N: 2})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("shard %d/2: %d files\n", i, sum.Files)
	}
	// Output:
	// mkdir b
	// mkdir b/f
	// get a.txt
	// get b/c.txt
	// get b/d.txt
	// get b/e.txt
	// get b/f/g.txt
	// shard 0/2: 3 files
	// shard 1/2: 2 files
}

// The file hooks of an ftp.Trace on the context see every file a Copier
// moves: its start, its progress (at most once a second) and its end, with
// the figures of its Result. SlogTrace logs the same events.
func Example_trace() {
	srv, client := server(map[string]string{"/logs/a.log": "one\n", "/logs/b.log": "two\nthree\n"})
	defer srv.Close()
	defer client.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	var mu sync.Mutex // the files of a sync report concurrently
	ctx := ftp.WithTrace(context.Background(), &ftp.Trace{
		FileDone: func(_ context.Context, f ftp.FileDoneInfo) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Printf("%s %s: %d of %d bytes, err %v\n", f.Op, f.Remote, f.Transferred, f.Size, f.Err)
		},
	})
	cp := &transfer.Copier{Client: client, Parallel: 1}
	if _, _, err := cp.Sync(ctx, transfer.SyncOptions{Remote: "logs", Local: dir}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// get logs/a.log: 4 of 4 bytes, err <nil>
	// get logs/b.log: 10 of 10 bytes, err <nil>
}
