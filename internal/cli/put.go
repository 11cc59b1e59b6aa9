package cli

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

type putCmd struct {
	Continue  bool   `short:"c" help:"Resume an upload (REST, or APPE when the server refuses it)."`
	Recursive bool   `short:"r" help:"Upload a directory tree."`
	Local     string `arg:"" name:"LOCAL" help:"Local file or directory; - for stdin."`
	URL       string `arg:"" optional:"" name:"URL" help:"Remote file, or directory (ending in /) to upload into; in the shell, the working directory by default."`
}

func (cmd *putCmd) run(ctx context.Context, a *app) error {
	loc, err := a.parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	s := a.newSession(loc, 0)
	defer s.close()
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
		return s.putTree(ctx, cmd.Local, remote, cmd.Continue)
	}
	remote := loc.Path
	if cmd.Local == "-" {
		if cmd.Continue {
			return usageErrorf("put -c cannot resume standard input")
		}
		if remote == "" || loc.DirSlash {
			return usageErrorf("put - needs a remote file name, not a directory")
		}
	} else if remote == "" || loc.DirSlash || s.isRemoteDir(ctx, remote) {
		remote = remoteJoin(remote, filepath.Base(cmd.Local))
	}
	u := send{local: cmd.Local, lfs: osFS{}, in: a.stdin, remote: remote, resume: cmd.Continue}
	pr := a.newProgress(false, 0)
	err = s.upload(ctx, u, pr)
	pr.wait()
	if err != nil {
		return &opError{Op: "put", Path: remote, Err: err}
	}
	return nil
}

// isRemoteDir reports whether p is known to be a directory. Only MLST is
// asked: without it the name is taken as the file to write, as curl does.
func (s *session) isRemoteDir(ctx context.Context, p string) bool {
	dir := false
	_ = s.do(ctx, func(c *ftp.Conn, _ int) error {
		feats, err := c.Features(ctx)
		if err != nil || !feats.Has("MLST") {
			return err
		}
		e, err := c.MachineStat(ctx, p)
		if err == nil {
			dir = e.Type == listing.Dir
		}
		return nil
	})
	return dir
}
