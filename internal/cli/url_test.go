package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		want Location
		addr string
	}{
		{"ftp://example.org", Location{Scheme: "ftp", Host: "example.org"}, "example.org:21"},
		{"ftp://example.org/", Location{Scheme: "ftp", Host: "example.org"}, "example.org:21"},
		{"FTP://Example.ORG:2121/pub/file.txt", Location{Scheme: "ftp", Host: "example.org", Port: 2121, Path: "pub/file.txt"}, "example.org:2121"},
		{"ftps://h/x", Location{Scheme: "ftps", Host: "h", Path: "x"}, "h:990"},
		{"ftp://u@h/", Location{Scheme: "ftp", User: "u", Host: "h"}, "h:21"},
		{"ftp://u:p%40ss@h/", Location{Scheme: "ftp", User: "u", Password: "p@ss", HasPassword: true, Host: "h"}, "h:21"},
		{"ftp://u:@h/", Location{Scheme: "ftp", User: "u", HasPassword: true, Host: "h"}, "h:21"},
		{"ftp://a@b:c@h/", Location{Scheme: "ftp", User: "a@b", Password: "c", HasPassword: true, Host: "h"}, "h:21"},
		// RFC 1738: paths are relative to the login directory; %2F or an
		// empty first segment makes them absolute.
		{"ftp://h/%2Fetc/motd", Location{Scheme: "ftp", Host: "h", Path: "/etc/motd"}, "h:21"},
		{"ftp://h//etc/motd", Location{Scheme: "ftp", Host: "h", Path: "/etc/motd"}, "h:21"},
		{"ftp://h/dir/", Location{Scheme: "ftp", Host: "h", Path: "dir", DirSlash: true}, "h:21"},
		{"ftp://h/a%20b/c%3Bd", Location{Scheme: "ftp", Host: "h", Path: "a b/c;d"}, "h:21"},
		{"ftp://h/f;type=a", Location{Scheme: "ftp", Host: "h", Path: "f", Type: 'a'}, "h:21"},
		{"ftp://h/f;TYPE=I", Location{Scheme: "ftp", Host: "h", Path: "f", Type: 'i'}, "h:21"},
		{"ftp://h/d;type=d", Location{Scheme: "ftp", Host: "h", Path: "d", Type: 'd'}, "h:21"},
		{"ftp://[::1]:2121/x", Location{Scheme: "ftp", Host: "::1", Port: 2121, Path: "x"}, "[::1]:2121"},
		{"ftp://[::1]/", Location{Scheme: "ftp", Host: "::1"}, "[::1]:21"},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.in)
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
	} {
		_, err := ParseURL(in)
		var ue *URLError
		if !errors.As(err, &ue) {
			t.Errorf("ParseURL(%q) error = %v, want *URLError", in, err)
		}
	}
}

func TestURLNeverShowsPassword(t *testing.T) {
	_, err := ParseURL("ftp://bob:hunter2@h:bad/")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v shows the password", err)
	}
	loc, err := ParseURL("ftp://bob:hunter2@h/a%20b")
	if err != nil {
		t.Fatal(err)
	}
	if s := loc.String(); s != "ftp://bob@h/a%20b" {
		t.Errorf("String() = %q", s)
	}
	if m := MaskURL("ftps://bob:hunter2@h:21/x@y"); m != "ftps://bob:***@h:21/x@y" {
		t.Errorf("MaskURL = %q", m)
	}
}

func FuzzParseURL(f *testing.F) {
	f.Add("ftp://u:p@h:21/a/b;type=a")
	f.Add("ftps://[::1]:990/%2Fx/")
	f.Add("ftp://h/%0a")
	f.Fuzz(func(t *testing.T, in string) {
		loc, err := ParseURL(in)
		if err != nil {
			return
		}
		for _, s := range []string{loc.Path, loc.User, loc.Password, loc.Host} {
			if strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("ParseURL(%q) let CR, LF or NUL through: %+v", in, loc)
			}
		}
		// A parsed URL prints as one that parses to the same place.
		again, err := ParseURL(loc.String())
		if err != nil {
			t.Fatalf("ParseURL(%q).String() = %q does not parse: %v", in, loc.String(), err)
		}
		if again.Path != loc.Path || again.Host != loc.Host || again.Port != loc.Port || again.User != loc.User {
			t.Fatalf("round trip of %q: %+v, then %+v", in, loc, again)
		}
	})
}
