// Command ferry is an FTP and FTPS client: ls, get, put, mirror and more,
// with URLs, netrc, resumable transfers and progress bars.
// Run "ferry demo" to see it work, "ferry --help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/ferryftp/ftp/internal/cli"
)

func main() {
	// The garbage collector keeps its defaults. A lower GOGC would bound what a
	// long TLS download leaves behind (crypto/tls allocates on each network
	// read, about 1 MB per GiB), but then the argument parser's garbage (some
	// 0.6 MB) sets off a collection in every command, which costs more peak RSS
	// than it saves below 4 GiB: at GOGC=60, 0.7 MiB more for a 1 GiB upload
	// over TLS, 0.2 MiB more for a 1 GiB download, 0.4 MiB less at 4 GiB.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	// After the first Ctrl-C, a second one kills at once.
	context.AfterFunc(ctx, stop)
	os.Exit(cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
