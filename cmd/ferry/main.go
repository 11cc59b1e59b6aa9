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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	// After the first Ctrl-C, a second one kills at once.
	context.AfterFunc(ctx, stop)
	os.Exit(cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
