package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

// lsCmd lists a directory. Every entry the listing yields is printed;
// each line that should have been an entry but could not be read is
// reported on standard error with its text, and the exit status is then 1
// (as GNU ls does for minor problems), so that a script never takes a
// partial listing for a whole one.
type lsCmd struct {
	Long bool   `short:"l" help:"Long listing: type, permissions, size, time."`
	All  bool   `short:"a" help:"Include hidden (dot) files."`
	URL  string `arg:"" optional:"" name:"URL" help:"Directory to list."`
}

func (cmd *lsCmd) run(ctx context.Context, a *app) error {
	loc, err := a.parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	s := a.newSession(loc, 0)
	s.setListHidden(cmd.All)
	defer s.close()
	entries, err := s.readDir(ctx, loc.Path)
	if a.sh != nil {
		a.sh.noteListing(loc.Path, entries)
	}
	if err != nil && entries == nil {
		return &opError{Op: "ls", Path: loc.Display(), Err: err}
	}
	if perr := a.printEntries(entries, cmd.Long, cmd.All); perr != nil {
		return perr
	}
	var lerr *ftp.ListingError
	if errors.As(err, &lerr) {
		a.reportUnreadable(loc.Display(), lerr)
		return &statusError{code: ExitOther}
	}
	if err != nil {
		return &opError{Op: "ls", Path: loc.Display(), Err: err}
	}
	return nil
}

// reportUnreadable prints one line on standard error for each listing line
// that could not be read: its number, the listing format it was read as,
// why, and the line itself, quoted so that control bytes show.
//
// With --json each is an object on standard error, as every other error
// there, so that a program reading it never meets a line of prose:
// {"error": ..., "path": ..., "line": N, "format": ..., "raw": ...}, then
// {"error": ..., "exit": 1}.
func (a *app) reportUnreadable(dir string, lerr *ftp.ListingError) {
	n := len(lerr.Lines)
	if a.g.JSON {
		for _, le := range lerr.Lines {
			cause := strings.TrimPrefix(le.Err.Error(), "listing: ")
			_ = writeJSON(a.stderr, struct {
				Error  string `json:"error"`
				Path   string `json:"path"`
				Line   int    `json:"line"`
				Format string `json:"format"`
				Raw    string `json:"raw"`
			}{"unreadable line: " + cause, dir, le.Line, le.Format.String(), le.Raw})
		}
		_ = writeJSON(a.stderr, struct {
			Error string `json:"error"`
			Exit  int    `json:"exit"`
		}{fmt.Sprintf("ls %s: %d of the listing's lines could not be read", dir, n), ExitOther})
		return
	}
	for _, le := range lerr.Lines {
		cause := strings.TrimPrefix(le.Err.Error(), "listing: ")
		fmt.Fprintf(a.stderr, "ferry: ls %s: unreadable line %d (%s: %s): %s\n",
			dir, le.Line, le.Format, cause, strconv.Quote(le.Raw))
	}
	plural := "s"
	if n == 1 {
		plural = ""
	}
	fmt.Fprintf(a.stderr, "ferry: ls %s: %d line%s of the listing could not be read; the entries above are the rest\n", dir, n, plural)
}

// readDir lists dir, sorted by name, with retries.
func (s *session) readDir(ctx context.Context, dir string) ([]listing.Entry, error) {
	var entries []listing.Entry
	err := s.do(ctx, func(c *ftp.Conn, _ int) error {
		var err error
		entries, err = c.ReadDir(ctx, dir)
		return err
	})
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	return entries, err
}

// printEntries prints a listing as JSON Lines (--json), "ls -l" lines, or
// names: one per line, with a "/" after directories on a terminal.
func (a *app) printEntries(entries []listing.Entry, long, all bool) error {
	for _, e := range entries {
		if !all && strings.HasPrefix(e.Name, ".") {
			continue
		}
		var err error
		switch {
		case a.g.JSON:
			err = writeJSON(a.stdout, toJSON(e))
		case long:
			_, err = fmt.Fprintln(a.stdout, longLine(e))
		case a.stdoutTTY && e.Type == listing.Dir:
			_, err = fmt.Fprintln(a.stdout, printable(e.Name)+"/")
		case a.stdoutTTY:
			_, err = fmt.Fprintln(a.stdout, printable(e.Name))
		default:
			_, err = fmt.Fprintln(a.stdout, e.Name)
		}
		if err != nil {
			return &localError{Op: "write", Path: "standard output", Err: err}
		}
	}
	return nil
}
