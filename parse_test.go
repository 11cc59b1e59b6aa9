package ftp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func reply(code int, lines ...string) *Reply { return &Reply{Code: code, Lines: lines} }

func TestParsePASV(t *testing.T) {
	tests := []struct {
		line string
		ip   string
		port int
	}{
		{"227 Entering Passive Mode (127,0,0,1,4,1).", "127.0.0.1", 1025},
		{"227 Entering Passive Mode (192,168,1,2,255,255)", "192.168.1.2", 65535},
		// ftplib accepts a reply without parentheses; so do we.
		{"227 Entering Passive Mode 10,0,0,1,0,21", "10.0.0.1", 21},
		// ftplib refuses spaces after the commas (observed); servers send them.
		{"227 Entering Passive Mode (127, 0, 0, 1, 4, 1)", "127.0.0.1", 1025},
		{"227 =127,0,0,1,200,10", "127.0.0.1", 200<<8 | 10},
		// A number in the text before the address is skipped.
		{"227 Mode 2 ok (252,253,254,255,4,1)", "252.253.254.255", 1025},
		{"227 (0,0,0,0,4,1)", "0.0.0.0", 1025},
	}
	for _, tt := range tests {
		ip, port, err := parsePASV(reply(227, tt.line))
		if err != nil || !ip.Equal(net.ParseIP(tt.ip)) || port != tt.port {
			t.Errorf("%q: got %v %d %v, want %s %d", tt.line, ip, port, err, tt.ip, tt.port)
		}
	}
	for _, line := range []string{
		"227 Entering Passive Mode (127,0,0,1,300,1)", // port overflow: ftplib wraps to another port
		"227 Entering Passive Mode (127,0,0,1,4,256)",
		"227 Entering Passive Mode (256,0,0,1,4,1)",
		"227 Entering Passive Mode (127,0,0,1,0,0)", // port 0
		"227 Entering Passive Mode (127,0,0,1,4)",
		"227 Entering Passive Mode",
		"227 Entering Passive Mode (a,b,c,d,e,f)",
		"227 (127,0,0,1,-4,1)",
		"227",
	} {
		_, _, err := parsePASV(reply(227, line))
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Cmd != "PASV" {
			t.Errorf("%q: err = %v, want *ProtocolError for PASV", line, err)
		}
	}
}

func TestParseEPSV(t *testing.T) {
	tests := []struct {
		line string
		port int
	}{
		{"229 Entering Extended Passive Mode (|||6446|)", 6446},
		{"229 Entering Extended Passive Mode (!!!6446!)", 6446}, // any delimiter (RFC 2428)
		{"229 (|||1|)", 1},
		{"229 (|||65535|).", 65535},
		// An address field, which RFC 2428 leaves empty, is ignored:
		// the data connection goes to the control peer.
		{"229 Entering Extended Passive Mode (|1|198.51.100.7|31250|)", 31250},
		{"229 Entering Extended Passive Mode (|2|2001:db8::7|31250|)", 31250},
	}
	for _, tt := range tests {
		port, err := parseEPSV(reply(229, tt.line))
		if err != nil || port != tt.port {
			t.Errorf("%q: got %d %v, want %d", tt.line, port, err, tt.port)
		}
	}
	for _, line := range []string{
		"229 Entering Extended Passive Mode (|||abc|)", // ftplib: ValueError outside all_errors
		"229 Entering Extended Passive Mode (||||)",    // empty port
		"229 Entering Extended Passive Mode (|||70000|)",
		"229 Entering Extended Passive Mode (|||0|)",
		"229 Entering Extended Passive Mode (|||-1|)",
		"229 Entering Extended Passive Mode (|||+80|)",
		"229 Entering Extended Passive Mode |||6446|", // no parentheses
		"229 Entering Extended Passive Mode (|||6446|",
		"229 Entering Extended Passive Mode (|||6446!)",
		"229 Entering Extended Passive Mode (   6446 )",
		"229 Entering Extended Passive Mode (|1|10.9.8.7|6446|7|)", // one field too many
		"229 Entering Extended Passive Mode (|1|10.9.8.7|6446)",
		"229",
	} {
		_, err := parseEPSV(reply(229, line))
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Cmd != "EPSV" {
			t.Errorf("%q: err = %v, want *ProtocolError for EPSV", line, err)
		}
	}
}

