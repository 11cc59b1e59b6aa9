package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
)

type getCmd struct {
	Continue  bool     `short:"c" help:"Resume a partial download of LOCAL."`
	Recursive bool     `short:"r" help:"Download a directory tree."`
	Output    string   `short:"o" placeholder:"FILE" help:"Write to FILE (- for stdout), as curl -o; one URL only."`
	Args      []string `arg:"" name:"URL" help:"URL... [LOCAL]: the files (or, with -r, directories) to download, then, unless it is a URL, the local file or directory (default: the remote names, here; - for stdout)."`
}

func (cmd *getCmd) run(ctx context.Context, a *app) error {
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
	// Like curl, every URL is tried; each failure is reported and the
	// status is the first failure's.
	failed := ExitOK
	for _, u := range urls {
		dst := local
		if cmd.Recursive {
			// Each tree goes into a directory of its own name.
			if loc, err := a.parseRemote(u); err == nil && remoteBase(loc.Path) != "" {
				dst = filepath.Join(local, remoteBase(loc.Path))
			}
		}
		if err := cmd.getOne(ctx, a, u, dst); err != nil {
			if ctx.Err() != nil {
				return err
			}
			code := a.fail(err)
			if failed == ExitOK {
				failed = code
			}
		}
	}
	if failed != ExitOK {
		return &statusError{code: failed}
	}
	return nil
}

// getOne downloads one URL to local.
func (cmd *getCmd) getOne(ctx context.Context, a *app, url, local string) error {
	loc, err := a.parseRemote(url)
	if err != nil {
		return err
	}
	s := a.newSession(loc, 0)
	defer s.close()
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
		return s.getTree(ctx, loc.Path, local, cmd.Continue)
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
	f := fetch{remote: loc.Path, local: local, lfs: osFS{}, out: a.stdout, resume: cmd.Continue, size: -1}
	var pr *progress
	if local != "-" || !a.stdoutTTY {
		// A bar would be drawn over file content shown on the terminal.
		pr = a.newProgress(false, 0)
	}
	err = s.download(ctx, f, pr)
	pr.wait()
	if err != nil {
		if isServerReply(err) && s.statIsDir(ctx, loc.Path) {
			return usageErrorf("%s is a directory: use get -r to download it", loc.Path)
		}
		return &opError{Op: "get", Path: loc.Path, Err: err}
	}
	return nil
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
