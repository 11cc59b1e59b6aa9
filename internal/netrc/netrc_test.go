package netrc

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	const data = `# credentials
machine ftp.example.org login alice password "s3cret pass" account acct1
machine other.example.org
	login bob
	password b\"ob

macdef init
cd /pub
binary

default login anonymous password me@example.org
`
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []Machine{
		{Name: "ftp.example.org", Login: "alice", Password: `s3cret pass`, Account: "acct1"},
		{Name: "other.example.org", Login: "bob", Password: `b\"ob`},
		{Default: true, Login: "anonymous", Password: "me@example.org"},
	}
	if d := cmp.Diff(want, f.Machines); d != "" {
		t.Errorf("machines (-want +got):\n%s", d)
	}
}

func TestLookup(t *testing.T) {
	f, err := Parse(`machine h login a password pa
machine h login b password pb
machine H2 login c password pc
default login d password pd`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host, login, wantPass string
	}{
		{"h", "", "pa"},
		{"h", "b", "pb"},
		{"h2", "", "pc"},
		{"h", "zz", ""},
		{"elsewhere", "", "pd"},
		{"elsewhere", "d", "pd"},
	}
	for _, tt := range tests {
		m := f.Lookup(tt.host, tt.login)
		got := ""
		if m != nil {
			got = m.Password
		}
		if got != tt.wantPass {
			t.Errorf("Lookup(%q, %q) password = %q, want %q", tt.host, tt.login, got, tt.wantPass)
		}
	}
}

func TestLookupNoDefault(t *testing.T) {
	f, err := Parse("machine h login a password pa\n")
	if err != nil {
		t.Fatal(err)
	}
	if m := f.Lookup("x", ""); m != nil {
		t.Errorf("Lookup(x) = %+v, want nil", m)
	}
}

func TestParseErrors(t *testing.T) {
	for _, data := range []string{
		"machine",
		"login a",
		"machine h login",
		"machine h bogus x",
		`machine h password "unterminated`,
		"macdef\nbody\n",
	} {
		_, err := Parse(data)
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) error = %v, want *SyntaxError", data, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("machine h login a password p\n")
	f.Add("default login x\nmacdef m\nline\n\nmachine y")
	f.Add(`machine "q\"x" password "a b"`)
	f.Fuzz(func(t *testing.T, data string) {
		nf, err := Parse(data)
		if err != nil {
			return
		}
		_ = nf.Lookup("h", "")
	})
}
