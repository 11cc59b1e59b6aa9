package fakeftp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		caps       []string
		ok         bool
	}{
		{"PORT *", "PORT 127,0,0,1,4,1", []string{"127,0,0,1,4,1"}, true},
		{"PORT *", "PORT ", []string{""}, true},
		{"PORT *", "PORTX", nil, false},
		{"EPRT |1|*|*|", "EPRT |1|127.0.0.1|1025|", []string{"127.0.0.1", "1025"}, true},
		{"EPRT |1|*|*|", "EPRT |2|::1|1025|", nil, false},
		{"PASS *@*", "PASS a@b@c", []string{"a", "b@c"}, true},
		{"a*a", "a", nil, false},
		{"a*a", "aa", []string{""}, true},
		{"NOOP", "NOOP", nil, true},
		{"NOOP", "NOOP ", nil, false},
		{"*", "", []string{""}, true},
	} {
		caps, ok := glob(tc.pattern, tc.s)
		if ok != tc.ok || !cmp.Equal(caps, tc.caps) {
			t.Errorf("glob(%q, %q) = %q, %v; want %q, %v", tc.pattern, tc.s, caps, ok, tc.caps, tc.ok)
		}
	}
}

func TestParsePort(t *testing.T) {
	for _, tc := range []struct {
		line, want string // want "" means an error
	}{
		{"PORT 127,0,0,1,4,1", "127.0.0.1:1025"},
		{"port 127,0,0,1,255,255", "127.0.0.1:65535"},
		{"EPRT |1|127.0.0.1|2121|", "127.0.0.1:2121"},
		{"EPRT !2!::1!2121!", "[::1]:2121"},
		{"PORT 127,0,0,1,300,1", ""},
		{"PORT 127,0,0,1,4", ""},
		{"PORT 127,0,0,1,4,-1", ""},
		{"EPRT |3|127.0.0.1|21|", ""},
		{"EPRT |1|127.0.0.1|70000|", ""},
		{"EPRT |1|nonsense|21|", ""},
		{"EPRT ", ""},
		{"EPRT", ""},
		{"", ""},
	} {
		a, err := parsePort(tc.line)
		got := ""
		if err == nil {
			got = a.String()
		}
		if got != tc.want {
			t.Errorf("parsePort(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
}

func TestStripTelnet(t *testing.T) {
	for in, want := range map[string]string{
		IPSynch + "ABOR":       "ABOR",
		"\xff\xf4ABOR":         "ABOR",
		"\xff\xf2ABOR":         "ABOR",
		"ABOR":                 "ABOR",
		"\xff\xffABOR":         "\xff\xffABOR",
		"\xff":                 "\xff",
		"\xff\xf4\xff\xffRETR": "\xff\xffRETR",
	} {
		if got := stripTelnet(in); got != want {
			t.Errorf("stripTelnet(%q) = %q, want %q", in, got, want)
		}
	}
}
