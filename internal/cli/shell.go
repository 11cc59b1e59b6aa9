package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/listing"
)

type shellCmd struct {
	URL string `arg:"" name:"URL" help:"Server, and the directory to start in."`
}

// shellGrammar is what one line of the shell may say: the command line's
// own client commands (the same structs, so the two cannot drift) and the
// commands that only make sense in a session.
type shellGrammar struct {
	clientCommands `embed:""`

	Cd      cdCmd      `cmd:"" help:"Change the remote directory."`
	Pwd     pwdCmd     `cmd:"" help:"Print the remote directory."`
	Nlst    nlstCmd    `cmd:"" help:"List names only (NLST), as the server gives them."`
	Mget    mgetCmd    `cmd:"" help:"Download the remote files matching shell patterns (*, ?, [...]) here."`
	Mput    mputCmd    `cmd:"" help:"Upload the local files matching shell patterns to the remote directory."`
	Lcd     lcdCmd     `cmd:"" help:"Change the local directory."`
	Lls     llsCmd     `cmd:"" help:"List a local directory."`
	Lpwd    lpwdCmd    `cmd:"" help:"Print the local directory."`
	Active  activeCmd  `cmd:"" help:"Active mode (EPRT/PORT) from now on."`
	Passive passiveCmd `cmd:"" help:"Passive mode (EPSV/PASV) from now on."`
	ASCII   asciiCmd   `cmd:"" name:"ascii" help:"ASCII transfers (TYPE A) from now on."`
	Binary  binaryCmd  `cmd:"" help:"Binary transfers (TYPE I) from now on."`
	Help    helpCmd    `cmd:"" aliases:"?" help:"List the commands, or explain one."`
	Quit    quitCmd    `cmd:"" aliases:"exit,bye" help:"Leave the shell (also Ctrl-D)."`
}

// shell is one interactive session: the server, its working directory,
// what was last listed (for Tab), and the line editor when on a terminal.
type shell struct {
	a    *app
	s    *session
	base *Location

	// lastDir (an absolute remote directory) and lastNames are the most
	// recent listing, whose names Tab completes.
	lastDir   string
	lastNames []string

	// clients are the connection pools of transfers, by size, kept from
	// one command to the next.
	clients map[int]*ftp.Client
}

// client returns the kept pool of conns connections, or nil. sh may be
// nil (not in the shell).
func (sh *shell) client(conns int) *ftp.Client {
	if sh == nil {
		return nil
	}
	return sh.clients[conns]
}

func (sh *shell) keepClient(conns int, c *ftp.Client) {
	if sh.clients == nil {
		sh.clients = map[int]*ftp.Client{}
	}
	sh.clients[conns] = c
}

// keeps reports whether c is one of the shell's pools.
func (sh *shell) keeps(c *ftp.Client) bool {
	if sh == nil {
		return false
	}
	for _, k := range sh.clients {
		if k == c {
			return true
		}
	}
	return false
}

// errQuit ends the shell.
var errQuit = errors.New("quit")

// run logs in, then reads one command per line, from the terminal with
// line editing or from a pipe. A failing command is reported and the
// session goes on; the exit status is that of the last failure, 0 if none.
func (cmd *shellCmd) run(ctx context.Context, a *app) error {
	loc, err := a.parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	sh := &shell{a: a, base: loc}
	sh.s = a.newSession(loc, 0)
	sh.s.shared = true
	defer func() {
		sh.s.shared = false
		sh.s.close()
		for _, c := range sh.clients {
			c.Close()
		}
	}()
	a.sh = sh
	defer func() { a.sh = nil }()
	// Log in at once, so that a refused login ends the shell with its own
	// status instead of failing every command.
	err = sh.s.do(ctx, func(c *ftp.Conn, _ int) error {
		if loc.Path != "" {
			if err := c.ChangeDir(ctx, loc.Path); err != nil {
				return &opError{Op: "cd", Path: loc.Path, Err: err}
			}
		}
		dir, err := c.CurrentDir(ctx)
		sh.s.cwd = dir
		return err
	})
	if err != nil {
		return err
	}
	if f, ok := a.stdin.(*os.File); ok && a.stdinTTY && a.stdoutTTY {
		return sh.interactive(ctx, f)
	}
	return sh.script(ctx)
}

