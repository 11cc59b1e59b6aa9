package cli

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/ferryftp/ftp"
)

// session is one logical connection to a server: it dials and logs in on
// first use, and again after a failure that left the connection unusable.
type session struct {
	a   *app
	loc *Location
	id  int // connection number in the trace; 0 when there is only one

	conn  *ftp.Conn
	ascii bool
	// active overrides --active for this session (the shell's "active" and
	// "passive" commands).
	active *bool
	// cwd is restored after a reconnection (the shell's "cd").
	cwd string
	// listHidden makes LIST include dot files (ls -a).
	listHidden bool
	// shared marks the shell's session, which commands borrow and do not
	// close.
	shared bool
}

func (a *app) newSession(loc *Location, id int) *session {
	if a.sh != nil && id == 0 && sameServer(loc, a.sh.base) {
		return a.sh.s
	}
	return &session{a: a, loc: loc, id: id, ascii: loc.Type == 'a'}
}

// sameServer reports whether two locations log in to the same place.
func sameServer(x, y *Location) bool {
	return x.Scheme == y.Scheme && x.Host == y.Host && x.Port == y.Port && x.User == y.User
}

// setListHidden makes LIST include dot files (ls -a) or not; it is a
// dial-time setting, so a connection with the other one is dropped.
func (s *session) setListHidden(on bool) {
	if s.listHidden != on {
		s.listHidden = on
		s.drop()
	}
}

// get returns the logged-in connection, dialling if needed.
func (s *session) get(ctx context.Context) (*ftp.Conn, error) {
	if s.conn != nil {
		return s.conn, nil
	}
	d, err := s.a.dialer(s.loc, s.id)
	if err != nil {
		return nil, err
	}
	if s.active != nil {
		d.Active = *s.active
	}
	d.ListHidden = s.listHidden
	creds, err := s.a.credentials(ctx, s.loc)
	if err != nil {
		return nil, err
	}
	addr := s.a.addr(s.loc)
	s.a.trace.note("connecting to %s (%s)", addr, d.TLS)
	c, err := s.a.connect(ctx, d, addr)
	if err != nil {
		return nil, err
	}
	if creds.account != "" {
		err = c.LoginAccount(ctx, creds.user, creds.password, creds.account)
	} else {
		err = c.Login(ctx, creds.user, creds.password)
	}
	if err != nil {
		c.Close()
		return nil, &loginError{User: creds.user, Err: err}
	}
	c.SetASCII(s.ascii)
	if s.cwd != "" {
		if err := c.ChangeDir(ctx, s.cwd); err != nil {
			c.Close()
			return nil, &opError{Op: "cd", Path: s.cwd, Err: err}
		}
	}
	s.conn = c
	return c, nil
}

// drop closes the connection without a goodbye; the next get redials.
func (s *session) drop() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}

// close ends the session politely (QUIT).
func (s *session) close() {
	if s.conn == nil || s.shared {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	s.conn.Quit(ctx)
	s.conn = nil
}

// setASCII selects the transfer type for this and later connections.
func (s *session) setASCII(on bool) {
	s.ascii = on
	if s.conn != nil {
		s.conn.SetASCII(on)
	}
}

// do runs fn on the connection, retrying transient failures (4xx replies,
// timeouts, dropped connections) up to --retries times with backoff. fn is
// told the attempt number so transfers can resume. A connection that may
// be out of step with the server is replaced before the next attempt.
func (s *session) do(ctx context.Context, fn func(c *ftp.Conn, attempt int) error) error {
	var err error
	for attempt := 0; ; attempt++ {
		var c *ftp.Conn
		c, err = s.get(ctx)
		if err == nil {
			err = fn(c, attempt)
		}
		if err == nil {
			return nil
		}
		if !isServerReply(err) {
			s.drop()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if attempt >= s.a.g.Retries || !retryable(err) {
			return err
		}
		wait := backoff(attempt)
		s.a.trace.note("retrying in %v after: %s", wait.Round(time.Millisecond), Message(err))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// retryable reports whether another attempt may succeed.
func retryable(err error) bool {
	var ue *usageError
	var le *localError
	if errors.As(err, &ue) || errors.As(err, &le) {
		return false
	}
	var fe *ftp.Error
	if errors.As(err, &fe) && needsTLS(fe.Msg) {
		// Pure-FTPd's "421 Sorry, cleartext sessions ... are not
		// accepted": the same plain login would be refused again.
		return false
	}
	return ftp.IsTransient(err)
}

// isServerReply reports whether err is a refusal by the server on a
// connection that is still in step, which can keep being used.
func isServerReply(err error) bool {
	var fe *ftp.Error
	return errors.As(err, &fe) && !errors.Is(err, ftp.ErrBroken) && fe.Code != 421
}

// backoff is the wait before retry attempt+1: exponential from 300ms,
// capped at 5s, with jitter so parallel workers do not retry in step.
func backoff(attempt int) time.Duration {
	d := 300 * time.Millisecond << min(attempt, 4)
	d = min(d, 5*time.Second)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
