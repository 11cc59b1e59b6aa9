package ftp

import (
	"context"
	"errors"
)

// login logs in a connection of the Client. Until one connection has
// logged in, one logs in at a time, the others (dialled, greeted and
// secured meanwhile) waiting their turn: wrong credentials are then
// refused once, not once per connection at the same moment, which servers
// that ban an address after a few failed logins (fail2ban, hosting
// panels) would count against the user several times over. A connection
// whose turn comes after a refusal gives that refusal as its own answer,
// without trying the same credentials again, if the refusal came after
// its call began (asked is the count of refusals then: a later call tries
// again, the password perhaps fixed on the server). Once a login has
// succeeded, the credentials are known good and connections log in side
// by side.
func (c *Client) login(ctx context.Context, conn *Conn, asked int) error {
	if err := c.pinTLS(conn); err != nil {
		return err
	}
	if c.loggedIn.Load() {
		return conn.LoginAccount(ctx, c.User, c.Password, c.Account)
	}
	select {
	case c.loginTurn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
		return ErrClientClosed
	}
	held := true
	pass := func() {
		if held {
			held = false
			<-c.loginTurn
		}
	}
	defer pass()
	if c.loggedIn.Load() {
		pass()
		return conn.LoginAccount(ctx, c.User, c.Password, c.Account)
	}
	if err := c.pinTLS(conn); err != nil {
		return err // the connection before this one had TLS
	}
	c.mu.Lock()
	refused := c.refusals != asked
	last := c.refused
	c.mu.Unlock()
	if refused {
		return last
	}
	// The turn passes on as soon as the server accepts, not after PROT
	// and FEAT: the others need not wait for those.
	err := conn.loginAccount(ctx, c.User, c.Password, c.Account, func() {
		c.loggedIn.Store(true)
		pass()
	})
	if err != nil && loginRefused(err) {
		c.mu.Lock()
		c.refusals++
		c.refused = err
		c.mu.Unlock()
	}
	return err
}

// pinTLS holds a Client under TLSAuto to TLS once one of its connections
// has had it: a plain connection then fails with ErrTLSDowngrade before
// USER. TLSAuto alone guards only against a passive eavesdropper (a
// refusal of AUTH TLS is easy to forge); with the pin, someone on the path
// must forge the first refusal too, not just a later one. The first login
// of a Client runs alone, so its connection sets the pin before any other
// connection logs in.
func (c *Client) pinTLS(conn *Conn) error {
	if c.Dialer.TLS != TLSAuto {
		return nil
	}
	if _, on := conn.TLSConnectionState(); on {
		c.sawTLS.Store(true)
		return nil
	}
	if c.sawTLS.Load() {
		return ErrTLSDowngrade
	}
	return nil
}

// loginsRefused is how many logins the server has refused so far.
func (c *Client) loginsRefused() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refusals
}

// loginRefused reports whether err is the server refusing the
// credentials themselves (530, or 430 "invalid username or password"; 332
// with no account to give), not a limit on connections or a failure of
// the connection.
func loginRefused(err error) bool {
	var fe *Error
	if !errors.As(err, &fe) || tooManyConnections(err) {
		return false
	}
	return fe.Code == 530 || fe.Code == 430 || fe.Code == 332
}
