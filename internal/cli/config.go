package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/netrc"
)

// abortTimeout bounds the ABOR exchange after Ctrl-C, so that ferry exits
// within a second even when the server does not answer.
const abortTimeout = 500 * time.Millisecond

// credentials are what ferry logs in with.
type credentials struct {
	user     string
	password string
	account  string
}

// credCache remembers credentials per server so that a password is asked
// for once, and collects every secret so that messages can be scrubbed.
type credCache struct {
	mu      sync.Mutex
	byHost  map[string]*credentials
	netrc   *netrc.File
	loaded  bool
	secrets []string
	warned  bool
	// plainNoted is set once the user was told that --tls auto found no TLS.
	plainNoted bool
}

// credentials resolves the user, password and account for loc: the user
// from --user, the URL or the netrc file, else anonymous; the password from
// the URL, FTP_PASSWORD, the netrc file or a terminal prompt.
func (a *app) credentials(ctx context.Context, loc *Location) (*credentials, error) {
	cc := a.creds
	cc.mu.Lock()
	defer cc.mu.Unlock()
	key := loc.User + "@" + loc.Addr()
	if c, ok := cc.byHost[key]; ok {
		return c, nil
	}
	nf, err := a.loadNetrc()
	if err != nil {
		return nil, err
	}
	flagUser, flagPassword, flagHasPassword := strings.Cut(a.g.User, ":")
	c := &credentials{user: flagUser, account: a.g.Account}
	if c.user == "" {
		c.user = loc.User
	}
	var m *netrc.Machine
	if nf != nil {
		m = nf.Lookup(loc.Host, c.user)
	}
	if c.user == "" && m != nil && m.Login != "" {
		c.user = m.Login
	}
	anonymous := c.user == "" || c.user == "anonymous" || c.user == "ftp"
	if c.user == "" {
		c.user = "anonymous"
	}
	switch {
	case flagHasPassword:
		c.password = flagPassword
	case loc.HasPassword && (flagUser == "" || flagUser == loc.User):
		c.password = loc.Password
	case a.getenv("FTP_PASSWORD") != "":
		c.password = a.getenv("FTP_PASSWORD")
	case m != nil && m.Password != "" && (m.Login == "" || m.Login == c.user):
		c.password = m.Password
	case anonymous:
		c.password = "anonymous@"
	case a.stdinTTY && a.stderrTTY:
		p, err := a.promptPassword(ctx, c.user, loc.Host)
		if err != nil {
			return nil, err
		}
		c.password = p
	default:
		// An empty PASS would be a guess, and a failed login counts
		// against the account on many servers.
		return nil, &loginError{User: c.user, Err: fmt.Errorf("no password, and no terminal to ask for one: set FTP_PASSWORD, add it to ~/.netrc, or give it in the URL (%s)", passwordURL(loc, c.user))}
	}
	if c.account == "" && m != nil {
		c.account = m.Account
	}
	if cc.byHost == nil {
		cc.byHost = map[string]*credentials{}
	}
	cc.byHost[key] = c
	if len(c.password) >= 3 && c.password != "anonymous@" {
		cc.secrets = append(cc.secrets, c.password)
	}
	if len(c.account) >= 3 {
		cc.secrets = append(cc.secrets, c.account)
	}
	return c, nil
}

// scrub replaces every known secret in s with "***": a password never
// appears in any output, whatever a server echoes back.
func (cc *credCache) scrub(s string) string {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, p := range cc.secrets {
		s = strings.ReplaceAll(s, p, "***")
	}
	return s
}

// promptPassword reads a password from the terminal without echo. The
// terminal is made raw here, before the prompt, so no key can come while
// echo is still on, and Ctrl-C arrives as a key: it (or ctx cancelled)
// returns at once with the terminal restored; a read left behind ends with
// the process.
func (a *app) promptPassword(ctx context.Context, user, host string) (string, error) {
	f, ok := a.stdin.(*os.File)
	if !ok {
		return "", errors.New("standard input is not a terminal")
	}
	fd := int(f.Fd())
	state, err := term.MakeRaw(fd)
	if err != nil {
		return "", &localError{Op: "read password from", Path: "terminal", Err: err}
	}
	defer term.Restore(fd, state)
	fmt.Fprintf(a.stderr, "Password for %s@%s: ", user, host)
	defer fmt.Fprint(a.stderr, "\r\n")
	type result struct {
		password []byte
		err      error
	}
	done := make(chan result, 1)
	go func() {
		var pw []byte
		b := make([]byte, 1)
		for {
			if _, err := f.Read(b); err != nil {
				done <- result{err: &localError{Op: "read password from", Path: "terminal", Err: err}}
				return
			}
			switch b[0] {
			case '\r', '\n':
				done <- result{password: pw}
				return
			case 3: // Ctrl-C
				done <- result{err: context.Canceled}
				return
			case 4: // Ctrl-D
				if len(pw) == 0 {
					done <- result{err: &localError{Op: "read password from", Path: "terminal", Err: io.EOF}}
					return
				}
			case 0x7f, 8: // Backspace: one character, which may be several bytes
				_, size := utf8.DecodeLastRune(pw)
				pw = pw[:len(pw)-size]
			case 21: // Ctrl-U
				pw = pw[:0]
			default:
				pw = append(pw, b[0])
			}
		}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-done:
		return string(r.password), r.err
	}
}

