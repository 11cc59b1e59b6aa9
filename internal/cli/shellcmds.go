package cli

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

// The commands below exist only in the shell: they act on its session or
// on the local side of it.

type cdCmd struct {
	Dir string `arg:"" name:"DIR" help:"Remote directory."`
}

func (cmd *cdCmd) run(ctx context.Context, a *app) error {
	s := a.sh.s
	err := s.do(ctx, func(c *ftp.Conn, _ int) error {
		if err := c.ChangeDir(ctx, cmd.Dir); err != nil {
			return err
		}
		dir, err := c.CurrentDir(ctx)
		s.cwd = dir
		return err
	})
	if err != nil {
		return &opError{Op: "cd", Path: cmd.Dir, Err: err}
	}
	return nil
}

type pwdCmd struct{}

func (cmd *pwdCmd) run(ctx context.Context, a *app) error {
	s := a.sh.s
	return s.do(ctx, func(c *ftp.Conn, _ int) error {
		dir, err := c.CurrentDir(ctx)
		if err != nil {
			return &opError{Op: "pwd", Err: err}
		}
		s.cwd = dir
		fmt.Fprintln(a.stdout, printable(dir))
		return nil
	})
}

type nlstCmd struct {
	Dir string `arg:"" optional:"" name:"DIR" help:"Remote directory (default: the working one)."`
}

func (cmd *nlstCmd) run(ctx context.Context, a *app) error {
	err := a.sh.s.do(ctx, func(c *ftp.Conn, _ int) error {
		names, err := c.NameList(ctx, cmd.Dir)
		for _, n := range names {
			fmt.Fprintln(a.stdout, printable(n))
		}
		return err
	})
	if err != nil {
		return &opError{Op: "nlst", Path: displayPath(cmd.Dir), Err: err}
	}
	return nil
}

type mgetCmd struct {
	Continue bool     `short:"c" help:"Resume partial downloads."`
	Patterns []string `arg:"" name:"PATTERN" help:"Remote files, with *, ? and [...] matched in their last element."`
}

func (cmd *mgetCmd) run(ctx context.Context, a *app) error {
	var names []string
	for _, pat := range cmd.Patterns {
		dir, base := path.Split(pat)
		if _, err := path.Match(base, ""); err != nil {
			return usageErrorf("mget: bad pattern %q", pat)
		}
		entries, err := a.sh.s.readDir(ctx, strings.TrimSuffix(dir, "/"))
		if err != nil {
			return &opError{Op: "ls", Path: displayPath(dir), Err: err}
		}
		a.sh.noteListing(strings.TrimSuffix(dir, "/"), entries)
		n := len(names)
		for _, e := range entries {
			if ok, _ := path.Match(base, e.Name); ok && e.Type == listing.File {
				if err := checkName(displayPath(dir), e.Name); err != nil {
					return err
				}
				names = append(names, dir+e.Name)
			}
		}
		if len(names) == n {
			return usageErrorf("mget: no remote file matches %q", pat)
		}
	}
	g := &getCmd{Continue: cmd.Continue}
	for _, name := range names {
		if err := g.getOne(ctx, a, name, ""); err != nil {
			return err
		}
	}
	return nil
}

type mputCmd struct {
	Continue bool     `short:"c" help:"Resume partial uploads."`
	Patterns []string `arg:"" name:"PATTERN" help:"Local files, with *, ? and [...]."`
}

