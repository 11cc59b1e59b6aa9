package cli

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Location is a parsed ftp:// or ftps:// URL (RFC 1738 §3.2).
type Location struct {
	Scheme      string // "ftp" or "ftps"
	User        string // decoded; empty when the URL names no user
	Password    string // decoded; only meaningful when HasPassword
	HasPassword bool
	Host        string // host name or IP address, without IPv6 brackets
	Port        int    // 0 when the URL gives none
	// Path is the decoded path, relative to the login directory as RFC 1738
	// says: "ftp://h/pub/f" is "pub/f", while "ftp://h//pub/f" and
	// "ftp://h/%2Fpub/f" are the absolute "/pub/f". Empty means the login
	// directory itself.
	Path string
	// Type is the ";type=" parameter: 'a' (ASCII), 'i' (binary), 'd'
	// (directory), or 0 when absent.
	Type byte
	// DirSlash reports whether the URL path ended with "/", which marks a
	// directory.
	DirSlash bool
}

// URLError is a URL that cannot be used.
type URLError struct {
	URL    string // the URL with any password masked
	Reason string
}

// Error implements error.
func (e *URLError) Error() string {
	return fmt.Sprintf("invalid URL %q: %s", e.URL, e.Reason)
}

// IsURL reports whether s looks like an FTP URL rather than a local path.
func IsURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "ftp://") || strings.HasPrefix(l, "ftps://")
}

// ParseURL parses an ftp:// or ftps:// URL. Percent-escapes are decoded
// after the path is split into segments, so "%2F" inside a segment is a
// slash in a name rather than a separator only in the sense that it makes
// the path absolute; CR, LF and NUL are refused anywhere, since they would
// end an FTP command line early.
func ParseURL(raw string) (*Location, error) {
	fail := func(reason string) (*Location, error) {
		return nil, &URLError{URL: MaskURL(raw), Reason: reason}
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return fail("want ftp://host/path or ftps://host/path")
	}
	loc := &Location{Scheme: strings.ToLower(scheme)}
	if loc.Scheme != "ftp" && loc.Scheme != "ftps" {
		return fail(fmt.Sprintf("unsupported scheme %q (want ftp or ftps)", scheme))
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		return fail("queries and fragments have no meaning in FTP URLs")
	}
	authority, path := rest, ""
	hasPath := false
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path, hasPath = rest[:i], rest[i+1:], true
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo := authority[:at]
		authority = authority[at+1:]
		u, p, hasPass := strings.Cut(userinfo, ":")
		var err error
		if loc.User, err = unescape(u); err != nil {
			return fail("user: " + err.Error())
		}
		if hasPass {
			if loc.Password, err = unescape(p); err != nil {
				return fail("password: " + err.Error())
			}
			loc.HasPassword = true
		}
	}
	if err := loc.parseHostPort(authority); err != nil {
		return fail(err.Error())
	}
	if hasPath {
		if err := loc.parsePath(path); err != nil {
			return fail(err.Error())
		}
	}
	return loc, nil
}

func (loc *Location) parseHostPort(authority string) error {
	host, port := authority, ""
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return fmt.Errorf("missing ] in IPv6 address")
		}
		host = authority[1:end]
		after := authority[end+1:]
		if after != "" {
			if after[0] != ':' {
				return fmt.Errorf("unexpected %q after IPv6 address", after)
			}
			port = after[1:]
		}
		if net.ParseIP(host) == nil {
			return fmt.Errorf("invalid IPv6 address %q", host)
		}
	} else {
		if i := strings.LastIndexByte(authority, ':'); i >= 0 {
			host, port = authority[:i], authority[i+1:]
		}
		if strings.ContainsAny(host, " \t\r\n\x00%/@:[]") {
			return fmt.Errorf("invalid host %q", host)
		}
	}
	if host == "" {
		return fmt.Errorf("missing host")
	}
	loc.Host = strings.ToLower(host)
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("invalid port %q", port)
		}
		loc.Port = n
	}
	return nil
}

func (loc *Location) parsePath(path string) error {
	if i := strings.LastIndexByte(path, ';'); i >= 0 {
		param := path[i+1:]
		path = path[:i]
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
	segs := strings.Split(path, "/")
	for i, s := range segs {
		d, err := unescape(s)
		if err != nil {
			return err
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

// unescape decodes percent-escapes and refuses CR, LF and NUL.
func unescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", fmt.Errorf("bad percent-escape in %q", s)
			}
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
		}
		if c == '\r' || c == '\n' || c == 0 {
			return "", fmt.Errorf("CR, LF and NUL are not allowed")
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// Addr returns host:port for dialling, with the scheme's default port.
func (loc *Location) Addr() string {
	port := loc.Port
	if port == 0 {
		port = 21
		if loc.Scheme == "ftps" {
			port = 990
		}
	}
	return net.JoinHostPort(loc.Host, strconv.Itoa(port))
}

// WithPath returns a copy of loc naming path instead.
func (loc *Location) WithPath(path string) *Location {
	c := *loc
	c.Path = path
	c.DirSlash = false
	c.Type = 0
	return &c
}

// Display is the path as shown in messages: "/" for the login directory.
func (loc *Location) Display() string {
	if loc.Path == "" {
		return "."
	}
	return loc.Path
}

// String returns the URL without its password.
func (loc *Location) String() string {
	var b strings.Builder
	b.WriteString(loc.Scheme + "://")
	if loc.User != "" {
		b.WriteString(escape(loc.User) + "@")
	}
	if strings.Contains(loc.Host, ":") {
		b.WriteString("[" + loc.Host + "]")
	} else {
		b.WriteString(loc.Host)
	}
	if loc.Port != 0 {
		b.WriteString(":" + strconv.Itoa(loc.Port))
	}
	b.WriteString("/")
	segs := strings.Split(loc.Path, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	b.WriteString(strings.Join(segs, "/"))
	if loc.DirSlash || strings.HasSuffix(loc.Path, "/") {
		// The parser drops one trailing empty segment as the directory
		// mark, so a path that ends in "/" needs one more.
		b.WriteString("/")
	}
	return b.String()
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("%/;@:?#[]\"<>\\^`{|}", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// MaskURL hides the password of anything that looks like a URL with
// userinfo, for messages: a password never appears in any output.
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
