package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/ferryftp/ftp/transfer"
)

type mirrorCmd struct {
	Parallel  int      `short:"P" default:"4" placeholder:"N" help:"Transfer N files at a time, over N connections."`
	Delete    bool     `help:"Remove from DST what SRC no longer has."`
	Checksum  bool     `help:"Compare files of the same size by checksum (HASH, XSHA256, ...) instead of time."`
	OnlyNewer bool     `name:"only-newer" help:"Leave alone files that are newer in DST."`
	Include   []string `placeholder:"GLOB" help:"Only files matching GLOB (path or name; repeatable)."`
	Exclude   []string `placeholder:"GLOB" help:"Leave out files and directories matching GLOB (repeatable)."`
	DryRun    bool     `name:"dry-run" help:"Show what would be done, and do nothing."`
	Plan      string   `placeholder:"FILE" help:"Write the plan to FILE (- for stdout), one JSON object per action, and do nothing; ferry apply carries it out."`
	Verbose   bool     `short:"v" help:"A line per file."`
	Src       string   `arg:"" name:"SRC" help:"Source tree: a URL (download) or a local directory (upload)."`
	Dst       string   `arg:"" name:"DST" help:"Destination tree: a local directory or a URL."`
}

func (cmd *mirrorCmd) run(ctx context.Context, a *app) error {
	ctx = a.traced(ctx)
	if cmd.Parallel < 1 || cmd.Parallel > 64 {
		return usageErrorf("--parallel must be between 1 and 64")
	}
	srcRemote, dstRemote := IsURL(cmd.Src), IsURL(cmd.Dst)
	if srcRemote == dstRemote {
		return usageErrorf("mirror needs exactly one URL: SRC to download, DST to upload")
	}
	for _, p := range append(append([]string{}, cmd.Include...), cmd.Exclude...) {
		if _, err := path.Match(p, ""); err != nil || strings.TrimSpace(p) == "" {
			return usageErrorf("bad pattern %q", p)
		}
	}
	o := transfer.SyncOptions{Delete: cmd.Delete, OnlyNewer: cmd.OnlyNewer, Include: cmd.Include, Exclude: cmd.Exclude}
	if cmd.Checksum {
		o.Compare = transfer.CompareChecksum
	}
	url := cmd.Src
	if srcRemote {
		o.Direction, o.Local = transfer.Download, cmd.Dst
	} else {
		url = cmd.Dst
		o.Direction, o.Local = transfer.Upload, cmd.Src
		if !isDir(cmd.Src) {
			return &localError{Op: "mirror", Path: cmd.Src, Err: errors.New("not a directory")}
		}
	}
	loc, err := ParseURL(url)
	if err != nil {
		return err
	}
	o.Remote = loc.Path
	c, err := a.openClient(ctx, loc, cmd.Parallel)
	if err != nil {
		return err
	}
	defer a.closeClient(c)
	if cmd.DryRun || cmd.Plan != "" {
		plan, err := a.copier(c, cmd.Parallel, nil).Plan(ctx, o)
		if err != nil {
			return treeError("mirror", loc.Path, err)
		}
		for i := range plan.Actions {
			plan.Actions[i].Server = loc.String()
		}
		if cmd.Plan != "" {
			return writePlan(a, cmd.Plan, plan)
		}
		return a.showPlan(plan)
	}
	rep := a.newReporter("mirror", true, cmd.Verbose, true)
	_, sum, err := a.copier(c, cmd.Parallel, rep.progress()).Sync(ctx, o)
	if sum == nil && err != nil {
		err = treeError("mirror", loc.Path, err)
	}
	return rep.done(ctx, sum, err)
}

// writePlan writes the plan as JSON Lines to name ("-": stdout).
func writePlan(a *app, name string, p *transfer.Plan) error {
	if name == "-" {
		_, err := p.WriteTo(a.stdout)
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return &localError{Op: "create", Path: name, Err: err}
	}
	if _, err := p.WriteTo(f); err != nil {
		f.Close()
		return &localError{Op: "write", Path: name, Err: err}
	}
	if err := f.Close(); err != nil {
		return &localError{Op: "write", Path: name, Err: err}
	}
	a.chatter("mirror: plan of %d actions written to %s (%d files unchanged)", len(p.Actions), name, p.Unchanged)
	return nil
}

// showPlan prints what a dry run would do: a line per action (JSON with
// --json), then a count.
func (a *app) showPlan(p *transfer.Plan) error {
	if a.g.JSON {
		_, err := p.WriteTo(a.stdout)
		return err
	}
	var files, deletes int
	var bytes int64
	for _, act := range p.Actions {
		line := fmt.Sprintf("%s %s", act.Op, printable(act.Path))
		switch act.Op {
		case transfer.OpGet, transfer.OpPut:
			files++
			if act.Size != nil {
				bytes += *act.Size
				line += fmt.Sprintf(" (%s, %s)", size(*act.Size), act.Reason)
			}
		case transfer.OpDelete:
			deletes++
		case transfer.OpSkip:
			line = fmt.Sprintf("skip %s: %s", act.Path, act.Reason)
		}
		fmt.Fprintln(a.stdout, line)
	}
	a.chatter("mirror (dry run): %d to transfer (%s), %d unchanged, %d to delete; nothing done", files, size(bytes), p.Unchanged, deletes)
	return nil
}

type applyCmd struct {
	Shard    string `placeholder:"I/N" help:"Carry out only shard I of N (0 <= I < N): every N-th action from the I-th; shards can run at once on different machines."`
	Parallel int    `short:"P" default:"4" placeholder:"N" help:"Transfer N files at a time."`
	Verbose  bool   `short:"v" help:"A line per file."`
	File     string `arg:"" name:"FILE" help:"Plan written by mirror --plan (- for stdin)."`
}

func (cmd *applyCmd) run(ctx context.Context, a *app) error {
	ctx = a.traced(ctx)
	var shard transfer.Shard
	if cmd.Shard != "" {
		var err error
		if shard, err = transfer.ParseShard(cmd.Shard); err != nil {
			return usageErrorf("--shard: %v", err)
		}
	}
	if cmd.Parallel < 1 || cmd.Parallel > 64 {
		return usageErrorf("--parallel must be between 1 and 64")
	}
	var r io.Reader = a.stdin
	if cmd.File != "-" {
		f, err := os.Open(cmd.File)
		if err != nil {
			return &localError{Op: "open", Path: cmd.File, Err: err}
		}
		defer f.Close()
		r = f
	}
	plan, err := transfer.ReadPlan(r)
	if err != nil {
		return usageErrorf("%s: %v", cmd.File, err)
	}
	server := ""
	for _, act := range plan.Actions {
		if server != "" && act.Server != server {
			return usageErrorf("%s: the plan names more than one server", cmd.File)
		}
		server = act.Server
	}
	if server == "" {
		a.chatter("apply: nothing to do")
		return nil
	}
	loc, err := ParseURL(server)
	if err != nil {
		return err
	}
	c, err := a.openClient(ctx, loc, cmd.Parallel)
	if err != nil {
		return err
	}
	defer a.closeClient(c)
	rep := a.newReporter("apply", true, cmd.Verbose, true)
	cp := a.copier(c, cmd.Parallel, rep.progress())
	cp.Resume = true // a shard run again continues what it left
	sum, err := cp.Apply(ctx, plan, shard)
	return rep.done(ctx, sum, err)
}
