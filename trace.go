package ftp

import (
	"context"
	"log/slog"
)

// LevelTrace is the slog level of the raw protocol trace: every line sent
// and received, below slog.LevelDebug where commands and replies are logged
// (ftplib's debug levels 2 and 1).
const LevelTrace = slog.LevelDebug - 4

func (c *Conn) logEnabled(level slog.Level) bool {
	return c.d.Logger != nil && c.d.Logger.Enabled(context.Background(), level)
}

func (c *Conn) traceCmd(line string) {
	if c.logEnabled(slog.LevelDebug) {
		c.d.Logger.Debug("ftp command", "cmd", redact(line))
	}
}

func (c *Conn) traceReply(r *Reply) {
	if c.logEnabled(slog.LevelDebug) {
		c.d.Logger.Debug("ftp reply", "code", r.Code, "msg", r.Message())
	}
}

func (c *Conn) traceSend(line string) {
	if c.logEnabled(LevelTrace) {
		c.d.Logger.Log(context.Background(), LevelTrace, "ftp send", "line", redact(line))
	}
}

func (c *Conn) traceRecv(line string) {
	if c.logEnabled(LevelTrace) {
		c.d.Logger.Log(context.Background(), LevelTrace, "ftp recv", "line", line)
	}
}

// traceData logs a data connection as it opens: where it goes and, under
// TLS, the version and whether the session was resumed (servers such as
// vsftpd refuse data connections that do not resume).
func (c *Conn) traceData(attrs ...any) {
	if c.logEnabled(slog.LevelDebug) {
		c.d.Logger.Debug("ftp data connection", attrs...)
	}
}
