package ftp

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"unicode"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/: replies recorded from
// vsftpd, ProFTPD, Pure-FTPd, IIS and the hostile cases of the ftplib
// specification.

// FuzzReplyReader feeds arbitrary bytes to the reply reader with small
// limits: it must never panic, never return a line or reply over the limits,
// and every multi-line reply must end exactly at its code followed by a
// space (or the end of the line).
func FuzzReplyReader(f *testing.F) {
	f.Add([]byte("220 welcome\r\n"))
	f.Add([]byte("220-a\r\n2200 b\r\n220 c\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxLine, maxReply = 64, 256
		rr := newReplyReader(bytes.NewReader(data), maxLine, maxReply)
		for i := 0; ; i++ {
			r, err := rr.read()
			if err != nil {
				var pe *ProtocolError
				if !errors.As(err, &pe) && !errors.Is(err, errServerClosed) {
					t.Fatalf("reply %d: unexpected error type %T: %v", i, err, err)
				}
				return
			}
			if i > len(data) {
				t.Fatal("more replies than input bytes")
			}
			checkReply(t, r, maxLine, maxReply)
		}
	})
}

func checkReply(t *testing.T, r *Reply, maxLine, maxReply int) {
	t.Helper()
	if r.Code < 100 || r.Code > 599 || len(r.Lines) == 0 {
		t.Fatalf("bad reply %+v", r)
	}
	size := 0
	ends := func(l string) bool { return atoi3(l) == r.Code && (len(l) == 3 || l[3] == ' ') }
	for i, l := range r.Lines {
		if len(l) > maxLine {
			t.Fatalf("line of %d bytes over the %d limit", len(l), maxLine)
		}
		if strings.ContainsRune(l, '\n') {
			t.Fatalf("line %q holds a line feed", l)
		}
		size += len(l) + 1
		if i > 0 && i < len(r.Lines)-1 && ends(l) {
			t.Fatalf("reply %q continues past its end at line %d", r.Lines, i)
		}
	}
	if size > maxReply+maxLine+1 {
		t.Fatalf("reply of %d bytes over the %d limit", size, maxReply)
	}
	first := r.Lines[0]
	if atoi3(first) != r.Code {
		t.Fatalf("first line %q does not carry code %d", first, r.Code)
	}
	if len(r.Lines) == 1 {
		if !ends(first) {
			t.Fatalf("single-line reply %q is not complete", first)
		}
	} else if first[3] != '-' || !ends(r.Lines[len(r.Lines)-1]) {
		t.Fatalf("multi-line reply %q does not start with %d- and end with %d", r.Lines, r.Code, r.Code)
	}
	_ = r.Message()
}

func FuzzParsePASV(f *testing.F) {
	f.Add("227 Entering Passive Mode (127,0,0,1,4,1).")
	f.Fuzz(func(t *testing.T, line string) {
		ip, port, err := parsePASV(&Reply{Code: 227, Lines: []string{line}})
		if err != nil {
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ProtocolError", err, err)
			}
			return
		}
		ip4 := ip.To4()
		if ip4 == nil || port < 1 || port > 65535 {
			t.Fatalf("%q: got %v:%d", line, ip, port)
		}
		// What was read must read back the same when formatted canonically.
		again := "227 (" + strings.Join([]string{strconv.Itoa(int(ip4[0])), strconv.Itoa(int(ip4[1])), strconv.Itoa(int(ip4[2])), strconv.Itoa(int(ip4[3])), strconv.Itoa(port >> 8), strconv.Itoa(port & 0xff)}, ",") + ")"
		ip2, port2, err := parsePASV(&Reply{Code: 227, Lines: []string{again}})
		if err != nil || !ip2.Equal(ip) || port2 != port {
			t.Fatalf("%q read as %v:%d, %q as %v:%d %v", line, ip, port, again, ip2, port2, err)
		}
	})
}

func FuzzParseEPSV(f *testing.F) {
	f.Add("229 Entering Extended Passive Mode (|||6446|)")
	f.Fuzz(func(t *testing.T, line string) {
		port, err := parseEPSV(&Reply{Code: 229, Lines: []string{line}})
		if err != nil {
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ProtocolError", err, err)
			}
			return
		}
		if port < 1 || port > 65535 {
			t.Fatalf("%q: port %d", line, port)
		}
		if !strings.Contains(line, strconv.Itoa(port)) {
			t.Fatalf("%q: port %d is not in the reply", line, port)
		}
	})
}

