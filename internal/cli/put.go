package cli

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/ferryftp/ftp/transfer"

	"github.com/ferryftp/ftp"
)

type putCmd struct {
	Continue  bool   `short:"c" help:"Resume an upload (REST, or APPE when the server refuses it)."`
	Recursive bool   `short:"r" help:"Upload a directory tree."`
	Atomic    bool   `help:"Upload under a temporary name and rename it into place once complete and verified."`
	Parallel  int    `short:"P" default:"4" placeholder:"N" help:"With -r, transfer N files at a time."`
	Verbose   bool   `short:"v" help:"With -r, a line per file."`
	Local     string `arg:"" name:"LOCAL" help:"Local file or directory; - for stdin."`
	URL       string `arg:"" optional:"" name:"URL" help:"Remote file, or directory (ending in /) to upload into; in the shell, the working directory by default."`
}

func (cmd *putCmd) run(ctx context.Context, a *app) error {
	ctx = a.traced(ctx)
	if cmd.Parallel < 0 || cmd.Parallel > 64 {
		return usageErrorf("--parallel must be between 1 and 64")
	}
	if cmd.Parallel == 0 {
		cmd.Parallel = 4
	}
	loc, err := a.parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	ascii := a.transferASCII(loc)
	if ascii && cmd.Continue {
		return errASCIIResume("put")
	}
	if cmd.Recursive {
		if cmd.Local == "-" {
			return usageErrorf("put -r needs a directory, not standard input")
		}
		if !isDir(cmd.Local) {
			return &localError{Op: "put -r", Path: cmd.Local, Err: errors.New("not a directory")}
		}
		remote := loc.Path
		if loc.DirSlash || remote == "" {
			remote = remoteJoin(remote, filepath.Base(filepath.Clean(cmd.Local)))
		}
		return cmd.putTree(ctx, a, loc, remote, ascii)
	}
	if cmd.Local == "-" {
		if cmd.Continue {
			return usageErrorf("put -c cannot resume standard input")
		}
		if loc.Path == "" || loc.DirSlash {
			return usageErrorf("put - needs a remote file name, not a directory")
		}
	}
	c, err := a.openClient(ctx, loc, 1)
	if err != nil {
		return err
	}
	defer a.closeClient(c)
	remote := loc.Path
	if cmd.Local != "-" && (remote == "" || loc.DirSlash || isRemoteDir(ctx, c, remote)) {
		remote = remoteJoin(remote, filepath.Base(cmd.Local))
	}
	rep := a.newReporter("put", false, cmd.Verbose, true)
	cp := a.copier(c, 1, rep.progress())
	cp.Resume, cp.ASCII = cmd.Continue, ascii
	cp.AtomicUpload = cmd.Atomic
	var res transfer.Result
	if cmd.Local == "-" {
		res, err = cp.UploadFrom(ctx, a.stdin, remote)
	} else {
		res, err = cp.Upload(ctx, cmd.Local, remote)
	}
	if err != nil {
		err = &opError{Op: "put", Path: remote, Err: err}
	}
	return rep.done(ctx, oneSummary(res), err)
}

// putTree uploads the local tree into remote, files in parallel.
func (cmd *putCmd) putTree(ctx context.Context, a *app, loc *Location, remote string, ascii bool) error {
	c, err := a.openClient(ctx, loc, cmd.Parallel)
	if err != nil {
		return err
	}
	defer a.closeClient(c)
	rep := a.newReporter("put", true, cmd.Verbose, true)
	cp := a.copier(c, cmd.Parallel, rep.progress())
	cp.Resume, cp.ASCII = cmd.Continue, ascii
	cp.AtomicUpload = cmd.Atomic
	o := transfer.SyncOptions{Direction: transfer.Upload, Remote: remote, Local: cmd.Local, Compare: transfer.CompareNone}
	if cmd.Continue {
		o.Compare = transfer.CompareSizeTime
	}
	_, sum, err := cp.Sync(ctx, o)
	if sum == nil && err != nil {
		err = treeError("put", remote, err)
	}
	return rep.done(ctx, sum, err)
}

// isRemoteDir reports whether p is a directory on the server; a name
// that cannot be looked up is taken as the file to write, as curl does.
func isRemoteDir(ctx context.Context, c *ftp.Client, p string) bool {
	fi, err := c.Stat(ctx, p)
	return err == nil && fi.IsDir()
}
