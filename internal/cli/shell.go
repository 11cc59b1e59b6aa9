package cli

import (
	"bufio"
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ferryftp/ftp"
)

type shellCmd struct {
	URL string `arg:"" name:"URL" help:"Server, and the directory to start in."`
}

// shellHelp lists the shell's commands.
const shellHelp = `commands:
  cd DIR             pwd                  ls [-l] [-a] [DIR]     nlst [DIR]
  get REMOTE [LOCAL] put LOCAL [REMOTE]   cat REMOTE
  rm [-r] PATH       mkdir [-p] DIR       rmdir DIR              mv FROM TO
  stat PATH          hash [-a ALGO] PATH  quote CMD [ARGS...]
  active             passive              ascii                  binary
  help               quit`

// run reads one command per line, from the terminal with a prompt or
// from a pipe. A failing command is reported and the session goes on;
// the exit status is that of the last failure, 0 if none.
func (cmd *shellCmd) run(ctx context.Context, a *app) error {
	loc, err := parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	s := a.newSession(loc, 0)
	defer s.close()
	// Log in at once, so that a refused login ends the shell with its
	// own status instead of failing every command.
	err = s.do(ctx, func(c *ftp.Conn, _ int) error {
		if loc.Path == "" {
			return nil
		}
		if err := c.ChangeDir(ctx, loc.Path); err != nil {
			return &opError{Op: "cd", Path: loc.Path, Err: err}
		}
		dir, err := c.CurrentDir(ctx)
		s.cwd = dir
		return err
	})
	if err != nil {
		return err
	}
	// Lines are read in a goroutine so that Ctrl-C at the prompt is seen
	// at once; done releases it when the session ends first.
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
	sh := &shell{a: a, s: s}
	last := ExitOK
	for {
		if a.stdinTTY {
			fmt.Fprint(a.stdout, "ferry> ")
		}
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
		args, err := splitWords(line)
		if err == nil && (len(args) == 0 || strings.HasPrefix(args[0], "#")) {
			continue
		}
		if err == nil {
			if q := strings.ToLower(args[0]); q == "quit" || q == "exit" || q == "bye" {
				break
			}
			err = sh.exec(ctx, args)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fmt.Fprintf(a.stderr, "ferry: %s\n", a.creds.scrub(Message(err)))
			last = ExitCode(err)
		}
	}
	if a.stdinTTY {
		fmt.Fprintln(a.stdout)
	}
	if last != ExitOK {
		return &statusError{code: last}
	}
	return nil
}

// shell runs the commands of one shell session.
type shell struct {
	a *app
	s *session
}

// flags splits leading "-x" options off args; allowed lists the letters
// accepted. "-a NAME" style options with a value are handled by callers.
func flags(args []string, allowed string) (map[byte]bool, []string, error) {
	set := map[byte]bool{}
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' {
		if args[0] == "--" {
			return set, args[1:], nil
		}
		for i := 1; i < len(args[0]); i++ {
			c := args[0][i]
			if strings.IndexByte(allowed, c) < 0 {
				return nil, nil, usageErrorf("unknown option -%c", c)
			}
			set[c] = true
		}
		args = args[1:]
	}
	return set, args, nil
}

func nargs(name string, args []string, min, max int) error {
	if len(args) < min || len(args) > max {
		return usageErrorf("%s: wrong number of arguments (type help)", name)
	}
	return nil
}

