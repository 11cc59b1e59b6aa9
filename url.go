package ftp

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// URL is a parsed ftp:// or ftps:// URL: RFC 1738 section 3.2, with
// ftps:// meaning FTP over implicit TLS (port 990).
type URL struct {
	Scheme      string // "ftp" or "ftps", lower case
	User        string // decoded; empty when the URL names no user
	Password    string // decoded; meaningful only when HasPassword
	HasPassword bool   // the URL has a password, perhaps empty ("ftp://u:@h/")
	Host        string // host name (lower case) or IP address, without brackets
	Port        int    // 0 when the URL gives none

	// Path is the decoded path, relative to the login directory as RFC
	// 1738 says: "ftp://h/pub/f" is "pub/f", while "ftp://h//pub/f" and
	// "ftp://h/%2Fpub/f" are the absolute "/pub/f". Escapes are decoded
	// after the path is split at its slashes, so "%2F" is a slash in the
	// path all the same. Empty means the login directory itself.
	Path string

	// Type is the ";type=" parameter: 'a' (ASCII), 'i' (binary), 'd'
	// (directory listing), or 0 when absent.
	Type byte

	// DirSlash reports whether the path ended with "/", which marks a
	// directory.
	DirSlash bool
}

// URLError is a URL that ParseURL cannot use. The URL is given with any
// password masked.
type URLError struct {
	URL    string
	Reason string
}

func (e *URLError) Error() string {
	return fmt.Sprintf("invalid URL %q: %s", e.URL, e.Reason)
}

// ParseURL parses an ftp:// or ftps:// URL with net/url, then applies RFC
// 1738: the path is relative to the login directory unless its first
// segment is empty or "%2F", and a final ";type=a", ";type=i" or
// ";type=d" is a parameter, not part of the name. Queries and fragments
// have no meaning in FTP URLs and are refused, as are CR, LF and NUL
// anywhere once decoded: they would end an FTP command line early.
func ParseURL(rawURL string) (*URL, error) {
	fail := func(reason string) (*URL, error) {
		return nil, &URLError{URL: MaskURL(rawURL), Reason: reason}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password and all
		}
		return fail(err.Error())
	}
	loc := &URL{Scheme: strings.ToLower(u.Scheme)}
	switch {
	case u.Scheme == "":
		return fail("want ftp://host/path or ftps://host/path")
	case loc.Scheme != "ftp" && loc.Scheme != "ftps":
		return fail(fmt.Sprintf("unsupported scheme %q (want ftp or ftps)", u.Scheme))
	case u.Opaque != "":
		return fail("want ftp://host/path or ftps://host/path")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(rawURL, "?#"):
		return fail("queries and fragments have no meaning in FTP URLs")
	}
	if u.User != nil {
		loc.User = u.User.Username()
		loc.Password, loc.HasPassword = u.User.Password()
	}
	loc.Host = strings.ToLower(u.Hostname())
	if loc.Host == "" {
		return fail("missing host")
	}
	switch bracketed := strings.HasPrefix(u.Host, "["); {
	case bracketed && net.ParseIP(loc.Host) == nil:
		return fail(fmt.Sprintf("invalid IPv6 address %q", loc.Host))
	case !bracketed && strings.ContainsAny(loc.Host, ":[]"):
		return fail(fmt.Sprintf("invalid host %q", loc.Host))
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fail(fmt.Sprintf("invalid port %q", p))
		}
		loc.Port = n
	}
	if err := loc.parsePath(u.EscapedPath()); err != nil {
		return fail(err.Error())
	}
	for _, s := range []string{loc.User, loc.Password, loc.Host} {
		if strings.ContainsAny(s, "\r\n\x00") {
			return fail("CR, LF and NUL are not allowed")
		}
	}
	return loc, nil
}