// loadNetrc reads the netrc file once: --netrc-file, else $NETRC, else
// ~/.netrc. A missing default file is not an error; a missing named one is.
func (a *app) loadNetrc() (*netrc.File, error) {
	cc := a.creds
	if cc.loaded {
		return cc.netrc, nil
	}
	cc.loaded = true
	if !a.g.Netrc && a.g.NetrcFile == "" {
		return nil, nil
	}
	name, explicit := a.g.NetrcFile, true
	if name == "" {
		name = a.getenv("NETRC")
	}
	if name == "" {
		explicit = false
		home := a.getenv("HOME")
		if home == "" {
			return nil, nil
		}
		name = filepath.Join(home, ".netrc")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, &localError{Op: "read netrc", Path: name, Err: err}
	}
	nf, err := netrc.Parse(string(data))
	if err != nil {
		return nil, &localError{Op: "read netrc", Path: name, Err: err}
	}
	if st, err := os.Stat(name); err == nil && st.Mode().Perm()&0o077 != 0 {
		// BSD ftp's rule: a password file others can read is not trusted
		// for passwords. The logins in it are still used.
		fmt.Fprintf(a.stderr, "ferry: warning: %s is readable by others; ignoring its passwords (chmod 600 it)\n", name)
		for i := range nf.Machines {
			nf.Machines[i].Password = ""
		}
	}
	cc.netrc = nf
	return nf, nil
}

// tlsMode is the TLS mode for loc: --tls, else implicit for ftps://, else
// explicit when --ca names a CA to verify against, else auto.
func (a *app) tlsMode(loc *Location) ftp.TLSMode {
	switch a.g.TLS {
	case "explicit":
		return ftp.TLSExplicit
	case "implicit":
		return ftp.TLSImplicit
	case "none":
		return ftp.TLSNone
	}
	switch {
	case loc.Scheme == "ftps":
		return ftp.TLSImplicit
	case a.g.CA != "":
		return ftp.TLSExplicit
	}
	return ftp.TLSAuto
}

// addr is loc's host:port, with 990 as the default port for implicit TLS.
func (a *app) addr(loc *Location) string {
	if loc.Port == 0 {
		port := 21
		if a.tlsMode(loc) == ftp.TLSImplicit {
			port = 990
		}
		return net.JoinHostPort(loc.Host, strconv.Itoa(port))
	}
	return loc.Addr()
}

// dialer builds the ftp.Dialer for loc from the global flags; id numbers
// the connection in the trace.
func (a *app) dialer(loc *Location, id int) (*ftp.Dialer, error) {
	d := &ftp.Dialer{
		Timeout:      a.g.Timeout,
		ReplyTimeout: a.g.Timeout,
		DataTimeout:  a.g.Timeout,
		AbortTimeout: abortTimeout,
		Trace:        a.trace.hooks(id),
		Active:       a.g.Active,
		DisableEPSV:  a.g.NoEPSV,
		TLS:          a.tlsMode(loc),
	}
	if d.TLS == ftp.TLSNone {
		if a.g.CA != "" || a.g.Insecure {
			return nil, usageErrorf("--ca and --insecure need TLS, which --tls none turns off")
		}
		return d, nil
	}
	cfg, err := a.tlsConfig()
	if err != nil {
		return nil, err
	}
	d.TLSConfig = cfg
	return d, nil
}

func (a *app) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if a.g.CA != "" {
		pem, err := os.ReadFile(a.g.CA)
		if err != nil {
			return nil, &localError{Op: "read CA file", Path: a.g.CA, Err: err}
		}
		// The file replaces the system's roots, as curl's --cacert does:
		// the server is trusted only through the CAs named for it, and
		// the hundred-odd system roots (about 3 MiB of parsed
		// certificates) are never loaded.
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usageErrorf("--ca %s: no PEM certificates in the file", a.g.CA)
		}
		cfg.RootCAs = pool
	}
	if a.g.Insecure {
		a.creds.mu.Lock()
		if !a.creds.warned {
			a.creds.warned = true
			fmt.Fprintln(a.stderr, "ferry: warning: --insecure: the server's certificate is not verified; anyone on the path can read and change this session")
		}
		a.creds.mu.Unlock()
		cfg.InsecureSkipVerify = true
	}
	return cfg, nil
}

// passwordURL is the URL of loc's server with user and a PASSWORD
// placeholder, in the scheme and port the user gave, so that it can be
// copied as it is.
func passwordURL(loc *Location, user string) string {
	host := loc.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if loc.Port != 0 {
		host = net.JoinHostPort(loc.Host, strconv.Itoa(loc.Port))
	}
	u := url.URL{Scheme: loc.Scheme, User: url.UserPassword(user, "PASSWORD"), Host: host, Path: "/"}
	return u.String()
}
