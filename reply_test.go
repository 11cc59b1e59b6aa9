package ftp

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readReplies(t *testing.T, input string, maxLine, maxReply int) ([]*Reply, error) {
	t.Helper()
	rr := newReplyReader(strings.NewReader(input), maxLine, maxReply)
	var out []*Reply
	for {
		r, err := rr.read()
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
}

func TestReplyReader(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []*Reply
	}{
		{"single", "200 ok\r\n", []*Reply{{200, []string{"200 ok"}}}},
		{"code alone", "200\r\n", []*Reply{{200, []string{"200"}}}},
		{"LF only", "200 ok\n331 pw\n", []*Reply{{200, []string{"200 ok"}}, {331, []string{"331 pw"}}}},
		{
			"multi-line",
			"211-Features:\r\n EPSV\r\n MDTM\r\n211 End\r\n",
			[]*Reply{{211, []string{"211-Features:", " EPSV", " MDTM", "211 End"}}},
		},
		{
			// ftplib ends a 220- reply at "2200 ..." and reads the rest as
			// the next reply; RFC 959 requires the code and a space.
			"2200 inside 220-",
			"220-Welcome\r\n2200 is not the end\r\n220x neither\r\n220-nor this\r\n220 done\r\n200 next\r\n",
			[]*Reply{
				{220, []string{"220-Welcome", "2200 is not the end", "220x neither", "220-nor this", "220 done"}},
				{200, []string{"200 next"}},
			},
		},
		{
			"other codes and indented code are text",
			"230-Hello\r\n 230 indented\r\n200 other code\r\n230\r\n",
			[]*Reply{{230, []string{"230-Hello", " 230 indented", "200 other code", "230"}}},
		},
		{
			// A bare CR is not a line ending: ftplib's universal newlines
			// would make "bar" a second reply.
			"bare CR stays in the line",
			"200 foo\rbar\r\n",
			[]*Reply{{200, []string{"200 foo\rbar"}}},
		},
		{"non-UTF-8 bytes kept", "257 \"/caf\xe9\"\r\n", []*Reply{{257, []string{"257 \"/caf\xe9\""}}}},
		{"empty continuation line", "214-a\r\n\r\n214 b\r\n", []*Reply{{214, []string{"214-a", "", "214 b"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readReplies(t, tt.input, 0, 0)
			if !errors.Is(err, errServerClosed) {
				t.Fatalf("end of input: err = %v, want errServerClosed", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("replies (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplyReaderBadCode(t *testing.T) {
	for _, line := range []string{
		"1 Hola mundo", // ftplib's timeout tests greet with this; it is not a reply
		"2",
		"",
		"999 out of range",
		"099 too low",
		"abc def",
		"2O0 letter O",
		"200x no separator",
		" 200 leading space",
	} {
		_, err := newReplyReader(strings.NewReader(line+"\r\n"), 0, 0).read()
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			t.Errorf("%q: err = %v, want *ProtocolError", line, err)
		}
	}
}

func TestReplyReaderLineTooLong(t *testing.T) {
	const max = 64
	exact := "200 " + strings.Repeat("x", max-4)
	got, err := readReplies(t, exact+"\r\n", max, 0)
	if len(got) != 1 || got[0].Lines[0] != exact || !errors.Is(err, errServerClosed) {
		t.Fatalf("a line of exactly the limit: got %v, %v", got, err)
	}

	// One byte over, with CRLF and with a bare LF (which leaves the
	// limiter two more bytes of room), and far over.
	for _, input := range []string{
		"200 " + strings.Repeat("x", max-3) + "\r\n",
		"200 " + strings.Repeat("x", max-3) + "\n",
		"200 " + strings.Repeat("x", max-2) + "\n",
		"200 " + strings.Repeat("x", 10*max) + "\r\n",
	} {
		_, err = newReplyReader(strings.NewReader(input+"200 next\r\n"), max, 0).read()
		var pe *ProtocolError
		if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "longer than") {
			t.Errorf("line of %d bytes: err = %v, want a *ProtocolError", len(strings.TrimRight(input, "\r\n")), err)
		}
	}
}

// TestReplyReaderLineTooLongBounded checks that the limit bounds what is read
// from the connection, not only what is returned.
func TestReplyReaderLineTooLongBounded(t *testing.T) {
	src := &countingReader{r: endless("x")}
	rr := newReplyReader(src, 1024, 0)
	if _, err := rr.read(); err == nil {
		t.Fatal("an endless line was accepted")
	}
	if src.n > 1024+4096+2 {
		t.Errorf("read %d bytes for a 1024-byte line limit", src.n)
	}
}

func TestReplyReaderReplyTooLong(t *testing.T) {
	src := &countingReader{r: io.MultiReader(strings.NewReader("220-start\r\n"), endless("220-more\r\n"))}
	rr := newReplyReader(src, 0, 4096)
	_, err := rr.read()
	var pe *ProtocolError
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "multi-line reply longer") {
		t.Fatalf("endless multi-line reply: err = %v, want *ProtocolError", err)
	}
	if src.n > 4096+4096+64 {
		t.Errorf("read %d bytes for a 4096-byte reply limit", src.n)
	}
}

func TestReplyReaderTruncated(t *testing.T) {
	for _, input := range []string{"", "220-start\r\n", "220-start\r\n220-more\r\n", "200 no line end"} {
		got, err := readReplies(t, input, 0, 0)
		if input == "200 no line end" {
			// textproto returns a final unterminated line; what matters is
			// that nothing is invented after it.
			if len(got) > 1 {
				t.Errorf("%q: got %d replies", input, len(got))
			}
			continue
		}
		if len(got) != 0 || !errors.Is(err, errServerClosed) {
			t.Errorf("%q: got %v, %v; want no reply and errServerClosed", input, got, err)
		}
	}
}

func TestReplyMessage(t *testing.T) {
	tests := []struct {
		r    Reply
		want string
	}{
		{Reply{200, []string{"200 ok"}}, "ok"},
		{Reply{200, []string{"200"}}, ""},
		{Reply{211, []string{"211-Features:", " EPSV", "211 End"}}, "Features:\n EPSV\nEnd"},
		// Pure-FTPd repeats the code on every line.
		{Reply{230, []string{"230-Hello", "230-World", "230 Done"}}, "Hello\nWorld\nDone"},
		{Reply{230, []string{"230-Hello", "2300 text"}}, "Hello\n2300 text"},
	}
	for _, tt := range tests {
		if got := tt.r.Message(); got != tt.want {
			t.Errorf("%q.Message() = %q, want %q", tt.r.Lines, got, tt.want)
		}
	}
	r := &Reply{211, []string{"211-a", "211 b"}}
	if r.String() != "211-a\n211 b" || r.Class() != 2 {
		t.Errorf("String %q Class %d", r.String(), r.Class())
	}
	var nilReply *Reply
	if nilReply.Message() != "" || nilReply.String() != "" {
		t.Error("nil Reply is not empty")
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// endless repeats s forever.
func endless(s string) io.Reader { return &repeater{s: s} }

type repeater struct {
	s   string
	off int
}

func (r *repeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.s[r.off:])
		n += k
		r.off = (r.off + k) % len(r.s)
	}
	return n, nil
}
