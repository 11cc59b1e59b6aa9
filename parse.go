package ftp

import (
	"net"
	"strconv"
	"strings"
	"time"
)

// parsePASV reads a 227 reply: "Entering Passive Mode (h1,h2,h3,h4,p1,p2)".
// The parentheses are optional and spaces around numbers are tolerated, as
// servers vary; every number must be 0-255 and the port 1-65535 (ftplib
// lets the port overflow and wrap to another one).
func parsePASV(r *Reply) (net.IP, int, error) {
	msg := r.Message()
	// The six numbers are the first run of digits and commas with exactly
	// five commas.
	start := strings.IndexAny(msg, "0123456789")
	for start >= 0 {
		end := start
		for end < len(msg) && (msg[end] >= '0' && msg[end] <= '9' || msg[end] == ',' || msg[end] == ' ') {
			end++
		}
		fields := strings.Split(msg[start:end], ",")
		if len(fields) >= 6 {
			var n [6]int
			ok := true
			for i := range n {
				v, err := strconv.Atoi(strings.TrimSpace(fields[i]))
				if err != nil || v < 0 || v > 255 {
					ok = false
					break
				}
				n[i] = v
			}
			if !ok {
				return nil, 0, &ProtocolError{Cmd: "PASV", Msg: "227 reply with a number out of range", Line: clip(r.firstLine())}
			}
			port := n[4]<<8 | n[5]
			if port == 0 {
				return nil, 0, &ProtocolError{Cmd: "PASV", Msg: "227 reply with port 0", Line: clip(r.firstLine())}
			}
			return net.IPv4(byte(n[0]), byte(n[1]), byte(n[2]), byte(n[3])), port, nil
		}
		next := strings.IndexAny(msg[end:], "0123456789")
		if next < 0 {
			break
		}
		start = end + next
	}
	return nil, 0, &ProtocolError{Cmd: "PASV", Msg: "227 reply without an address", Line: clip(r.firstLine())}
}

// parseEPSV reads a 229 reply: "Entering Extended Passive Mode (|||port|)"
// where "|" may be any printable delimiter (RFC 2428 section 3). A
// network protocol and address between the first delimiters, which RFC
// 2428 leaves empty but some servers fill in ("(|1|198.51.100.7|31250|)"),
// are ignored: the data connection goes to the control connection's peer,
// as for PASV (Python's ftplib reads them the same way).
func parseEPSV(r *Reply) (int, error) {
	msg := r.Message()
	bad := func(why string) (int, error) {
		return 0, &ProtocolError{Cmd: "EPSV", Msg: "229 reply " + why, Line: clip(r.firstLine())}
	}
	open := strings.IndexByte(msg, '(')
	if open < 0 {
		return bad("without (|||port|)")
	}
	close := strings.IndexByte(msg[open:], ')')
	if close < 0 {
		return bad("without closing parenthesis")
	}
	body := msg[open+1 : open+close]
	if len(body) < 5 {
		return bad("too short")
	}
	d := body[0]
	fields := strings.Split(body, string(d))
	if d < 33 || d > 126 || len(fields) != 5 || fields[0] != "" || fields[4] != "" {
		return bad("with malformed delimiters")
	}
	digits := fields[3]
	port, err := strconv.Atoi(digits)
	if err != nil || digits == "" || digits[0] == '+' || digits[0] == '-' {
		return bad("with a port that is not a number")
	}
	if port < 1 || port > 65535 {
		return bad("with a port out of range")
	}
	return port, nil
}

// parse257 reads the path in a 257 reply (PWD, MKD). RFC 959 quotes it and
// doubles embedded quotes: `257 "/a ""b"" c" created`. Servers also send it
// unquoted (`257 /home is current directory`) or in a multi-line reply;
// both are read rather than giving up (ftplib returns "").
func parse257(r *Reply) (string, error) {
	msg := r.Message()
	if i := strings.IndexByte(msg, '"'); i >= 0 {
		var b strings.Builder
		for j := i + 1; j < len(msg); j++ {
			if msg[j] == '"' {
				if j+1 < len(msg) && msg[j+1] == '"' {
					b.WriteByte('"')
					j++
					continue
				}
				return b.String(), nil
			}
			if msg[j] == '\n' {
				break
			}
			b.WriteByte(msg[j])
		}
		return "", &ProtocolError{Msg: "257 reply with an unterminated quoted path", Line: clip(r.firstLine())}
	}
	// Unquoted: the path is the first word, if it looks like one.
	first, _, _ := strings.Cut(strings.TrimSpace(msg), "\n")
	word, _, _ := strings.Cut(first, " ")
	if word == "" || !(strings.HasPrefix(word, "/") || strings.ContainsAny(word, "/\\:")) {
		return "", &ProtocolError{Msg: "257 reply without a path", Line: clip(r.firstLine())}
	}
	return word, nil
}

// parse150Size reads the size some servers announce when a transfer starts:
// "150 Opening BINARY mode data connection for f (1234 bytes)". -1 if none.
func parse150Size(r *Reply) int64 {
	if r.Code != 150 {
		return -1
	}
	msg := r.Message()
	i := strings.LastIndex(msg, " bytes)")
	if i < 0 {
		i = strings.LastIndex(msg, " bytes")
		if i < 0 {
			return -1
		}
	}
	j := strings.LastIndexByte(msg[:i], '(')
	if j < 0 {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(msg[j+1:i]), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// parseMDTM reads an RFC 3659 time-val, YYYYMMDDHHMMSS[.sss...], in UTC.
func parseMDTM(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if len(whole) != 14 {
		return time.Time{}, &ProtocolError{Msg: "time value not YYYYMMDDHHMMSS", Line: clip(s)}
	}
	var f [6]int
	widths := [6]int{4, 2, 2, 2, 2, 2}
	pos := 0
	for i, w := range widths {
		v, err := strconv.Atoi(whole[pos : pos+w])
		if err != nil || whole[pos] == '+' || whole[pos] == '-' {
			return time.Time{}, &ProtocolError{Msg: "time value not numeric", Line: clip(s)}
		}
		f[i] = v
		pos += w
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60 {
		return time.Time{}, &ProtocolError{Msg: "time value out of range", Line: clip(s)}
	}
	nsec := 0
	if hasFrac {
		if frac == "" || len(frac) > 9 {
			return time.Time{}, &ProtocolError{Msg: "bad fraction of a second", Line: clip(s)}
		}
		v, err := strconv.Atoi(frac)
		if err != nil || frac[0] == '+' || frac[0] == '-' {
			return time.Time{}, &ProtocolError{Msg: "bad fraction of a second", Line: clip(s)}
		}
		nsec = v
		for i := len(frac); i < 9; i++ {
			nsec *= 10
		}
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], nsec, time.UTC)
	if t.Day() != f[2] {
		return time.Time{}, &ProtocolError{Msg: "time value is not a real date", Line: clip(s)}
	}
	return t, nil
}

// fileName reads the name a server chose for STOU: "150 FILE: name" (RFC
// 1123 4.1.2.9), or "... unique file name: name" in a final reply.
func fileName(r *Reply) string {
	if r == nil {
		return ""
	}
	msg := r.Message()
	for _, marker := range []string{"FILE:", "file name:", "File name:"} {
		if i := strings.Index(msg, marker); i >= 0 {
			name := strings.TrimSpace(msg[i+len(marker):])
			name, _, _ = strings.Cut(name, "\n")
			name = strings.TrimRight(strings.TrimSpace(name), ").")
			return strings.Trim(name, `"`)
		}
	}
	return ""
}
