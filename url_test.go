package ftp_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferryftp/ftp"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		want ftp.URL
		addr string
	}{
		{"ftp://example.org", ftp.URL{Scheme: "ftp", Host: "example.org"}, "example.org:21"},
		{"ftp://example.org/", ftp.URL{Scheme: "ftp", Host: "example.org"}, "example.org:21"},
		{"FTP://Example.ORG:2121/pub/file.txt", ftp.URL{Scheme: "ftp", Host: "example.org", Port: 2121, Path: "pub/file.txt"}, "example.org:2121"},
		{"ftps://h/x", ftp.URL{Scheme: "ftps", Host: "h", Path: "x"}, "h:990"},
		{"ftp://u@h/", ftp.URL{Scheme: "ftp", User: "u", Host: "h"}, "h:21"},
		{"ftp://u:p%40ss@h/", ftp.URL{Scheme: "ftp", User: "u", Password: "p@ss", HasPassword: true, Host: "h"}, "h:21"},
		{"ftp://u:@h/", ftp.URL{Scheme: "ftp", User: "u", HasPassword: true, Host: "h"}, "h:21"},
		{"ftp://a@b:c@h/", ftp.URL{Scheme: "ftp", User: "a@b", Password: "c", HasPassword: true, Host: "h"}, "h:21"},
		// RFC 1738: paths are relative to the login directory; %2F or an
		// empty first segment makes them absolute.
		{"ftp://h/%2Fetc/motd", ftp.URL{Scheme: "ftp", Host: "h", Path: "/etc/motd"}, "h:21"},
		{"ftp://h//etc/motd", ftp.URL{Scheme: "ftp", Host: "h", Path: "/etc/motd"}, "h:21"},
		{"ftp://h/dir/", ftp.URL{Scheme: "ftp", Host: "h", Path: "dir", DirSlash: true}, "h:21"},
		{"ftp://h/a%20b/c%3Bd", ftp.URL{Scheme: "ftp", Host: "h", Path: "a b/c;d"}, "h:21"},
		{"ftp://h/f;type=a", ftp.URL{Scheme: "ftp", Host: "h", Path: "f", Type: 'a'}, "h:21"},
		{"ftp://h/f;TYPE=I", ftp.URL{Scheme: "ftp", Host: "h", Path: "f", Type: 'i'}, "h:21"},
		{"ftp://h/d;type=d", ftp.URL{Scheme: "ftp", Host: "h", Path: "d", Type: 'd'}, "h:21"},
		{"ftp://[::1]:2121/x", ftp.URL{Scheme: "ftp", Host: "::1", Port: 2121, Path: "x"}, "[::1]:2121"},
		{"ftp://[::1]/", ftp.URL{Scheme: "ftp", Host: "::1"}, "[::1]:21"},
	}
	for _, tt := range tests {
		got, err := ftp.ParseURL(tt.in)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tt.in, err)
			continue
		}
		if d := cmp.Diff(tt.want, *got); d != "" {
			t.Errorf("ParseURL(%q) (-want +got):\n%s", tt.in, d)
		}
		if a := got.Addr(); a != tt.addr {
			t.Errorf("ParseURL(%q).Addr() = %q, want %q", tt.in, a, tt.addr)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, in := range []string{
		"example.org/x",
		"http://h/",
		"ftp://",
		"ftp:///x",
		"ftp://h:0/",
		"ftp://h:65536/",
		"ftp://h:x/",
		"ftp://[::1/",
		"ftp://[nothex]/",
		"ftp://[::1]x/",
		"ftp://h/a%0d%0aDELE%20x",
		"ftp://h/a%00",
		"ftp://u%0a@h/",
		"ftp://h/%zz",
		"ftp://h/%4",
		"ftp://h/f;type=x",
		"ftp://h/f;mode=a",
		"ftp://h/f?q",
		"ftp://h/f#frag",
		"ftp://h h/",
		"ftp://h%41/",
		"ftp://::",
		"ftp://a:b:c/",
	} {
		_, err := ftp.ParseURL(in)
		var ue *ftp.URLError
		if !errors.As(err, &ue) {
			t.Errorf("ParseURL(%q) error = %v, want *URLError", in, err)
		}
	}
}

func TestURLNeverShowsPassword(t *testing.T) {
	_, err := ftp.ParseURL("ftp://bob:hunter2@h:bad/")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v shows the password", err)
	}
	loc, err := ftp.ParseURL("ftp://bob:hunter2@h/a%20b")
	if err != nil {
		t.Fatal(err)
	}
	if s := loc.String(); s != "ftp://bob@h/a%20b" {
		t.Errorf("String() = %q", s)
	}
	if m := ftp.MaskURL("ftps://bob:hunter2@h:21/x@y"); m != "ftps://bob:***@h:21/x@y" {
		t.Errorf("MaskURL = %q", m)
	}
}

func FuzzParseURL(f *testing.F) {
	f.Add("ftp://u:p@h:21/a/b;type=a")
	f.Add("ftps://[::1]:990/%2Fx/")
	f.Add("ftp://h/%0a")
	f.Fuzz(func(t *testing.T, in string) {
		loc, err := ftp.ParseURL(in)
		if err != nil {
			return
		}
		for _, s := range []string{loc.Path, loc.User, loc.Password, loc.Host} {
			if strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("ParseURL(%q) let CR, LF or NUL through: %+v", in, loc)
			}
		}
		// A parsed URL prints as one that parses to the same place.
		again, err := ftp.ParseURL(loc.String())
		if err != nil {
			t.Fatalf("ParseURL(%q).String() = %q does not parse: %v", in, loc.String(), err)
		}
		if again.Path != loc.Path || again.Host != loc.Host || again.Port != loc.Port || again.User != loc.User {
			t.Fatalf("round trip of %q: %+v, then %+v", in, loc, again)
		}
	})
}

func TestURLStringKeepsMeaning(t *testing.T) {
	for _, in := range []string{
		"ftp://h/a%20b/c%3Bd;type=a",
		"ftps://u%40x@[::1]:2121/%2Fabs/d/",
		"ftp://h/%2F",
	} {
		u, err := ftp.ParseURL(in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ftp.ParseURL(u.String())
		if err != nil {
			t.Fatalf("%q -> %q: %v", in, u.String(), err)
		}
		if d := cmp.Diff(u, again); d != "" {
			t.Errorf("%q -> %q (-first +again):\n%s", in, u.String(), d)
		}
	}
}

func TestNewClientFromURL(t *testing.T) {
	c, p, err := ftp.NewClientFromURL("ftps://alice:s%3Acret@ftp.example.org/%2Fpub/x")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "ftp.example.org:990" || c.User != "alice" || c.Password != "s:cret" || c.Dialer.TLS != ftp.TLSImplicit || p != "/pub/x" {
		t.Fatalf("got Addr %q User %q TLS %v path %q", c.Addr, c.User, c.Dialer.TLS, p)
	}
	c, p, err = ftp.NewClientFromURL("ftp://h:2121/rel/dir/")
	if err != nil || c.Addr != "h:2121" || c.User != "" || c.Dialer.TLS != ftp.TLSNone || p != "rel/dir" {
		t.Fatalf("got %+v, %q, %v", c, p, err)
	}
	if _, _, err := ftp.NewClientFromURL("ftp://bob:hunter2@h/a%0d%0aDELE%20x"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("bad URL: %v", err)
	}
}
