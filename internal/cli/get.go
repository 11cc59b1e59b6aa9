package cli

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/transfer"
)

type getCmd struct {
	Continue  bool     `short:"c" help:"Resume a partial download of LOCAL."`
	Recursive bool     `short:"r" help:"Download a directory tree."`
	Output    string   `short:"o" placeholder:"FILE" help:"Write to FILE (- for stdout), as curl -o; one URL only."`
	Segments  int      `default:"1" placeholder:"N" help:"Download one large file over N connections at once, each fetching its own range."`
	Parallel  int      `short:"P" default:"4" placeholder:"N" help:"With -r or several URLs, transfer N files at a time, over N connections to each server."`
	Verbose   bool     `short:"v" help:"With -r or several URLs, a line per file."`
	Args      []string `arg:"" name:"URL" help:"URL... [LOCAL]: the files (or, with -r, directories) to download, then, unless it is a URL, the local file or directory (default: the remote names, here; - for stdout)."`
}

func (cmd *getCmd) run(ctx context.Context, a *app) error {
	if cmd.Segments < 0 || cmd.Segments > 64 || cmd.Parallel < 0 || cmd.Parallel > 64 {
		return usageErrorf("--segments and --parallel must be between 1 and 64")
	}
	if cmd.Parallel == 0 {
		cmd.Parallel = 4
	}
	urls, local := cmd.Args, cmd.Output
	// The local name comes last: on the command line anything that is
	// not a URL, in the shell (where remote names are paths) the second
	// of two or more arguments.
	if last := urls[len(urls)-1]; len(urls) > 1 && (a.sh != nil || !IsURL(last)) {
		if local != "" {
			return usageErrorf("get: give the local name as -o FILE or as the last argument, not both")
		}
		urls, local = urls[:len(urls)-1], last
	}
	if len(urls) == 1 {
		return cmd.getOne(ctx, a, urls[0], local)
	}
	if cmd.Output != "" || local == "-" {
		return usageErrorf("get: several URLs go to a directory, not to one file")
	}
	if local != "" && !isDir(local) {
		return usageErrorf("get: several URLs need an existing local directory, not %q", local)
	}
	switch {
	case cmd.Recursive:
		return cmd.getTrees(ctx, a, urls, local)
	case cmd.Segments > 1:
		return cmd.getEach(ctx, a, urls, local)
	}
	return cmd.getFiles(ctx, a, urls, local)
}

// getEach downloads the URLs one at a time, as separate gets.
func (cmd *getCmd) getEach(ctx context.Context, a *app, urls []string, local string) error {
	var st status
	for _, u := range urls {
		if err := cmd.getOne(ctx, a, u, local); err != nil {
			if ctx.Err() != nil {
				return err
			}
			st.fail(a, err)
		}
	}
	return st.err()
}

// status keeps the exit status of the first of several failures, each
// reported as it happens, as curl does.
type status struct{ code int }

func (st *status) fail(a *app, err error) {
	if code := a.fail(err); st.code == ExitOK {
		st.code = code
	}
}

// note records a failure that was reported already.
func (st *status) note(err error) {
	if code := ExitCode(err); st.code == ExitOK {
		st.code = code
	}
}

func (st *status) err() error {
	if st.code != ExitOK {
		return &statusError{code: st.code}
	}
	return nil
}

