package cli

import (
	"strings"

	"github.com/ferryftp/ftp"
)

// Location is a parsed ftp:// or ftps:// URL: the library's grammar
// (ftp.ParseURL), with the CLI's helpers.
type Location ftp.URL

// URLError is a URL that cannot be used.
type URLError = ftp.URLError

// IsURL reports whether s looks like an FTP URL rather than a local path.
func IsURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "ftp://") || strings.HasPrefix(l, "ftps://")
}

// ParseURL parses an ftp:// or ftps:// URL; see ftp.ParseURL.
func ParseURL(raw string) (*Location, error) {
	u, err := ftp.ParseURL(raw)
	return (*Location)(u), err
}

// Addr returns host:port for dialling, with the scheme's default port.
func (loc *Location) Addr() string { return (*ftp.URL)(loc).Addr() }

// String returns the URL without its password.
func (loc *Location) String() string { return (*ftp.URL)(loc).String() }

// WithPath returns a copy of loc naming path instead.
func (loc *Location) WithPath(path string) *Location {
	c := *loc
	c.Path = path
	c.DirSlash = false
	c.Type = 0
	return &c
}

// Display is the path as shown in messages: "." for the login directory.
func (loc *Location) Display() string {
	if loc.Path == "" {
		return "."
	}
	return loc.Path
}

// MaskURL hides the password of anything that looks like a URL with
// userinfo, for messages: a password never appears in any output.
func MaskURL(raw string) string { return ftp.MaskURL(raw) }
