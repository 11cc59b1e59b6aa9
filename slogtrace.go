package ftp

import (
	"context"
	"crypto/tls"
	"log/slog"
)

// LevelTrace is the slog level of the raw protocol trace: every line sent
// and received, below slog.LevelDebug where commands and replies are logged
// (ftplib's debug levels 2 and 1).
const LevelTrace = slog.LevelDebug - 4

// SlogTrace returns a Trace that logs to l, with the context of each call:
// commands ("ftp command"), replies ("ftp reply"), TLS handshakes, data
// connections, transfers, fallbacks, the pool's events, retries and the
// files of package transfer ("ftp file start", "ftp file progress" at most
// once a second per file, "ftp file done") at slog.LevelDebug, and raw
// lines ("ftp send", "ftp recv") at LevelTrace. It is what Dialer.Logger
// installs; retries and files are logged when it is attached to the
// call's context with WithTrace. A nil l gives a nil Trace.
func SlogTrace(l *slog.Logger) *Trace {
	if l == nil {
		return nil
	}
	debug := func(ctx context.Context, msg string, attrs ...slog.Attr) {
		if l.Enabled(ctx, slog.LevelDebug) {
			l.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
		}
	}
	withErr := func(attrs []slog.Attr, err error) []slog.Attr {
		if err != nil {
			attrs = append(attrs, slog.String("err", err.Error()))
		}
		return attrs
	}
	return &Trace{
		CommandSent: func(ctx context.Context, info CommandInfo) {
			debug(ctx, "ftp command", withErr([]slog.Attr{slog.String("cmd", info.Line)}, info.Err)...)
		},
		ReplyReceived: func(ctx context.Context, info ReplyInfo) {
			debug(ctx, "ftp reply", slog.Int("code", info.Code), slog.String("msg", info.Message))
		},
		LineSent: func(ctx context.Context, line string) {
			l.LogAttrs(ctx, LevelTrace, "ftp send", slog.String("line", line))
		},
		LineReceived: func(ctx context.Context, line string) {
			l.LogAttrs(ctx, LevelTrace, "ftp recv", slog.String("line", line))
		},
		TLSHandshakeDone: func(ctx context.Context, st tls.ConnectionState, err error) {
			debug(ctx, "ftp control connection TLS", withErr(tlsAttrs(&st), err)...)
		},
		DataConnDone: func(ctx context.Context, info DataConnInfo) {
			mode := "active"
			if info.Passive {
				mode = "passive"
			}
			attrs := []slog.Attr{slog.String("cmd", info.Command), slog.String("addr", info.Addr), slog.String("mode", mode)}
			if info.TLS != nil {
				attrs = append(attrs, tlsAttrs(info.TLS)...)
			}
			debug(ctx, "ftp data connection", withErr(attrs, info.Err)...)
		},
		TransferDone: func(ctx context.Context, info TransferInfo) {
			debug(ctx, "ftp transfer", withErr([]slog.Attr{
				slog.String("cmd", info.Command), slog.String("path", info.Path),
				slog.Int64("offset", info.Offset), slog.Int64("bytes", info.Bytes),
				slog.Duration("duration", info.Duration), slog.Int("code", info.Code),
			}, info.Err)...)
		},
		Fallback: func(ctx context.Context, info FallbackInfo) {
			debug(ctx, "ftp fallback", withErr([]slog.Attr{
				slog.String("from", info.From), slog.String("to", info.To), slog.Bool("remembered", info.Remembered),
			}, info.Reason)...)
		},
		PoolDialed: func(ctx context.Context, info PoolDialInfo) {
			debug(ctx, "ftp pool dial", withErr([]slog.Attr{
				slog.String("addr", info.Addr), slog.Duration("duration", info.Duration),
			}, info.Err)...)
		},
		PoolGot: func(ctx context.Context, info PoolGotInfo) {
			debug(ctx, "ftp pool got", slog.Bool("reused", info.Reused), slog.Duration("wait", info.Wait),
				slog.Int("open", info.Open), slog.Int("limit", info.Limit))
		},
		PoolDiscarded: func(ctx context.Context, info PoolDiscardInfo) {
			debug(ctx, "ftp pool discard", withErr([]slog.Attr{slog.Int("open", info.Open)}, info.Reason)...)
		},
		PoolLimitChanged: func(ctx context.Context, info PoolLimitInfo) {
			debug(ctx, "ftp pool limit", withErr([]slog.Attr{
				slog.Int("limit", info.Limit), slog.Int("max", info.MaxConns),
			}, info.Reason)...)
		},
		Retrying: func(ctx context.Context, info RetryInfo) {
			debug(ctx, "ftp retry", withErr([]slog.Attr{
				slog.Int("attempt", info.Attempt), slog.Duration("wait", info.Wait),
			}, info.Err)...)
		},
		FileStarted: func(ctx context.Context, info FileStartInfo) {
			debug(ctx, "ftp file start",
				slog.String("op", info.Op), slog.String("remote", info.Remote), slog.String("local", info.Local),
				slog.Int64("size", info.Size), slog.Int64("resumed", info.Resumed))
		},
		FileProgress: func(ctx context.Context, info FileProgressInfo) {
			debug(ctx, "ftp file progress",
				slog.String("op", info.Op), slog.String("remote", info.Remote),
				slog.Int64("bytes", info.Bytes), slog.Int64("size", info.Size),
				slog.Float64("rate", info.Rate), slog.Duration("eta", info.ETA))
		},
		FileDone: func(ctx context.Context, info FileDoneInfo) {
			attrs := []slog.Attr{
				slog.String("op", info.Op), slog.String("remote", info.Remote), slog.String("local", info.Local),
				slog.Int64("size", info.Size), slog.Int64("transferred", info.Transferred),
				slog.Int64("resumed", info.Resumed), slog.Duration("duration", info.Duration),
			}
			if info.Checksum != "" {
				attrs = append(attrs, slog.String("checksum", info.Checksum))
			}
			if info.Restarted {
				attrs = append(attrs, slog.Bool("restarted", true))
			}
			if info.Unchanged {
				attrs = append(attrs, slog.Bool("unchanged", true))
			}
			debug(ctx, "ftp file done", withErr(attrs, info.Err)...)
		},
	}
}

func tlsAttrs(st *tls.ConnectionState) []slog.Attr {
	if st.Version == 0 {
		return nil
	}
	return []slog.Attr{
		slog.String("version", tls.VersionName(st.Version)),
		slog.String("cipher", tls.CipherSuiteName(st.CipherSuite)),
		slog.Bool("resumed", st.DidResume),
	}
}