// FuzzParse257 checks that arbitrary replies do not break the parser, and
// that any path without a line break survives quoting as RFC 959 asks
// (embedded quotes doubled).
func FuzzParse257(f *testing.F) {
	f.Add(`257 "/foo/b""ar" created`)
	f.Fuzz(func(t *testing.T, text string) {
		lines := strings.Split(text, "\n")
		if _, err := parse257(&Reply{Code: 257, Lines: lines}); err != nil {
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ProtocolError", err, err)
			}
		}
		path := strings.ReplaceAll(text, "\n", "")
		quoted := `257 "` + strings.ReplaceAll(path, `"`, `""`) + `" is the current directory`
		got, err := parse257(&Reply{Code: 257, Lines: []string{quoted}})
		if err != nil || got != path {
			t.Fatalf("%q: got %q, %v; want %q", quoted, got, err, path)
		}
	})
}

// FuzzFeatures reads arbitrary FEAT bodies: every feature found is an
// upper-cased word that Has finds in any case.
func FuzzFeatures(f *testing.F) {
	f.Add(" MDTM\n MLST type*;size*;\n UTF8")
	f.Fuzz(func(t *testing.T, body string) {
		lines := append([]string{"211-Features:"}, strings.Split(body, "\n")...)
		lines = append(lines, "211 End")
		feats := parseFeatures(&Reply{Code: 211, Lines: lines})
		for name, param := range feats {
			// RFC 2389 separates name and parameters with a space; a tab
			// or a bare CR (kept inside a line by the reply reader) stays
			// in the name, which then matches nothing: harmless.
			if name == "" || strings.ContainsAny(name, " \n") || name != strings.ToUpper(name) {
				t.Fatalf("feature name %q", name)
			}
			if !feats.Has(name) || feats.Param(name) != param {
				t.Fatalf("Has/Param miss %q", name)
			}
			// Case folding is checked for ASCII names only: the Kelvin
			// sign upper-cases to itself but lower-cases to "k".
			if isASCII(name) && (!feats.Has(strings.ToLower(name)) || feats.Param(strings.ToLower(name)) != param) {
				t.Fatalf("Has/Param miss %q in lower case", name)
			}
			if param != strings.TrimSpace(param) {
				t.Fatalf("parameter %q not trimmed", param)
			}
		}
		if len(feats) > len(lines) {
			t.Fatalf("%d features from %d lines", len(feats), len(lines))
		}
	})
}

// FuzzParseMDTM: an accepted time value reads back as what was sent.
func FuzzParseMDTM(f *testing.F) {
	f.Add("20240102030405.123")
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseMDTM(s)
		if err != nil {
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ProtocolError", err, err)
			}
			return
		}
		v := strings.TrimFunc(s, unicode.IsSpace)
		if tm.Location().String() != "UTC" || tm.Nanosecond() >= 1e9 {
			t.Fatalf("%q: %v", s, tm)
		}
		// A leap second (60) is accepted and carried into the next minute.
		if v[12:14] != "60" && tm.Format("20060102150405") != v[:14] {
			t.Fatalf("%q read as %v", s, tm)
		}
	})
}

// FuzzASCII: the CRLF-to-LF conversion does not depend on how the input is
// split into reads, drops exactly one byte per CRLF, and keeps everything
// else; the reverse conversion adds a CR before each LF not preceded by one.
func FuzzASCII(f *testing.F) {
	f.Add([]byte("a\r\nb\rc\n\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, err := io.ReadAll(&crlfReader{r: bytes.NewReader(data)})
		if err != nil {
			t.Fatal(err)
		}
		split, err := io.ReadAll(iotest.OneByteReader(&crlfReader{r: iotest.OneByteReader(bytes.NewReader(data))}))
		if err != nil || !bytes.Equal(whole, split) {
			t.Fatalf("%q: whole %q, byte by byte %q (%v)", data, whole, split, err)
		}
		if want := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")); !bytes.Equal(whole, want) {
			// ReplaceAll works left to right without overlap, as the
			// reader does, so the two must agree.
			t.Fatalf("%q: got %q, want %q", data, whole, want)
		}
		up, err := io.ReadAll(&lfWriterSource{r: iotest.HalfReader(bytes.NewReader(data))})
		if err != nil {
			t.Fatal(err)
		}
		lone := bytes.Count(data, []byte("\n")) - bytes.Count(data, []byte("\r\n"))
		if len(up) != len(data)+lone || bytes.Count(up, []byte("\n")) != bytes.Count(up, []byte("\r\n")) {
			t.Fatalf("%q uploaded as %q", data, up)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
