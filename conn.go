package ftp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Conn is one FTP control connection. Its methods must be called from one
// goroutine at a time, except Close, which may be called at any time from
// any goroutine to unblock the others. Every method that talks to the
// server takes a context: cancelling it ends the call promptly.
//
// A Conn never goes out of step with the server. After any failure between
// sending a command and reading its reply (a timeout, a cancelled context,
// a malformed reply, a lost connection), the reply still due is either read
// or the Conn is marked broken, and every later call then fails with an
// error wrapping ErrBroken and the original failure.
type Conn struct {
	d    Dialer // copy, defaults filled in
	host string // the host dialled: the TLS ServerName

	tcp  net.Conn // the TCP connection under any TLS
	conn net.Conn // what replies are read from: tcp, or TLS over it
	rr   *replyReader
	w    *bufio.Writer

	welcome *Reply
	feat    *Features
	typ     string // the TYPE in force: "A", "I", or "" before the first TYPE
	ascii   bool   // transfer type chosen with SetASCII
	noEPSV  bool   // EPSV refused once: use PASV from now on
	noEPRT  bool   // EPRT refused once: use PORT from now on
	noMLSD  bool   // MLSD refused once: ReadDir uses LIST from now on
	noListA bool   // "LIST -a" refused once: plain LIST from now on
	noMLST  bool   // MLST refused once: Client.Stat uses SIZE and listings
	noHASH  bool   // the server lacks HASH: Hash uses XSHA256 and the like
	noMFMT  bool   // the server lacks MFMT: SetModTime uses SITE UTIME
	dirty   bool   // the session's state was changed by hand: a Client does not reuse it
	syst    *string
	sized   sizeNote // the last SIZE answer, checked by a Retrieve of that path

	// Pipelining (pipeline.go).
	batch      bool          // inside RetrieveEach
	pipe       pipeState     // whether the server queues pipelined commands
	queued     string        // a transfer command sent with its EPSV, replies unread
	queuedPath string        // its path
	queuedAt   time.Time     // when it was sent
	rtt        time.Duration // the round trip measured on the last pipelined EPSV

	tls tlsState

	trace   *Trace          // Dialer.Trace with Dialer.Logger's adapter
	sentAt  time.Time       // when the last command was sent, for ReplyInfo.Elapsed
	readCtx context.Context // the context of the reply being read, for LineReceived

	broken error       // why the Conn is out of sync; nil while healthy
	busy   *transfer   // the open transfer whose final reply is still due
	closed atomic.Bool // Close was called

	mu   sync.Mutex // guards data, for Close from another goroutine
	data net.Conn   // the open data connection, if any
}

// Welcome returns the server's greeting (the 220 reply).
func (c *Conn) Welcome() *Reply { return c.welcome }

// usable reports why the Conn cannot take a command, or nil.
func (c *Conn) usable() error {
	switch {
	case c.closed.Load():
		return ErrClosed
	case c.broken != nil:
		return &brokenError{cause: c.broken}
	case c.busy != nil:
		return ErrBusy
	}
	return nil
}

// fail marks the Conn broken by err, closes it and returns err.
func (c *Conn) fail(err error) error {
	if c.broken == nil {
		c.broken = err
	}
	c.closeTransport()
	return err
}

// deadliner is what guard needs: net.Conn and *net.TCPListener have it.
type deadliner interface{ SetDeadline(time.Time) error }

// aLongTimeAgo is a deadline in the past, to make blocked I/O return now.
var aLongTimeAgo = time.Unix(1, 0)

// guard runs fn with conn's deadline set to timeout from now (or the
// context's deadline, if sooner). If ctx is cancelled meanwhile, the
// deadline is moved into the past so that fn returns at once, and the error
// returned wraps ctx.Err().
func guard(ctx context.Context, conn deadliner, timeout time.Duration, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	ctxDeadline := false
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline, ctxDeadline = d, true
	}
	conn.SetDeadline(deadline)
	done := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		conn.SetDeadline(aLongTimeAgo)
		close(done)
	})
	err := fn()
	if !stop() {
		<-done // the deadline was moved: wait so it cannot land on a later call
		if err != nil {
			err = joinErrors(ctx.Err(), err)
		}
	} else if err != nil && ctxDeadline && !time.Now().Before(deadline) {
		// The I/O timed out at the context's deadline, perhaps a moment
		// before the context's own timer marks it done. It is the context
		// that expired: callers check ctx.Err() to decide to abort rather
		// than wait for a final reply the server will not send.
		<-ctx.Done()
		err = joinErrors(ctx.Err(), err)
	}
	conn.SetDeadline(time.Time{})
	return err
}