// TestFTPLibParse257 mirrors test_parse257, plus the unquoted and multi-line
// replies for which ftplib returns "".
func TestFTPLibParse257(t *testing.T) {
	tests := []struct {
		r    *Reply
		want string
	}{
		{reply(257, `257 "/foo/bar"`), "/foo/bar"},
		{reply(257, `257 "/foo/bar" created`), "/foo/bar"},
		{reply(257, `257 ""`), ""},
		{reply(257, `257 "/foo/b""ar"`), `/foo/b"ar`},
		{reply(257, `257 "/foo/b""ar" created`), `/foo/b"ar`},
		{reply(257, `257 """"`), `"`},
		{reply(257, `257 "/dir with spaces/ and ""quotes"""`), `/dir with spaces/ and "quotes"`},
		{reply(257, "257 \"/caf\xe9\""), "/caf\xe9"},
		{reply(257, `257 /home/user is the current directory`), "/home/user"},
		{reply(257, `257 C:\Users is current`), `C:\Users`},
		{reply(257, `257-Current directory:`, ` "/deep/dir"`, `257 End`), "/deep/dir"},
		{reply(257, `257-"/first" is current`, `257 End`), "/first"},
	}
	for _, tt := range tests {
		got, err := parse257(tt.r)
		if err != nil || got != tt.want {
			t.Errorf("%q: got %q %v, want %q", tt.r.Lines, got, err, tt.want)
		}
	}
	for _, r := range []*Reply{
		reply(257, `257 "/unterminated`),
		reply(257, `257 "/split`, `257 line"`),
		reply(257, `257 MKD command successful`),
		reply(257),
	} {
		_, err := parse257(r)
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			t.Errorf("%q: err = %v, want *ProtocolError", r.Lines, err)
		}
	}
}

func TestParse150Size(t *testing.T) {
	tests := []struct {
		r    *Reply
		want int64
	}{
		{reply(150, "150 Opening BINARY mode data connection for f (1234 bytes)."), 1234},
		{reply(150, "150 Opening BINARY mode data connection for f (1234 bytes)"), 1234},
		{reply(150, "150 (5 bytes)"), 5}, // ftplib needs a space before "(" and returns None
		{reply(150, "150 Opening data connection for a (1) file (7 bytes)"), 7},
		{reply(150, "150 Opening BINARY mode data connection for f"), -1},
		{reply(150, "150 ok (abc bytes)"), -1},
		{reply(150, "150 ok (-3 bytes)"), -1},
		{reply(125, "125 Data connection already open (5 bytes)"), -1},
	}
	for _, tt := range tests {
		if got := parse150Size(tt.r); got != tt.want {
			t.Errorf("%q: got %d, want %d", tt.r.Lines, got, tt.want)
		}
	}
}

func TestParseMDTM(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"20240102030405", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{" 20240102030405 ", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"20240102030405.5", time.Date(2024, 1, 2, 3, 4, 5, 500_000_000, time.UTC)},
		{"20240102030405.123", time.Date(2024, 1, 2, 3, 4, 5, 123_000_000, time.UTC)},
		{"20240102030405.123456789", time.Date(2024, 1, 2, 3, 4, 5, 123_456_789, time.UTC)},
		{"20240229000000", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := parseMDTM(tt.in)
		if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("%q: got %v %v, want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{
		"", "2024010203040", "202401020304055", "2024010203040a", "20241302030405",
		"20240002030405", "20240132030405", "20240102250405", "20240102036005",
		"20230229000000", "20240102030405.", "20240102030405.1234567890",
		"20240102030405.x", "20240102030405.-1", "+2024010203040", "2024-1-2 3:04:05",
	} {
		_, err := parseMDTM(in)
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			t.Errorf("%q: err = %v, want *ProtocolError", in, err)
		}
	}
}

