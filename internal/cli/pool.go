package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/transfer"
)

// openClient returns a pooled client for loc with up to conns
// connections. The first connection is made at once, so that a failure to
// connect or log in is reported as such (with the diagnosis of a plain
// connect to an implicit-TLS port) before any transfer starts.
//
// In the shell, a client for the shell's server is kept for the next
// commands (one per number of connections), so that a get does not log in
// again; closeClient leaves it open.
func (a *app) openClient(ctx context.Context, loc *Location, conns int) (*ftp.Client, error) {
	return a.openWarmClient(ctx, loc, conns, false)
}

// openWarmClient is openClient for work that will use all conns
// connections at once: with warm, the others are dialled beside the first
// and log in as soon as it has (the Client lets one login through before
// the rest, so that a wrong password is tried once), instead of after it.
// Not in the shell, whose clients outlive the command.
func (a *app) openWarmClient(ctx context.Context, loc *Location, conns int, warm bool) (*ftp.Client, error) {
	shared := a.sh != nil && sameServer(loc, a.sh.base)
	if c := a.sh.client(conns); shared && c != nil {
		return c, nil
	}
	n := 0
	if warm && !shared {
		n = conns - 1
	}
	c, err := a.newClient(ctx, loc, conns, n)
	if err == nil && shared {
		a.sh.keepClient(conns, c)
	}
	return c, err
}

// closeClient closes a client openClient returned, unless the shell keeps
// it.
func (a *app) closeClient(c *ftp.Client) {
	if !a.sh.keeps(c) {
		a.warming.end(c)
		c.Close()
	}
}

// warmups are the logins of connections made ahead of the work, by
// client, until the client is closed.
type warmups struct {
	mu   sync.Mutex
	stop map[*ftp.Client]func()
}

// loggedIn is how one of the connections of warmups.start came out.
type loggedIn struct {
	tls bool // the connection is encrypted
	err error
}

// start borrows n connections of c at once, giving each back as soon as
// it has it, and says how each came out.
func (w *warmups) start(ctx context.Context, c *ftp.Client, n int) <-chan loggedIn {
	out := make(chan loggedIn, n)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, release, err := c.Conn(ctx)
			if err != nil {
				out <- loggedIn{err: err}
				return
			}
			_, tlsOn := conn.TLSConnectionState()
			release()
			out <- loggedIn{tls: tlsOn}
		}()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stop == nil {
		w.stop = map[*ftp.Client]func(){}
	}
	w.stop[c] = func() {
		cancel()
		wg.Wait()
	}
	return out
}