// exec runs one command line of the shell.
func (sh *shell) exec(ctx context.Context, argv []string) error {
	a, s := sh.a, sh.s
	name, args := strings.ToLower(argv[0]), argv[1:]
	simple := func(op, p string, fn func(c *ftp.Conn) error) error {
		if err := s.do(ctx, func(c *ftp.Conn, _ int) error { return fn(c) }); err != nil {
			return &opError{Op: op, Path: p, Err: err}
		}
		return nil
	}
	switch name {
	case "help", "?":
		fmt.Fprintln(a.stdout, shellHelp)
		return nil
	case "cd":
		if err := nargs(name, args, 1, 1); err != nil {
			return err
		}
		return simple("cd", args[0], func(c *ftp.Conn) error {
			if err := c.ChangeDir(ctx, args[0]); err != nil {
				return err
			}
			dir, err := c.CurrentDir(ctx)
			s.cwd = dir
			return err
		})
	case "pwd":
		return simple("pwd", "", func(c *ftp.Conn) error {
			dir, err := c.CurrentDir(ctx)
			if err == nil {
				fmt.Fprintln(a.stdout, printable(dir))
			}
			return err
		})
	case "ls", "dir":
		opts, rest, err := flags(args, "la")
		if err != nil {
			return err
		}
		if err := nargs(name, rest, 0, 1); err != nil {
			return err
		}
		dir := ""
		if len(rest) == 1 {
			dir = rest[0]
		}
		if s.listHidden != opts['a'] {
			s.listHidden = opts['a']
			s.drop() // LIST -a is a dial-time setting
		}
		entries, err := s.readDir(ctx, dir)
		if perr := a.printEntries(entries, opts['l'], opts['a']); perr != nil {
			return perr
		}
		if err != nil {
			return &opError{Op: "ls", Path: displayPath(dir), Err: err}
		}
		return nil
	case "nlst":
		if err := nargs(name, args, 0, 1); err != nil {
			return err
		}
		dir := ""
		if len(args) == 1 {
			dir = args[0]
		}
		return simple("nlst", displayPath(dir), func(c *ftp.Conn) error {
			names, err := c.NameList(ctx, dir)
			for _, n := range names {
				fmt.Fprintln(a.stdout, printable(n))
			}
			return err
		})
	case "get", "cat":
		max := 2
		if name == "cat" {
			max = 1
		}
		opts, rest, err := flags(args, "c")
		if err != nil {
			return err
		}
		if err := nargs(name, rest, 1, max); err != nil {
			return err
		}
		local := remoteBase(rest[0])
		if name == "cat" {
			local = "-"
		} else if len(rest) == 2 {
			local = rest[1]
			if local != "-" && (strings.HasSuffix(local, "/") || isDir(local)) {
				local = filepath.Join(local, remoteBase(rest[0]))
			}
		}
		f := fetch{remote: rest[0], local: local, lfs: osFS{}, out: a.stdout, resume: opts['c'] && local != "-", size: -1}
		pr := a.newProgress(false, 0)
		err = s.download(ctx, f, pr)
		pr.wait()
		if err != nil {
			return &opError{Op: "get", Path: rest[0], Err: err}
		}
		return nil
	case "put":
		opts, rest, err := flags(args, "c")
		if err != nil {
			return err
		}
		if err := nargs(name, rest, 1, 2); err != nil {
			return err
		}
		remote := filepath.Base(rest[0])
		if len(rest) == 2 {
			remote = rest[1]
		} else if rest[0] == "-" {
			return usageErrorf("put -: give a remote name")
		}
		u := send{local: rest[0], lfs: osFS{}, in: a.stdin, remote: remote, resume: opts['c']}
		pr := a.newProgress(false, 0)
		err = s.upload(ctx, u, pr)
		pr.wait()
		if err != nil {
			return &opError{Op: "put", Path: remote, Err: err}
		}
		return nil
	case "rm", "delete":
		opts, rest, err := flags(args, "r")
		if err != nil {
			return err
		}
		if err := nargs(name, rest, 1, 1); err != nil {
			return err
		}
		return s.remove(ctx, rest[0], opts['r'])
	case "mkdir":
		opts, rest, err := flags(args, "p")
		if err != nil {
			return err
		}
		if err := nargs(name, rest, 1, 1); err != nil {
			return err
		}
		if opts['p'] {
			return s.mkdirAll(ctx, rest[0])
		}
		return simple("mkdir", rest[0], func(c *ftp.Conn) error {
			_, err := c.MakeDir(ctx, rest[0])
			return err
		})
	case "rmdir":
		if err := nargs(name, args, 1, 1); err != nil {
			return err
		}
		return simple("rmdir", args[0], func(c *ftp.Conn) error { return c.RemoveDir(ctx, args[0]) })
	case "mv", "rename":
		if err := nargs(name, args, 2, 2); err != nil {
			return err
		}
		return simple("mv", args[0], func(c *ftp.Conn) error { return c.Rename(ctx, args[0], args[1]) })
	case "stat":
		if err := nargs(name, args, 1, 1); err != nil {
			return err
		}
		e, err := s.stat(ctx, args[0])
		if err != nil {
			return &opError{Op: "stat", Path: args[0], Err: err}
		}
		return a.printStat(a.stdout, args[0], e)
	case "hash":
		algo := ""
		if len(args) >= 2 && (args[0] == "-a" || args[0] == "--algo") {
			algo, args = args[1], args[2:]
		}
		algo, err := hashAlgo(algo)
		if err != nil {
			return err
		}
		if err := nargs(name, args, 1, 1); err != nil {
			return err
		}
		res, err := s.hash(ctx, args[0], algo)
		if err != nil {
			return &opError{Op: "hash", Path: args[0], Err: err}
		}
		return a.printHash(res)
	case "quote":
		if len(args) == 0 {
			return usageErrorf("quote: give a command")
		}
		line := strings.Join(args, " ")
		var r *ftp.Reply
		if err := simple("quote", strings.ToUpper(args[0]), func(c *ftp.Conn) error {
			var err error
			r, err = c.Cmd(ctx, line)
			return err
		}); err != nil {
			return err
		}
		return a.printReply(line, r)
	case "active", "passive":
		on := name == "active"
		s.active = &on
		s.drop() // the mode is a connection setting: reconnect on next use
		fmt.Fprintf(a.stdout, "%s mode\n", name)
		return nil
	case "ascii", "binary":
		s.setASCII(name == "ascii")
		fmt.Fprintf(a.stdout, "%s transfers\n", name)
		return nil
	}
	return usageErrorf("unknown command %q (type help)", argv[0])
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
