package ftp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
)

// maxListingLine bounds one line of a listing on the data connection.
const maxListingLine = 64 << 10

// List returns the raw lines of a LIST of path (the working directory if
// path is empty), without line endings. Their format is the server's own;
// ReadDir parses them.
func (c *Conn) List(ctx context.Context, path string) ([]string, error) {
	return c.listLines(ctx, "LIST", path)
}

// NameList returns the names in a directory (NLST). Servers differ on
// whether the names include the directory given (vsftpd and ProFTPD prefix
// it, pyftpdlib does not) and on whether "." and ".." are included
// (Pure-FTPd). An empty directory gives no names; some servers answer 450 or
// 550 instead.
func (c *Conn) NameList(ctx context.Context, path string) ([]string, error) {
	return c.listLines(ctx, "NLST", path)
}

// listLines runs a listing command and collects its lines. Listings are
// read in whatever TYPE is in force: servers send them the same either way,
// and switching TYPE back and forth around each listing costs two round
// trips.
func (c *Conn) listLines(ctx context.Context, verb, path string) ([]string, error) {
	var lines []string
	err := c.eachLine(ctx, verb, path, func(line string) error {
		lines = append(lines, line)
		return nil
	})
	return lines, err
}

// eachLine runs a listing command and hands each line to fn, without its
// CRLF or LF. A line over maxListingLine, or an error from fn, aborts the
// transfer.
func (c *Conn) eachLine(ctx context.Context, verb, path string, fn func(string) error) error {
	t, err := c.startTransfer(ctx, verb, path, 0, "")
	if err != nil {
		return err
	}
	d := &Download{t: t, ctx: ctx}
	sc := bufio.NewScanner(d)
	sc.Buffer(make([]byte, 0, 4096), maxListingLine)
	for sc.Scan() {
		line := sc.Bytes()
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if err := fn(string(line)); err != nil {
			d.Close()
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			d.Close()
			return &ProtocolError{Cmd: t.cmd, Msg: fmt.Sprintf("listing line longer than %d bytes", maxListingLine)}
		}
		d.Close()
		return err
	}
	return d.Close()
}
