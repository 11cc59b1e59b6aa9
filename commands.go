package ftp

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// ChangeDir changes the working directory (CWD). ".." is sent as CDUP,
// falling back to "CWD .." when the server does not know CDUP (500, 502);
// an empty dir means ".".
func (c *Conn) ChangeDir(ctx context.Context, dir string) error {
	c.dirty = true
	if dir == ".." {
		_, err := c.cmd(ctx, 2, "CDUP")
		if !unsupported(err) {
			return err
		}
	}
	if dir == "" {
		dir = "."
	}
	_, err := c.cmd(ctx, 2, "CWD", dir)
	return err
}

// CurrentDir returns the working directory (PWD).
func (c *Conn) CurrentDir(ctx context.Context) (string, error) {
	r, err := c.cmd(ctx, 2, "PWD")
	if err != nil {
		return "", err
	}
	if r.Code != 257 {
		return "", &UnexpectedReplyError{Cmd: "PWD", Reply: r, Want: "257"}
	}
	p, err := parse257(r)
	if err != nil {
		err.(*ProtocolError).Cmd = "PWD"
	}
	return p, err
}

// MakeDir creates a directory (MKD) and returns its path as the server
// reports it, or dir itself when the server does not say (IIS answers MKD
// with 250 and no path).
func (c *Conn) MakeDir(ctx context.Context, dir string) (string, error) {
	r, err := c.cmd(ctx, 2, "MKD", dir)
	if err != nil {
		return "", err
	}
	if r.Code != 257 {
		return dir, nil
	}
	if p, err := parse257(r); err == nil {
		return p, nil
	}
	return dir, nil
}

// RemoveDir removes an empty directory (RMD).
func (c *Conn) RemoveDir(ctx context.Context, dir string) error {
	_, err := c.cmd(ctx, 2, "RMD", dir)
	return err
}

// Delete removes a file (DELE).
func (c *Conn) Delete(ctx context.Context, path string) error {
	_, err := c.cmd(ctx, 2, "DELE", path)
	return err
}

// Rename renames from to to (RNFR, which must be answered 350, then RNTO).
func (c *Conn) Rename(ctx context.Context, from, to string) error {
	if err := checkArg("RNTO", to); err != nil {
		return err
	}
	if _, err := c.cmd(ctx, 3, "RNFR", from); err != nil {
		return err
	}
	_, err := c.cmd(ctx, 2, "RNTO", to)
	return err
}

// Size returns the size of a file in bytes (SIZE, RFC 3659). TYPE I is sent
// first if needed: in ASCII mode a size depends on line-ending conversion,
// and ProFTPD and pyftpdlib refuse SIZE outright.
func (c *Conn) Size(ctx context.Context, path string) (int64, error) {
	if err := checkArg("SIZE", path); err != nil {
		return 0, err // before TYPE: nothing is sent for a refused path
	}
	if err := c.setType(ctx, "I"); err != nil {
		return 0, err
	}
	r, err := c.cmd(ctx, 2, "SIZE", path)
	if err != nil {
		return 0, err
	}
	if r.Code != 213 {
		return 0, &UnexpectedReplyError{Cmd: "SIZE " + path, Reply: r, Want: "213"}
	}
	n, perr := strconv.ParseInt(strings.TrimSpace(r.Message()), 10, 64)
	if perr != nil || n < 0 {
		return 0, &ProtocolError{Cmd: "SIZE " + path, Msg: "213 reply without a size", Line: clip(r.firstLine())}
	}
	c.sized = sizeNote{path: path, size: n, ok: true}
	return n, nil
}

// sizeNote remembers a SIZE answer so that a download of the same path that
// follows can be checked against it when the server does not announce the
// size in its 150 reply (vsftpd does; ProFTPD, Pure-FTPd and pyftpdlib do
// not).
type sizeNote struct {
	path string
	size int64
	ok   bool
}

// ModTime returns a file's modification time (MDTM, RFC 3659), in UTC, with
// the fraction of a second when the server gives one.
func (c *Conn) ModTime(ctx context.Context, path string) (time.Time, error) {
	r, err := c.cmd(ctx, 2, "MDTM", path)
	if err != nil {
		return time.Time{}, err
	}
	if r.Code != 213 {
		return time.Time{}, &UnexpectedReplyError{Cmd: "MDTM " + path, Reply: r, Want: "213"}
	}
	t, err := parseMDTM(r.Message())
	if err != nil {
		err.(*ProtocolError).Cmd = "MDTM " + path
	}
	return t, err
}

// SetModTime sets a file's modification time (MFMT, draft-somers-ftp-mfxx),
// to the second, in UTC. A server that does not implement MFMT (500, 502,
// 504) gets "SITE UTIME YYYYMMDDhhmmss path" instead, from then on, as
// Pure-FTPd and ProFTPD's mod_site_misc understand it; a refusal about the
// file (550) is returned as it is.
func (c *Conn) SetModTime(ctx context.Context, path string, t time.Time) error {
	ts := t.UTC().Format("20060102150405")
	if !c.noMFMT {
		_, err := c.cmd(ctx, 2, "MFMT", ts, path)
		if !unsupported(err) {
			return err
		}
		c.noMFMT = true
		c.traceFallback(ctx, "MFMT", "SITE UTIME", true, err)
	}
	_, err := c.cmd(ctx, 2, "SITE", "UTIME", ts, path)
	return err
}

// System returns the server's system type (SYST), such as "UNIX Type: L8".
func (c *Conn) System(ctx context.Context) (string, error) {
	r, err := c.cmd(ctx, 2, "SYST")
	if err != nil {
		return "", err
	}
	return r.Message(), nil
}

// NoOp sends NOOP: a keep-alive and a check that the connection works.
func (c *Conn) NoOp(ctx context.Context) error {
	_, err := c.cmd(ctx, 2, "NOOP")
	return err
}

// Status sends STAT, with a path if one is given: the server's status, or a
// listing of the path sent over the control connection.
func (c *Conn) Status(ctx context.Context, path string) (*Reply, error) {
	return c.cmd(ctx, 2, "STAT", path)
}

// Help sends HELP, about one command if cmd is not empty.
func (c *Conn) Help(ctx context.Context, cmd string) (*Reply, error) {
	return c.cmd(ctx, 2, "HELP", cmd)
}

// Site sends a SITE command, such as Site(ctx, "CHMOD 644 f"), and returns
// the reply.
func (c *Conn) Site(ctx context.Context, args string) (*Reply, error) {
	return c.cmd(ctx, 2, "SITE", args)
}

// Host sends HOST (RFC 7151) to pick a virtual host. It must come before
// Login; servers that do not know it answer 500 or 502.
func (c *Conn) Host(ctx context.Context, name string) error {
	_, err := c.cmd(ctx, 2, "HOST", name)
	return err
}

// SetASCII selects ASCII transfers (TYPE A) when on, binary (TYPE I, the
// default) when off, for the transfers that follow. In ASCII mode downloads
// turn CRLF into "\n" and uploads send "\n" as CRLF. TYPE is sent only when
// a transfer needs a different type from the one in force.
func (c *Conn) SetASCII(on bool) { c.ascii = on }

// setType sends TYPE when t differs from the type in force. ftplib sends it
// before every transfer.
func (c *Conn) setType(ctx context.Context, t string) error {
	if c.typ == t {
		return nil
	}
	if _, err := c.cmd(ctx, 2, "TYPE", t); err != nil {
		return err
	}
	c.typ = t
	return nil
}