// end abandons the logins still under way for c, and waits for them.
func (w *warmups) end(c *ftp.Client) {
	w.mu.Lock()
	stop := w.stop[c]
	delete(w.stop, c)
	w.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// newClient makes the client openClient returns, warming warm more
// connections beside the first.
func (a *app) newClient(ctx context.Context, loc *Location, conns, warm int) (*ftp.Client, error) {
	d, err := a.dialer(loc, 0)
	if err != nil {
		return nil, err
	}
	creds, err := a.credentials(ctx, loc)
	if err != nil {
		return nil, err
	}
	addr := a.addr(loc)
	c := &ftp.Client{
		Addr: addr, User: creds.user, Password: creds.password, Account: creds.account,
		Dialer: *d, MaxConns: conns,
	}
	a.trace.note("connecting to %s (%s)", addr, d.TLS)
	// The first connection to log in says whether the login works (the
	// Client lets one through before the others, which learn its
	// refusal); the command goes on once one has.
	logins := a.warming.start(ctx, c, warm+1)
	var tlsOn bool
	err = watchImplicit(ctx, d, addr, func(ctx context.Context) error {
		var first error
		for range warm + 1 {
			select {
			case r := <-logins:
				if r.err == nil {
					tlsOn = r.tls
					return nil
				}
				first = cmp.Or(first, r.err)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return first
	})
	if err != nil {
		a.warming.end(c)
		c.Close()
		var ie *implicitTLSError
		if errors.As(err, &ie) || errors.Is(err, context.Canceled) {
			return nil, err
		}
		var fe *ftp.Error
		if errors.As(err, &fe) && !errors.Is(err, ftp.ErrBroken) {
			return nil, &loginError{User: creds.user, Err: err}
		}
		// Ask again the careful way, for a diagnosis in one clause.
		if conn, derr := a.connect(ctx, d, addr); derr == nil {
			conn.Close()
			return nil, connectError(addr, err)
		} else {
			return nil, derr
		}
	}
	if d.TLS == ftp.TLSAuto && !tlsOn {
		a.creds.mu.Lock()
		first := !a.creds.plainNoted
		a.creds.plainNoted = true
		a.creds.mu.Unlock()
		if first {
			a.chatter("ferry: note: %s refused AUTH TLS; going on without encryption (--tls none skips the attempt, --tls explicit requires TLS)", addr)
		}
	}
	return c, nil
}

// copier is the transfer policy the command line asks for.
func (a *app) copier(c *ftp.Client, parallel int, p transfer.Progress) *transfer.Copier {
	return &transfer.Copier{
		Client:   c,
		Retry:    transfer.Retry{Attempts: a.g.Retries + 1, Min: 300 * time.Millisecond, Max: 5 * time.Second},
		Parallel: parallel,
		Progress: p,
	}
}

// traced returns ctx with the hooks that note retries and, with -d, each
// file's start, progress (at most once a second) and end in the trace.
func (a *app) traced(ctx context.Context) context.Context {
	t := &ftp.Trace{Retrying: func(_ context.Context, info ftp.RetryInfo) {
		a.trace.note("retrying in %v after: %s", info.Wait.Round(time.Millisecond), a.creds.scrub(Message(info.Err)))
	}}
	if a.trace != nil {
		t.FileStarted = func(_ context.Context, info ftp.FileStartInfo) {
			a.trace.note("%s %s: started%s", info.Op, info.Remote, fileFigures(info.Size, info.Resumed))
		}
		t.FileProgress = func(_ context.Context, info ftp.FileProgressInfo) {
			eta := ""
			if info.ETA >= 0 {
				eta = fmt.Sprintf(", %v to go", info.ETA.Round(time.Second))
			}
			a.trace.note("%s %s: %d of %s bytes, %s/s%s", info.Op, info.Remote, info.Bytes, sizeOrUnknown(info.Size), size(int64(info.Rate)), eta)
		}
		t.FileDone = func(_ context.Context, info ftp.FileDoneInfo) {
			how := ""
			switch {
			case info.Err != nil:
				a.trace.note("%s %s: failed after %d bytes in %v: %s", info.Op, info.Remote, info.Transferred, info.Duration.Round(time.Millisecond), a.creds.scrub(Message(info.Err)))
				return
			case info.Unchanged:
				how = ", already in place"
			case info.Checksum != "":
				how = ", verified by size and " + info.Checksum
			default:
				how = ", verified by size"
			}
			if info.Restarted {
				how += ", sent again from the start (the server resumes no upload)"
			}
			a.trace.note("%s %s: done, %d bytes moved in %v%s%s", info.Op, info.Remote, info.Transferred, info.Duration.Round(time.Millisecond), fileFigures(info.Size, info.Resumed), how)
		}
	}
	return ftp.WithTrace(ctx, t)
}

// fileFigures is ", SIZE bytes" and what was resumed, for the trace.
func fileFigures(size, resumed int64) string {
	s := ""
	if size >= 0 {
		s = fmt.Sprintf(", %d bytes", size)
	}
	if resumed > 0 {
		s += fmt.Sprintf(", %d already in place", resumed)
	}
	return s
}

func sizeOrUnknown(n int64) string {
	if n < 0 {
		return "?"
	}
	return fmt.Sprint(n)
}

// transferASCII adapts loc for the shell (see inShell) and reports
// whether its files go in ASCII: the shell's ascii mode, or ;type=a.
func (a *app) transferASCII(loc *Location) bool {
	return a.inShell(loc) || loc.Type == 'a'
}

// errASCIIResume refuses -c for an ASCII transfer.
func errASCIIResume(op string) error {
	return usageErrorf("%s -c cannot resume an ASCII transfer (;type=a, or the shell's ascii): line ends change the sizes and offsets", op)
}

// inShell adapts loc for a Client when the command runs in the shell: the
// Client's connections do not share the shell's working directory, so a
// relative path is resolved against it. It reports whether the shell's
// session is in ASCII mode, which only that session does.
func (a *app) inShell(loc *Location) (ascii bool) {
	if a.sh == nil || !sameServer(loc, a.sh.base) {
		return false
	}
	if a.sh.s.cwd != "" && !strings.HasPrefix(loc.Path, "/") {
		loc.Path = a.sh.absolute(loc.Path)
	}
	return a.sh.s.ascii
}