func (cmd *mputCmd) run(ctx context.Context, a *app) error {
	var files []string
	for _, pat := range cmd.Patterns {
		matches, err := filepath.Glob(pat)
		if err != nil {
			return usageErrorf("mput: bad pattern %q", pat)
		}
		n := len(files)
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
				files = append(files, m)
			}
		}
		if len(files) == n {
			return usageErrorf("mput: no local file matches %q", pat)
		}
	}
	for _, f := range files {
		if err := (&putCmd{Continue: cmd.Continue, Local: f}).run(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

type lcdCmd struct {
	Dir string `arg:"" optional:"" name:"DIR" help:"Local directory (default: your home directory)."`
}

func (cmd *lcdCmd) run(ctx context.Context, a *app) error {
	dir := cmd.Dir
	if dir == "" {
		dir = a.getenv("HOME")
	}
	if err := os.Chdir(dir); err != nil {
		return &localError{Op: "lcd", Path: dir, Err: err}
	}
	wd, err := os.Getwd()
	if err != nil {
		return &localError{Op: "lcd", Path: dir, Err: err}
	}
	fmt.Fprintln(a.stdout, wd)
	return nil
}

type llsCmd struct {
	Long bool   `short:"l" help:"Long listing: permissions, size, time."`
	All  bool   `short:"a" help:"Include hidden (dot) files."`
	Dir  string `arg:"" optional:"" name:"DIR" help:"Local directory (default: the current one)."`
}

func (cmd *llsCmd) run(ctx context.Context, a *app) error {
	dir := cmd.Dir
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &localError{Op: "lls", Path: dir, Err: err}
	}
	for _, e := range entries {
		if !cmd.All && strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := e.Name()
		if e.IsDir() {
			name += "/"
		}
		if !cmd.Long {
			fmt.Fprintln(a.stdout, printable(name))
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		fmt.Fprintf(a.stdout, "%s %12d %s %s\n", info.Mode(), info.Size(), info.ModTime().Format("2006-01-02 15:04"), printable(name))
	}
	return nil
}

type lpwdCmd struct{}

func (cmd *lpwdCmd) run(ctx context.Context, a *app) error {
	wd, err := os.Getwd()
	if err != nil {
		return &localError{Op: "lpwd", Path: ".", Err: err}
	}
	fmt.Fprintln(a.stdout, wd)
	return nil
}

type activeCmd struct{}

func (cmd *activeCmd) run(ctx context.Context, a *app) error { return a.sh.setActive(true) }

type passiveCmd struct{}

func (cmd *passiveCmd) run(ctx context.Context, a *app) error { return a.sh.setActive(false) }

// setActive switches the data connection mode; it is a connection
// setting, so the next command reconnects.
func (sh *shell) setActive(on bool) error {
	sh.s.active = &on
	sh.s.drop()
	mode := "passive"
	if on {
		mode = "active"
	}
	fmt.Fprintf(sh.a.stdout, "%s mode\n", mode)
	return nil
}

type asciiCmd struct{}

func (cmd *asciiCmd) run(ctx context.Context, a *app) error {
	a.sh.s.setASCII(true)
	fmt.Fprintln(a.stdout, "ascii transfers")
	return nil
}

type binaryCmd struct{}

func (cmd *binaryCmd) run(ctx context.Context, a *app) error {
	a.sh.s.setASCII(false)
	fmt.Fprintln(a.stdout, "binary transfers")
	return nil
}

type helpCmd struct {
	Command string `arg:"" optional:"" name:"COMMAND" help:"Command to explain."`
}

func (cmd *helpCmd) run(ctx context.Context, a *app) error {
	if cmd.Command != "" {
		return a.sh.exec(ctx, cmd.Command+" --help")
	}
	var g shellGrammar
	p, err := a.sh.parser(&g)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "Commands (help COMMAND, or COMMAND --help, for its arguments):")
	for _, n := range p.Model.Children {
		fmt.Fprintf(a.stdout, "  %-8s %s\n", n.Name, n.Help)
	}
	fmt.Fprintln(a.stdout, "  !CMD     Run CMD in the local shell.")
	fmt.Fprintln(a.stdout, "Remote arguments are paths from the working directory; with two or more, get's last is the local name.")
	return nil
}

type quitCmd struct{}

func (cmd *quitCmd) run(ctx context.Context, a *app) error { return errQuit }