// script runs the lines of standard input, without prompt or editing.
// Lines are read in a goroutine so that Ctrl-C is seen at once.
func (sh *shell) script(ctx context.Context) error {
	a := sh.a
	lines := make(chan string)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(a.stdin)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-done:
				return
			}
		}
		readErr <- sc.Err()
	}()
	last := ExitOK
	for {
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return ctx.Err()
		case line, ok = <-lines:
		}
		if !ok {
			if err := <-readErr; err != nil {
				return &localError{Op: "read", Path: "standard input", Err: err}
			}
			break
		}
		err := sh.exec(ctx, line)
		if errors.Is(err, errQuit) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			last = a.fail(err)
		}
	}
	if last != ExitOK {
		return &statusError{code: last}
	}
	return nil
}

// exec runs one line: "!command" in the local shell, or a command of the
// shell's grammar.
func (sh *shell) exec(ctx context.Context, line string) error {
	trimmed := strings.TrimSpace(line)
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return nil
	}
	if rest, ok := strings.CutPrefix(trimmed, "!"); ok {
		return sh.system(ctx, rest)
	}
	args, err := splitWords(trimmed)
	if err != nil {
		return err
	}
	if !slices.Contains(sh.commandNames(), args[0]) {
		return usageErrorf("unknown command %q (type help)", args[0])
	}
	var g shellGrammar
	parser, err := sh.parser(&g)
	if err != nil {
		return err
	}
	kctx, err := parseArgs(parser, args)
	if err != nil {
		var ep exitPanic
		if errors.As(err, &ep) {
			return nil // help was printed
		}
		return usageErrorf("%s: %v (type help %s)", args[0], err, args[0])
	}
	runner, ok := kctx.Selected().Target.Addr().Interface().(command)
	if !ok {
		return usageErrorf("no command given (type help)")
	}
	return runner.run(ctx, sh.a)
}

// parser builds the kong parser for one line into g.
func (sh *shell) parser(g *shellGrammar) (*kong.Kong, error) {
	return kong.New(g,
		kong.Name(""),
		kong.Writers(sh.a.stdout, sh.a.stderr),
		kong.Exit(func(code int) { panic(exitPanic{code}) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, NoAppSummary: true}),
	)
}

// commandNames lists the shell's commands and aliases, for help and Tab.
func (sh *shell) commandNames() []string {
	var g shellGrammar
	p, err := sh.parser(&g)
	if err != nil {
		return nil
	}
	var names []string
	for _, n := range p.Model.Children {
		names = append(names, n.Name)
		names = append(names, n.Aliases...)
	}
	return names
}

// system runs a command line in the local shell, on the terminal.
func (sh *shell) system(ctx context.Context, line string) error {
	if strings.TrimSpace(line) == "" {
		return usageErrorf("!: give a command to run")
	}
	shellPath := sh.a.getenv("SHELL")
	if shellPath == "" {
		shellPath = "/bin/sh"
	}
	c := exec.CommandContext(ctx, shellPath, "-c", line)
	c.Stdin, c.Stdout, c.Stderr = sh.a.stdin, sh.a.stdout, underlying(sh.a.stderr)
	if err := c.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return &statusError{code: ee.ExitCode()}
		}
		return &localError{Op: "run", Path: shellPath, Err: err}
	}
	return nil
}

// noteListing keeps the names of a listing of dir for Tab completion.
func (sh *shell) noteListing(dir string, entries []listing.Entry) {
	sh.lastDir = sh.absolute(dir)
	sh.lastNames = sh.lastNames[:0]
	for _, e := range entries {
		name := e.Name
		if e.Type == listing.Dir {
			name += "/"
		}
		sh.lastNames = append(sh.lastNames, name)
	}
}

// absolute resolves a remote path against the working directory.
func (sh *shell) absolute(p string) string {
	switch {
	case strings.HasPrefix(p, "/"):
		return p
	case p == "" || p == ".":
		return sh.s.cwd
	}
	return strings.TrimSuffix(sh.s.cwd, "/") + "/" + p
}

// prompt shows the server and the remote directory.
func (sh *shell) prompt() string {
	dir := sh.s.cwd
	if dir == "" {
		dir = "~"
	}
	return fmt.Sprintf("ferry %s:%s> ", sh.base.Host, printable(dir))
}

// splitWords splits a shell line into words: blanks separate them,
// double or single quotes group them, and a backslash escapes the next
// character outside single quotes.
func splitWords(line string) ([]string, error) {
	var words []string
	var b strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != '\'' && c == '\\' && i+1 < len(line):
			i++
			b.WriteByte(line[i])
			inWord = true
		case quote != 0:
			b.WriteByte(c)
		case c == '"' || c == '\'':
			quote = c
			inWord = true
		case c == ' ' || c == '\t' || c == '\r':
			if inWord {
				words = append(words, b.String())
				b.Reset()
				inWord = false
			}
		default:
			b.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, usageErrorf("unterminated %c quote", quote)
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}