// send writes one command line. ctx and the reply timeout bound the write.
func (c *Conn) send(ctx context.Context, line string) error {
	err := guard(ctx, c.conn, c.d.ReplyTimeout, func() error {
		c.traceSend(ctx, line)
		c.w.WriteString(line)
		c.w.WriteString("\r\n")
		return c.w.Flush()
	})
	c.traceCmd(ctx, line, err)
	return err
}

// readReply reads one reply. Any failure breaks the Conn: a reply was due
// and was not read, so the next one read could belong to this command.
func (c *Conn) readReply(ctx context.Context, cmd string, timeout time.Duration) (*Reply, error) {
	var r *Reply
	c.readCtx = ctx
	err := guard(ctx, c.conn, timeout, func() error {
		var err error
		r, err = c.rr.read()
		return err
	})
	if err != nil {
		return nil, c.fail(c.wrapErr(cmd, c.plainReply(err)))
	}
	c.traceReply(ctx, cmd, r)
	c.noteClosing(cmd, r)
	return r, nil
}

// noteClosing marks the Conn broken by a reply after which the server
// answers nothing more: 421 (it is closing the connection) or vsftpd's
// "500 OOPS: ..." (its session failed). The call that read the reply gets
// it; later calls fail with it, not with a bare "server closed the
// connection".
func (c *Conn) noteClosing(cmd string, r *Reply) {
	if r.Code == 421 || r.Code == 500 && strings.HasPrefix(r.Message(), "OOPS") {
		c.fail(&Error{Code: r.Code, Msg: r.Message(), Cmd: redact(cmd)})
	}
}

// farewell reads, after a command could not be sent, the reply the server
// may have sent before it closed the connection (421 "Timeout", say), so
// that its text is not lost. It waits only briefly, and returns nil if
// there is none.
func (c *Conn) farewell(cmd string) *Reply {
	var r *Reply
	err := guard(context.Background(), c.conn, 100*time.Millisecond, func() error {
		var err error
		r, err = c.rr.read()
		return err
	})
	if err != nil || r.Class() < 4 {
		return nil
	}
	c.traceReply(context.Background(), cmd, r)
	c.fail(&Error{Code: r.Code, Msg: r.Message(), Cmd: redact(cmd)})
	return r
}

// wrapErr names the command in an I/O or protocol failure.
func (c *Conn) wrapErr(cmd string, err error) error {
	var pe *ProtocolError
	if errors.As(err, &pe) {
		if pe.Cmd == "" {
			pe.Cmd = redact(cmd)
		}
		return pe
	}
	if cmd == "" {
		cmd = "read reply"
	}
	return fmt.Errorf("ftp: %s: %w", redact(cmd), err)
}

// exchange sends line and reads its reply. A failure to send breaks the Conn
// unless nothing was written because ctx was already done.
func (c *Conn) exchange(ctx context.Context, line string) (*Reply, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, c.wrapErr(line, err)
	}
	if err := c.dropQueued(); err != nil {
		return nil, err
	}
	if err := c.send(ctx, line); err != nil {
		if r := c.farewell(line); r != nil {
			return r, nil
		}
		return nil, c.fail(c.wrapErr(line, err))
	}
	return c.readReply(ctx, line, c.d.ReplyTimeout)
}

// cmd sends verb with args and checks that the reply's class is want (1, 2
// or 3; 0 accepts any of them, as login's USER and PASS must). A 4xx or 5xx
// reply is an *Error; another class is an
// *UnexpectedReplyError. Neither breaks the Conn: the exchange is complete.
func (c *Conn) cmd(ctx context.Context, want int, verb string, args ...string) (*Reply, error) {
	line, err := commandLine(verb, args...)
	if err != nil {
		return nil, err
	}
	r, err := c.exchange(ctx, line)
	if err != nil {
		return nil, err
	}
	return r, checkClass(line, r, want)
}

func checkClass(line string, r *Reply, want int) error {
	switch {
	case r.Class() == want, want == 0 && r.Class() < 4:
		return nil
	case r.Class() == 4 || r.Class() == 5:
		return &Error{Code: r.Code, Msg: r.Message(), Cmd: redact(line)}
	default:
		return &UnexpectedReplyError{Cmd: redact(line), Reply: r, Want: fmt.Sprintf("%dxx", want)}
	}
}

// Cmd sends a raw command line and returns the server's reply, whatever its
// code: the escape hatch for commands this package has no method for. The
// error is non-nil only when no reply was read (I/O failure, cancelled
// context, malformed reply) or the line was refused before sending. Check
// Reply.Code yourself.
//
// Commands that open a data connection (RETR, STOR, LIST, ...) cannot be
// sent this way, because their data and second reply would be left unread;
// use the transfer methods.
func (c *Conn) Cmd(ctx context.Context, line string) (*Reply, error) {
	if err := checkArg("command", line); err != nil {
		return nil, err
	}
	verb, _, _ := strings.Cut(line, " ")
	switch strings.ToUpper(verb) {
	case "CWD", "XCWD", "CDUP", "XCUP", "TYPE", "MODE", "STRU", "PROT", "PBSZ", "USER", "PASS", "ACCT", "OPTS":
		c.dirty = true
	case "RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD", "PASV", "EPSV", "PORT", "EPRT", "ABOR", "AUTH", "CCC", "REIN":
		return nil, &ArgumentError{Cmd: verb, Arg: line, Msg: "command needs the client's own handling; use its method"}
	}
	return c.exchange(ctx, line)
}

