package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
)

type getCmd struct {
	Continue  bool   `short:"c" help:"Resume a partial download of LOCAL."`
	Recursive bool   `short:"r" help:"Download a directory tree."`
	URL       string `arg:"" name:"URL" help:"File (or, with -r, directory) to download."`
	Local     string `arg:"" optional:"" name:"LOCAL" help:"Local file or directory; - for stdout (default: the remote name)."`
}

func (cmd *getCmd) run(ctx context.Context, a *app) error {
	loc, err := parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	s := a.newSession(loc, 0)
	defer s.close()
	base := remoteBase(loc.Path)
	if cmd.Recursive {
		if cmd.Local == "-" {
			return usageErrorf("get -r cannot write a tree to standard output")
		}
		local := cmd.Local
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
	local := cmd.Local
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
	return (&getCmd{URL: cmd.URL, Local: "-"}).run(ctx, a)
}
