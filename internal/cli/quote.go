package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferryftp/ftp"
)

type quoteCmd struct {
	Args []string `arg:"" name:"URL CMD [ARGS]" help:"Server (its path, if any, becomes the working directory first; in the shell, leave it out), the command verb, such as SITE or NOOP, and its arguments."`
}

func (cmd *quoteCmd) run(ctx context.Context, a *app) error {
	url, args := "", cmd.Args
	if a.sh == nil || IsURL(args[0]) {
		url, args = args[0], args[1:]
	}
	if len(args) == 0 {
		return usageErrorf("quote: give a command after the URL")
	}
	loc, err := a.parseRemote(url)
	if err != nil {
		return err
	}
	verb := args[0]
	line := strings.Join(args, " ")
	if strings.ContainsAny(line, "\r\n\x00") {
		return usageErrorf("the command contains CR, LF or NUL")
	}
	s := a.newSession(loc, 0)
	defer s.close()
	var reply *ftp.Reply
	err = s.do(ctx, func(c *ftp.Conn, _ int) error {
		if loc.Path != "" {
			if err := c.ChangeDir(ctx, loc.Path); err != nil {
				return err
			}
		}
		var err error
		reply, err = c.Cmd(ctx, line)
		return err
	})
	if err != nil {
		return &opError{Op: "quote", Path: strings.ToUpper(verb), Err: err}
	}
	return a.printReply(line, reply)
}

// printReply prints a raw reply on stdout; a refusal also sets the exit
// status, as any other refusal would.
func (a *app) printReply(line string, r *ftp.Reply) error {
	if _, err := fmt.Fprintln(a.stdout, a.creds.scrub(r.String())); err != nil {
		return &localError{Op: "write", Path: "standard output", Err: err}
	}
	if r.Code >= 400 {
		verb, _, _ := strings.Cut(line, " ")
		return &opError{Op: "quote", Path: strings.ToUpper(verb), Err: &ftp.Error{Code: r.Code, Msg: r.Message(), Cmd: verb}}
	}
	return nil
}
