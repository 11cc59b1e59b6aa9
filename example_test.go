package ftp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// exampleServer starts an in-process server holding /pub/hello.txt and
// returns its address; in real code the address is your server's.
func exampleServer() (addr string, stop func()) {
	srv, err := ftptest.Start(ftptest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	srv.FS().MkdirAll("/pub", 0o755)
	afero.WriteFile(srv.FS(), "/pub/hello.txt", []byte("hello, world\n"), 0o644)
	return srv.Addr(), func() { srv.Close() }
}

// Dial, log in, download a file, and quit.
func Example() {
	addr, stop := exampleServer()
	defer stop()
	ctx := context.Background()

	c, err := ftp.Dial(ctx, addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Quit(ctx)
	if err := c.Login(ctx, "anonymous", ""); err != nil {
		log.Fatal(err)
	}
	d, err := c.Retrieve(ctx, "/pub/hello.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	if _, err := io.Copy(os.Stdout, d); err != nil {
		log.Fatal(err) // includes a transfer cut short or refused at the end
	}
	// Output: hello, world
}

// Upload from any io.Reader.
func ExampleConn_Store() {
	addr, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	c, err := ftp.Dial(ctx, addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Quit(ctx)
	if err := c.Login(ctx, "anonymous", ""); err != nil {
		log.Fatal(err)
	}

	if err := c.Store(ctx, "/pub/report.csv", strings.NewReader("id,total\n1,42\n")); err != nil {
		log.Fatal(err)
	}
	size, err := c.Size(ctx, "/pub/report.csv")
	fmt.Println(size, err)
	// Output: 14 <nil>
}

// Resume a download that stopped after 7 bytes.
func ExampleConn_RetrieveFrom() {
	addr, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	c, err := ftp.Dial(ctx, addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Quit(ctx)
	if err := c.Login(ctx, "anonymous", ""); err != nil {
		log.Fatal(err)
	}

	have := []byte("hello, ") // what an earlier attempt saved
	d, err := c.RetrieveFrom(ctx, "/pub/hello.txt", int64(len(have)))
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	rest, err := io.ReadAll(d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s", append(have, rest...))
	// Output: hello, world
}

// List a directory: MLSD when the server offers it, else LIST, parsed.
func ExampleConn_ReadDir() {
	addr, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	c, err := ftp.Dial(ctx, addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Quit(ctx)
	if err := c.Login(ctx, "anonymous", ""); err != nil {
		log.Fatal(err)
	}

	entries, err := c.ReadDir(ctx, "/pub")
	if err != nil {
		log.Fatal(err) // a *ftp.ListingError still comes with the entries it could read
	}
	for _, e := range entries {
		fmt.Println(e.Type, e.Name, e.Size)
	}
	// Output: file hello.txt 13
}

// A context bounds any call; cancelling it aborts a transfer (ABOR) and the
// error wraps the context's.
func ExampleConn_Retrieve_cancel() {
	addr, stop := exampleServer()
	defer stop()
	c, err := ftp.Dial(context.Background(), addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(context.Background(), "anonymous", ""); err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	d, err := c.Retrieve(ctx, "/pub/hello.txt")
	if err != nil {
		log.Fatal(err)
	}
	cancel() // from anywhere: a signal handler, a timeout, the user
	_, err = io.ReadAll(d)
	fmt.Println(errors.Is(err, context.Canceled))
	// Output: true
}

// Trace the dialogue with a *slog.Logger: commands and replies at
// slog.LevelDebug, raw lines at ftp.LevelTrace. Passwords are masked.
func ExampleDialer_trace() {
	addr, stop := exampleServer()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var trace bytes.Buffer
	h := slog.NewTextHandler(&trace, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == slog.LevelKey {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	})
	d := ftp.Dialer{Logger: slog.New(h)}
	c, err := d.Dial(ctx, addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "alice", "s3cret"); err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(trace.String(), "\n") {
		if strings.Contains(line, "ftp command") {
			fmt.Println(line)
		}
	}
	// Output:
	// msg="ftp command" cmd="USER alice"
	// msg="ftp command" cmd="PASS ****"
	// msg="ftp command" cmd=FEAT
	// msg="ftp command" cmd="OPTS UTF8 ON"
}

// Collect metrics for one call with a Trace in its context: here the bytes
// and outcome of each transfer. Dialer.Trace would see every call instead.
func ExampleWithTrace() {
	addr, stop := exampleServer()
	defer stop()
	ctx := context.Background()

	c, err := ftp.Dial(ctx, addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Quit(ctx)
	if err := c.Login(ctx, "anonymous", ""); err != nil {
		log.Fatal(err)
	}
	trace := &ftp.Trace{
		TransferDone: func(_ context.Context, info ftp.TransferInfo) {
			fmt.Printf("%s %s: %d bytes, reply %d, error %v\n", info.Command, info.Path, info.Bytes, info.Code, info.Err)
		},
	}
	tctx := ftp.WithTrace(ctx, trace)
	if err := c.Store(tctx, "/pub/new.txt", strings.NewReader("twelve bytes")); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Retrieve(tctx, "/pub/missing.txt"); err == nil {
		log.Fatal("downloaded a missing file")
	}
	// Output:
	// STOR /pub/new.txt: 12 bytes, reply 226, error <nil>
	// RETR /pub/missing.txt: 0 bytes, reply 550, error ftp: RETR /pub/missing.txt: 550 Could not access file: driver error: calling OpenFile: open /pub/missing.txt: file does not exist
}

// Download many small files on one connection. RetrieveEach pipelines the
// commands, so each file costs about two round trips instead of three and
// a half; a missing file is reported to the function, which decides
// whether to go on.
func ExampleConn_RetrieveEach() {
	addr, stop := exampleServer()
	defer stop()
	ctx := context.Background()

	c, err := ftp.Dial(ctx, addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Quit(ctx)
	if err := c.Login(ctx, "anonymous", ""); err != nil {
		log.Fatal(err)
	}
	paths := []string{"/pub/hello.txt", "/pub/missing.txt", "/pub/hello.txt"}
	err = c.RetrieveEach(ctx, slices.Values(paths), func(path string, d *ftp.Download, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Println(path, "is missing")
			return nil
		}
		if err != nil {
			return err
		}
		var b strings.Builder
		if _, err := io.Copy(&b, d); err != nil {
			return err
		}
		fmt.Printf("%s: %q\n", path, b.String())
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// /pub/hello.txt: "hello, world\n"
	// /pub/missing.txt is missing
	// /pub/hello.txt: "hello, world\n"
}
