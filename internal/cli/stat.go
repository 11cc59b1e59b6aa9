package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

type statCmd struct {
	URL string `arg:"" name:"URL" help:"File or directory."`
}

func (cmd *statCmd) run(ctx context.Context, a *app) error {
	loc, err := a.parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	s := a.newSession(loc, 0)
	defer s.close()
	e, err := s.stat(ctx, loc.Path)
	if err != nil {
		return &opError{Op: "stat", Path: loc.Display(), Err: err}
	}
	return a.printStat(a.stdout, loc.Display(), e)
}

func (s *session) stat(ctx context.Context, p string) (listing.Entry, error) {
	var e listing.Entry
	err := s.do(ctx, func(c *ftp.Conn, _ int) error {
		var err error
		e, err = statRemote(ctx, c, p)
		return err
	})
	return e, err
}

// printStat prints one entry as JSON or as "key: value" lines.
func (a *app) printStat(w io.Writer, p string, e listing.Entry) error {
	var err error
	if a.g.JSON {
		err = writeJSON(w, toJSON(e))
	} else {
		size, when, target := "unknown", "unknown", ""
		if e.Size >= 0 && e.Type != listing.Dir {
			size = strconv.FormatInt(e.Size, 10)
		}
		if !e.ModTime.IsZero() {
			when = e.ModTime.UTC().Format(time.RFC3339Nano)
		}
		if e.Target != "" {
			target = "target: " + printable(e.Target) + "\n"
		}
		_, err = fmt.Fprintf(w, "path: %s\ntype: %s\nsize: %s\ntime: %s\n%s", printable(p), e.Type, size, when, target)
	}
	if err != nil {
		return &localError{Op: "write", Path: "standard output", Err: err}
	}
	return nil
}
