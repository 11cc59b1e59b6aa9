package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/server"
)

// demoSize is the size of the file the demo sends round trip.
const demoSize = 1 << 20

type demoCmd struct{}

// run starts an in-memory FTPS server, uploads a generated file, lists
// it, downloads it and checks its SHA-256 locally and on the server,
// printing the protocol dialogue on stdout.
func (cmd *demoCmd) run(ctx context.Context, a *app) error {
	out := a.stdout
	srv, err := server.Start(server.Options{TLS: server.TLSExplicit, EnableHASH: true, Users: map[string]string{"demo": "demo-password"}})
	if err != nil {
		return &opError{Op: "demo", Path: "start server", Err: err}
	}
	defer srv.Close()
	step := func(format string, args ...any) {
		fmt.Fprintf(out, "\n== "+format+"\n", args...)
	}
	fmt.Fprintf(out, "ferry demo: an in-process FTP server on %s with an in-memory file system.\n", srv.Addr())
	fmt.Fprintln(out, "Lines starting with > are commands sent, < replies received (the password is masked),")
	fmt.Fprintln(out, "* what happened on the connections: TLS, data connections, transfers.")

	trace := newTracer(out, 1)
	d := &ftp.Dialer{
		Timeout:      a.g.Timeout,
		ReplyTimeout: a.g.Timeout,
		DataTimeout:  a.g.Timeout,
		AbortTimeout: abortTimeout,
		Trace:        trace.hooks(0),
		Active:       a.g.Active,
		DisableEPSV:  a.g.NoEPSV,
		TLS:          ftp.TLSExplicit,
		TLSConfig:    srv.ClientTLSConfig(),
	}
	step("connect with explicit TLS (AUTH TLS), verifying the server's certificate, and log in")
	c, err := d.Dial(ctx, srv.Addr())
	if err != nil {
		return &opError{Op: "connect", Path: srv.Addr(), Err: err}
	}
	defer c.Close()
	if err := c.Login(ctx, "demo", "demo-password"); err != nil {
		return &loginError{User: "demo", Err: err}
	}

	data := make([]byte, demoSize)
	rng := rand.NewChaCha8([32]byte{'f', 'e', 'r', 'r', 'y'})
	_, _ = rng.Read(data)
	want := sha256.Sum256(data)

	step("upload a generated file of %d bytes", len(data))
	if _, err := c.MakeDir(ctx, "demo"); err != nil {
		return &opError{Op: "mkdir", Path: "demo", Err: err}
	}
	if err := c.Store(ctx, "demo/data.bin", bytes.NewReader(data)); err != nil {
		return &opError{Op: "put", Path: "demo/data.bin", Err: err}
	}

	step("list the directory (MLSD, parsed)")
	entries, err := c.ReadDir(ctx, "demo")
	if err != nil {
		return &opError{Op: "ls", Path: "demo", Err: err}
	}
	for _, e := range entries {
		fmt.Fprintln(out, "  "+longLine(e))
	}

	step("download it and compute its SHA-256 locally")
	dl, err := c.Retrieve(ctx, "demo/data.bin")
	if err != nil {
		return &opError{Op: "get", Path: "demo/data.bin", Err: err}
	}
	h := sha256.New()
	n, err := io.Copy(h, dl)
	if cerr := dl.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &opError{Op: "get", Path: "demo/data.bin", Err: err}
	}
	got := h.Sum(nil)

	step("ask the server for its SHA-256 of the file (HASH or XSHA256)")
	algo, serverSum, err := c.Hash(ctx, "demo/data.bin", ftp.HashSHA256)
	if err != nil {
		return &opError{Op: "hash", Path: "demo/data.bin", Err: err}
	}

	step("log out")
	if err := c.Quit(ctx); err != nil {
		return &opError{Op: "quit", Path: "", Err: err}
	}

	wantHex := hex.EncodeToString(want[:])
	fmt.Fprintln(out)
	fmt.Fprintf(out, "sent       %d bytes, SHA-256 %s\n", len(data), wantHex)
	fmt.Fprintf(out, "received   %d bytes, SHA-256 %s\n", n, hex.EncodeToString(got))
	fmt.Fprintf(out, "server     %s %s\n", algo, serverSum)
	if n != int64(len(data)) || !bytes.Equal(got, want[:]) || serverSum != wantHex {
		return &verifyError{Path: "demo/data.bin", Msg: "the file did not survive the round trip"}
	}
	fmt.Fprintln(out, "OK: the file made the round trip intact.")
	return nil
}
