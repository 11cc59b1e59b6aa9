// Package ftp is an FTP and FTPS client: one control connection, with raw
// access when needed, that stays correct against real and broken servers.
//
// # Quick start
//
//	c, err := ftp.Dial(ctx, "ftp.example.org")
//	if err != nil { ... }
//	defer c.Quit(ctx)
//	if err := c.Login(ctx, "anonymous", ""); err != nil { ... }
//	d, err := c.Retrieve(ctx, "pub/file.txt")
//	if err != nil { ... }
//	_, err = io.Copy(dst, d) // an incomplete or refused download is an error here
//	d.Close()
//
// For FTPS set Dialer.TLS to TLSExplicit (AUTH TLS) or TLSImplicit; the
// server's certificate is verified unless the caller's Dialer.TLSConfig
// says otherwise, and data connections resume the control connection's TLS
// session, as vsftpd, ProFTPD and FileZilla Server require. TLSAuto uses
// TLS when the server offers it and plain FTP when it refuses AUTH TLS,
// for tools that take any server a user names (check
// Conn.TLSConnectionState to tell the user which it was).
//
// # Behaviour
//
// Every method that talks to the server takes a context; cancelling it ends
// the call promptly, and a transfer in progress is aborted (ABOR). A Conn
// never goes out of step with the server: after a failure between a command
// and its reply, the reply is read or the Conn is marked broken (ErrBroken).
// Replies are bounded (Dialer.MaxLineLength, Dialer.MaxReplySize). Arguments
// containing CR, LF or NUL are refused before anything is sent. Passwords
// and accounts are masked in traces and errors. The address in a PASV reply
// is ignored unless Dialer.TrustPASVAddress is set, and active-mode data
// connections from any host but the server are refused.
//
// Errors are typed: *Error for 4xx/5xx replies (matching fs.ErrNotExist,
// fs.ErrPermission and fs.ErrExist where sound), *UnexpectedReplyError,
// *ProtocolError for malformed replies, *ArgumentError, and IsTransient to
// decide on a retry.
//
// A Conn is for one goroutine at a time; Close may be called from any.
//
// # Tracing
//
// A Trace is a set of typed hooks, as net/http/httptrace's ClientTrace:
// commands sent, replies, raw lines, the control connection's TLS
// handshake, data connections (address, mode, TLS version, cipher suite,
// resumption), finished transfers (command, path, bytes, duration, error),
// fallbacks to older commands, a Client's pool, and from package transfer
// its retries and each file's start, progress and end. Attach one to every
// call with Dialer.Trace, or to one call with WithTrace (which alone
// carries the retry and file hooks, being about calls that use many
// connections); both are called when both are set. SlogTrace (or
// Dialer.Logger) is the adapter that writes the hooks to a *slog.Logger.
// No hook sees a password or account.
//
// # Client: a pool for many goroutines
//
// A Client keeps logged-in connections to one server for any number of
// goroutines, with the verbs of package os (ReadDir, Stat, Open, Create,
// Remove, RemoveAll, Rename, Mkdir, MkdirAll, WalkDir, SetModTime, Hash)
// and Conn to borrow a raw Conn. It adapts to servers that limit
// connections per client, checks and replaces connections the server
// dropped, and retries what can safely be retried. NewClientFromURL and
// ParseURL read ftp:// and ftps:// URLs (RFC 1738). Package
// github.com/ferryftp/ftp/ftpfs presents a Client as an fs.FS.
//
//	c := &ftp.Client{Addr: "ftp.example.org", User: "alice", Password: pw,
//		Dialer: ftp.Dialer{TLS: ftp.TLSExplicit}}
//	defer c.Close()
//	entries, err := c.ReadDir(ctx, "/pub")
//
// # Standards
//
//   - RFC 959: File Transfer Protocol (commands, replies, ABOR with Telnet IP
//     and Synch, STOU, REST)
//   - RFC 1123 section 4.1: host requirements for FTP (PASV, multi-line
//     replies, "150 FILE:" for STOU)
//   - RFC 2228: security extensions (AUTH, PBSZ, PROT, CCC)
//   - RFC 2389: feature negotiation (FEAT, OPTS)
//   - RFC 2428: EPSV and EPRT (IPv6 and NAT)
//   - RFC 2640: internationalisation (OPTS UTF8 ON)
//   - RFC 3659: SIZE, MDTM, REST STREAM, MLST and MLSD
//   - RFC 4217: securing FTP with TLS
//   - RFC 7151: HOST
//   - draft-bryan-ftpext-hash: HASH; draft-somers-ftp-mfxx: MFMT
//
// Directory listings (MLSD facts and LIST output in Unix, DOS/IIS, VMS, MVS,
// OS/400 and other formats) are parsed by package
// github.com/ferryftp/ftp/listing; ReadDir puts the two together.
package ftp