// Login logs in as user with password. An empty user means "anonymous";
// for anonymous, an empty password or "-" becomes "anonymous@" or
// "-anonymous@" (ftplib's rule). PASS is sent only if USER is answered
// 331/332; a 230 to USER logs in without it. If the server asks for an
// account (332), Login fails; use LoginAccount.
//
// After logging in, Login asks for the server's features (FEAT) and, when
// the server lists UTF8, sends "OPTS UTF8 ON" (RFC 2640) unless
// Dialer.DisableUTF8 is set; refusals of either are ignored.
func (c *Conn) Login(ctx context.Context, user, password string) error {
	return c.LoginAccount(ctx, user, password, "")
}

// LoginAccount is Login for servers that also ask for an account (ACCT,
// reply 332), such as some mainframes. The account is sent only when asked.
func (c *Conn) LoginAccount(ctx context.Context, user, password, account string) error {
	return c.loginAccount(ctx, user, password, account, nil)
}

// loginAccount is LoginAccount, calling accepted (if not nil) as soon as
// the server has accepted the login, before PROT and FEAT.
func (c *Conn) loginAccount(ctx context.Context, user, password, account string, accepted func()) error {
	if user == "" {
		user = "anonymous"
	}
	if user == "anonymous" && (password == "" || password == "-") {
		password += "anonymous@"
	}
	// All three are checked before USER goes out: a bad password found
	// only at PASS would leave a login half done.
	for _, a := range [...][2]string{{"USER", user}, {"PASS", password}, {"ACCT", account}} {
		if err := checkArg(a[0], a[1]); err != nil {
			return err
		}
	}
	r, err := c.cmd(ctx, 0, "USER", user)
	if err != nil {
		return err
	}
	if r.Code == 331 || r.Code == 332 {
		if r, err = c.cmd(ctx, 0, "PASS", password); err != nil {
			return err
		}
	}
	if r.Code == 332 {
		if account == "" {
			return &Error{Code: 332, Msg: r.Message() + " (the server asks for an account: use LoginAccount)", Cmd: "PASS ****"}
		}
		if r, err = c.cmd(ctx, 0, "ACCT", account); err != nil {
			return err
		}
	}
	if err := checkClass("login", r, 2); err != nil {
		return err
	}
	if accepted != nil {
		accepted()
	}
	if c.tls.active {
		if err := c.protectData(ctx); err != nil {
			return err
		}
	}
	return c.negotiate(ctx)
}

// negotiate learns the server's features and turns on UTF-8 where offered.
func (c *Conn) negotiate(ctx context.Context) error {
	f, err := c.features(ctx)
	if err != nil {
		return err
	}
	if f.Has("UTF8") && !c.d.DisableUTF8 {
		if _, err := c.cmd(ctx, 0, "OPTS", "UTF8", "ON"); err != nil && c.broken != nil {
			return err
		}
	}
	return nil
}

// Account sends ACCT with the account information (RFC 959).
func (c *Conn) Account(ctx context.Context, account string) error {
	_, err := c.cmd(ctx, 2, "ACCT", account)
	return err
}

// Quit sends QUIT, reads the reply and closes the connection. The
// connection is closed even when QUIT fails (ftplib leaves it open).
func (c *Conn) Quit(ctx context.Context) error {
	if c.closed.Load() {
		return ErrClosed
	}
	defer c.Close()
	if err := c.usable(); err != nil {
		return err
	}
	_, err := c.cmd(ctx, 2, "QUIT")
	if errors.Is(err, errServerClosed) {
		return nil // the server hung up without 221: it did quit
	}
	return err
}

// Close closes the control connection and any open data connection without
// sending anything. It never blocks, may be called from any goroutine, and
// calls after the first return nil.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.closeTransport()
	return nil
}

func (c *Conn) closeTransport() {
	c.mu.Lock()
	data := c.data
	c.data = nil
	c.mu.Unlock()
	if data != nil {
		data.Close()
	}
	c.tcp.Close()
}

// LocalAddr returns the local address of the control connection.
func (c *Conn) LocalAddr() net.Addr { return c.tcp.LocalAddr() }

// RemoteAddr returns the server's address on the control connection.
func (c *Conn) RemoteAddr() net.Addr { return c.tcp.RemoteAddr() }

var _ io.Closer = (*Conn)(nil)