func TestFileName(t *testing.T) {
	tests := []struct {
		r    *Reply
		want string
	}{
		{reply(150, "150 FILE: ftp12345"), "ftp12345"},
		{reply(150, "150 FILE: name with space.txt"), "name with space.txt"},
		{reply(226, "226 Transfer complete (unique file name: u.1)."), "u.1"},
		{reply(250, `250 File name: "quoted"`), "quoted"},
		{reply(150, "150 Opening data connection"), ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := fileName(tt.r); got != tt.want {
			var lines []string
			if tt.r != nil {
				lines = tt.r.Lines
			}
			t.Errorf("%q: got %q, want %q", lines, got, tt.want)
		}
	}
}

func TestParseFeatures(t *testing.T) {
	r := reply(211,
		"211-Features:",
		" MDTM",
		" MLST type*;size*;modify*;",
		" utf8",
		"REST STREAM", // no leading space: tolerated
		"",
		" HASH SHA-256*;SHA-1;MD5",
		"211 End")
	got := parseFeatures(r)
	want := Features{
		"MDTM": "",
		"MLST": "type*;size*;modify*;",
		"UTF8": "",
		"REST": "STREAM",
		"HASH": "SHA-256*;SHA-1;MD5",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("features (-want +got):\n%s", diff)
	}
	if !got.Has("utf8") || !got.Has("Mlst") || got.Has("EPSV") {
		t.Error("Has is not case-insensitive or invents features")
	}
	if got.Param("mlst") != "type*;size*;modify*;" {
		t.Errorf("Param(mlst) = %q", got.Param("mlst"))
	}
	if f := parseFeatures(reply(211, "211 no features")); len(f) != 0 {
		t.Errorf("single-line 211: %v", f)
	}
}

func TestHashValue(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	tests := []struct {
		msg, algo, want string
		ok              bool
	}{
		{"SHA-256 0-99 " + sha + " file.txt", HashSHA256, sha, true},
		{strings.ToUpper(sha), HashSHA256, sha, true},
		{"file " + strings.Repeat("0", 40), HashSHA1, strings.Repeat("0", 40), true},
		{"1a2b3c4d", HashCRC32, "1a2b3c4d", true},
		{"CRC32 of file is 1a2b3c", HashCRC32, "001a2b3c", true}, // leading zeros dropped by the server
		{"cafe 1a2b3c", HashCRC32, "", false},                    // two candidates: ambiguous
		{"SHA-256 0-99 " + sha[:63] + "z file", HashSHA256, "", false},
		{"no checksum here", HashMD5, "", false},
	}
	for _, tt := range tests {
		got, ok := hashValue(tt.msg, tt.algo)
		if got != tt.want || ok != tt.ok {
			t.Errorf("hashValue(%q, %s) = %q %v, want %q %v", tt.msg, tt.algo, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCRLFReader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\r\nb\r\n", "a\nb\n"},
		{"a\rb\r\n", "a\rb\n"}, // lone CR is data: ftplib splits the line there
		{"a\r", "a\r"},         // CR at the very end
		{"\r\r\n", "\r\n"},
		{"\n\n", "\n\n"},
		{"", ""},
	}
	for _, tt := range tests {
		for name, wrap := range map[string]func(io.Reader) io.Reader{
			"whole":    func(r io.Reader) io.Reader { return r },
			"one byte": iotest.OneByteReader,
			"half":     iotest.HalfReader,
		} {
			got, err := io.ReadAll(&crlfReader{r: wrap(strings.NewReader(tt.in))})
			if err != nil || string(got) != tt.want {
				t.Errorf("%q (%s): got %q %v, want %q", tt.in, name, got, err, tt.want)
			}
			// Reads into a one-byte buffer exercise the CR held across calls.
			got, err = io.ReadAll(iotest.OneByteReader(&crlfReader{r: wrap(strings.NewReader(tt.in))}))
			if err != nil || string(got) != tt.want {
				t.Errorf("%q (%s, 1-byte reads): got %q %v, want %q", tt.in, name, got, err, tt.want)
			}
		}
	}
	// An error after the data is passed on after a pending CR.
	boom := errors.New("boom")
	got, err := io.ReadAll(&crlfReader{r: io.MultiReader(strings.NewReader("x\r"), iotest.ErrReader(boom))})
	if string(got) != "x\r" || !errors.Is(err, boom) {
		t.Errorf("error after CR: got %q %v", got, err)
	}
}

func TestLFWriterSource(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\nb\n", "a\r\nb\r\n"},
		{"a\r\nb", "a\r\nb"}, // already CRLF: unchanged
		{"\n", "\r\n"},
		{"a\rb", "a\rb"},
		{"", ""},
		{strings.Repeat("x", 16384), strings.Repeat("x", 16384)}, // no newline at all
	}
	for _, tt := range tests {
		for _, wrap := range []func(io.Reader) io.Reader{
			func(r io.Reader) io.Reader { return r }, iotest.OneByteReader,
		} {
			got, err := io.ReadAll(&lfWriterSource{r: wrap(strings.NewReader(tt.in))})
			if err != nil || !bytes.Equal(got, []byte(tt.want)) {
				t.Errorf("%q: got %q %v, want %q", clip(tt.in), clip(string(got)), err, clip(tt.want))
			}
		}
	}
}

// TestErrorsOnOneLine: a multi-line refusal and errors joined by the
// library print on one line, parts joined with ": ".
func TestErrorsOnOneLine(t *testing.T) {
	refusal := &Error{Code: 550, Msg: "Can't open:\nNo such file", Cmd: "RETR f"}
	if got, want := refusal.Error(), "ftp: RETR f: 550 Can't open: No such file"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	cause := errors.New("data connection: reset")
	joined := joinErrors(refusal, nil, cause)
	if got, want := joined.Error(), "ftp: RETR f: 550 Can't open: No such file: data connection: reset"; got != want {
		t.Errorf("joined = %q, want %q", got, want)
	}
	if !errors.Is(joined, cause) || !errors.Is(joined, fs.ErrNotExist) {
		t.Errorf("joined error lost its parts: %v", joined)
	}
	// A fallback's error joined after the first names the library once.
	list := &Error{Code: 550, Msg: "No such file or directory.", Cmd: "LIST d"}
	if got, want := joinErrors(&Error{Code: 501, Msg: "No such directory.", Cmd: "MLSD d"}, list).Error(),
		"ftp: MLSD d: 501 No such directory.: LIST d: 550 No such file or directory."; got != want {
		t.Errorf("joined = %q, want %q", got, want)
	}
	if joinErrors(nil, nil) != nil {
		t.Error("joinErrors of nils is not nil")
	}
}

// TestFeaturesIsACopy: changing the map Features returns does not change
// what the Conn knows.
func TestFeaturesIsACopy(t *testing.T) {
	c := &Conn{feat: &Features{"MLST": "type*;"}}
	f, err := c.Features(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	delete(f, "MLST")
	f["HASH"] = "SHA-256"
	if g, _ := c.Features(context.Background()); !g.Has("MLST") || g.Has("HASH") {
		t.Fatalf("the Conn's features changed through the returned map: %v", g)
	}
}