// getOne downloads one URL to local.
func (cmd *getCmd) getOne(ctx context.Context, a *app, url, local string) error {
	ctx = a.traced(ctx)
	loc, err := a.parseRemote(url)
	if err != nil {
		return err
	}
	base := remoteBase(loc.Path)
	if cmd.Recursive {
		if local == "-" {
			return usageErrorf("get -r cannot write a tree to standard output")
		}
		if local == "" {
			local = base
			if local == "" {
				local = "."
			}
		}
		return getTree(ctx, a, nil, loc, local, cmd.Continue, a.transferASCII(loc), cmd.Parallel, cmd.Verbose)
	}
	if base == "" || loc.DirSlash {
		return usageErrorf("%s names a directory; use get -r or ls", loc)
	}
	switch {
	case local == "-":
		if cmd.Continue {
			return usageErrorf("get -c cannot resume standard output")
		}
	case local == "":
		local = base
	case strings.HasSuffix(local, "/") || isDir(local):
		local = filepath.Join(local, base)
	}
	shown := loc.Path // as the user typed it
	ascii := a.transferASCII(loc)
	if ascii && cmd.Continue {
		return errASCIIResume("get")
	}
	c, err := a.openClient(ctx, loc, max(cmd.Segments, 1))
	if err != nil {
		return err
	}
	defer a.closeClient(c)
	// No bar over a file shown on the terminal.
	rep := a.newReporter("get", false, cmd.Verbose, local != "-" || !a.stdoutTTY)
	cp := a.copier(c, 1, rep.progress())
	cp.Resume, cp.ASCII = cmd.Continue, ascii
	var res transfer.Result
	switch {
	case local == "-":
		res, err = cp.DownloadTo(ctx, loc.Path, a.stdout)
	case cmd.Segments > 1:
		res, err = cp.DownloadSegmented(ctx, loc.Path, local, cmd.Segments)
	default:
		res, err = cp.Download(ctx, loc.Path, local)
	}
	if err != nil {
		// Download and DownloadSegmented tell a directory themselves.
		isDir := errors.Is(err, transfer.ErrIsDir)
		if local == "-" && isServerReply(err) && errors.Is(err, fs.ErrNotExist) {
			fi, serr := c.Stat(ctx, loc.Path)
			isDir = serr == nil && fi.IsDir()
		}
		if isDir {
			err = usageErrorf("%s is a directory: use get -r to download it", shown)
		}
		var ue *usageError
		if !errors.As(err, &ue) {
			if st, serr := os.Stat(local + ".part"); local != "-" && serr == nil && st.Size() > 0 {
				err = &partKeptError{Part: local + ".part", Err: err}
			}
			err = &opError{Op: "get", Path: shown, Err: err}
		}
	}
	return rep.done(ctx, oneSummary(res), err)
}

// getTree downloads the tree at loc into local, files in parallel; one
// failure does not stop the others. c is the client to use, or nil to
// open one.
func getTree(ctx context.Context, a *app, c *ftp.Client, loc *Location, local string, resume, ascii bool, parallel int, verbose bool) error {
	if ascii && resume {
		return errASCIIResume("get")
	}
	if c == nil {
		var err error
		if c, err = a.openClient(ctx, loc, parallel); err != nil {
			return err
		}
		defer a.closeClient(c)
	}
	rep := a.newReporter("get", true, verbose, true)
	cp := a.copier(c, parallel, rep.progress())
	cp.Resume, cp.ASCII = resume, ascii
	o := transfer.SyncOptions{Direction: transfer.Download, Remote: loc.Path, Local: local, Compare: transfer.CompareNone}
	if resume {
		// Complete files stay; partial ones continue.
		o.Compare = transfer.CompareSizeTime
	}
	_, sum, err := cp.Sync(ctx, o)
	if sum == nil && err != nil {
		err = treeError("get", loc.Path, err)
	}
	return rep.done(ctx, sum, err)
}

// treeError names the tree a failure before any transfer was about.
func treeError(op, path string, err error) error {
	var le *transfer.LocalError
	if errors.As(err, &le) || errors.Is(err, context.Canceled) {
		return err
	}
	return &opError{Op: op, Path: displayPath(path), Err: err}
}

// oneSummary is the summary of a single file's transfer.
func oneSummary(res transfer.Result) *transfer.Summary {
	s := &transfer.Summary{Results: []transfer.Result{res}, Bytes: res.Transferred, Duration: res.Duration}
	if res.Err != nil {
		s.Failed = 1
	} else {
		s.Files = 1
	}
	return s
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

type catCmd struct {
	URL string `arg:"" name:"URL" help:"File to write to stdout."`
}

func (cmd *catCmd) run(ctx context.Context, a *app) error {
	return (&getCmd{Args: []string{cmd.URL}, Output: "-"}).run(ctx, a)
}