// parsePath reads the escaped path of the URL, "/" and all.
func (loc *URL) parsePath(escaped string) error {
	p, ok := strings.CutPrefix(escaped, "/")
	if !ok {
		return nil // no path: the login directory
	}
	if i := strings.LastIndexByte(p, ';'); i >= 0 {
		param := p[i+1:]
		p = p[:i]
		k, v, _ := strings.Cut(param, "=")
		if !strings.EqualFold(k, "type") || len(v) != 1 {
			return fmt.Errorf("unknown parameter %q (want ;type=a, i or d)", param)
		}
		switch c := v[0] | 0x20; c {
		case 'a', 'i', 'd':
			loc.Type = c
		default:
			return fmt.Errorf("unknown type %q (want a, i or d)", v)
		}
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		d, err := url.PathUnescape(s)
		if err != nil {
			return err
		}
		if strings.ContainsAny(d, "\r\n\x00") {
			return errors.New("CR, LF and NUL are not allowed")
		}
		segs[i] = d
	}
	if n := len(segs); n > 1 && segs[n-1] == "" {
		loc.DirSlash = true
		segs = segs[:n-1]
	}
	loc.Path = strings.Join(segs, "/")
	return nil
}

// Addr returns host:port for dialling, with the scheme's default port: 21
// for ftp, 990 for ftps.
func (loc *URL) Addr() string {
	port := loc.Port
	if port == 0 {
		port = 21
		if loc.Scheme == "ftps" {
			port = 990
		}
	}
	return net.JoinHostPort(loc.Host, strconv.Itoa(port))
}

// String returns the URL without its password.
func (loc *URL) String() string {
	u := url.URL{Scheme: loc.Scheme, Host: loc.Host}
	if strings.Contains(loc.Host, ":") {
		u.Host = "[" + loc.Host + "]"
	}
	if loc.Port != 0 {
		u.Host += ":" + strconv.Itoa(loc.Port)
	}
	if loc.User != "" {
		u.User = url.User(loc.User)
	}
	p, abs := strings.CutPrefix(loc.Path, "/")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		// ";" would start a parameter: escape it, with everything
		// url.PathEscape escapes.
		segs[i] = strings.ReplaceAll(url.PathEscape(s), ";", "%3B")
	}
	u.RawPath = "/" + strings.Join(segs, "/")
	if abs {
		u.RawPath = "/%2F" + strings.Join(segs, "/") // RFC 1738's absolute path
	}
	if loc.DirSlash || strings.HasSuffix(p, "/") {
		// The parser drops one trailing empty segment as the directory
		// mark, so a path that ends in "/" needs one more.
		u.RawPath += "/"
	}
	if loc.Type != 0 {
		u.RawPath += ";type=" + string(loc.Type)
	}
	u.Path, _ = url.PathUnescape(u.RawPath)
	return u.String()
}

// MaskURL hides the password in anything that looks like a URL with one,
// for messages: a password never appears in any output.
func MaskURL(raw string) string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at < 0 {
		return raw
	}
	colon := strings.IndexByte(rest[:at], ':')
	if colon < 0 {
		return raw
	}
	prefix := raw[:len(raw)-len(rest)]
	return prefix + rest[:colon] + ":***" + rest[at:]
}

// NewClientFromURL returns a Client for the server an ftp:// or ftps://
// URL names, and the URL's path (see URL.Path: relative to the login
// directory unless it starts with "/"). The user and password come from
// the URL (anonymous when it has none). ftps:// selects implicit TLS;
// ftp:// is plain FTP: set Dialer.TLS to TLSExplicit on the Client
// returned to require AUTH TLS. The ";type=" parameter is not used: the
// Client transfers in binary. The Client's other fields have their zero
// values and may be set before its first use.
func NewClientFromURL(rawURL string) (*Client, string, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, "", err
	}
	c := &Client{Addr: u.Addr(), User: u.User, Password: u.Password}
	if u.Scheme == "ftps" {
		c.Dialer.TLS = TLSImplicit
	}
	return c, u.Path, nil
}
