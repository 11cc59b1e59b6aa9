package ftp

import (
	"strings"
)

// checkArg refuses an argument that would end the command line early. RFC
// 959 ends a command with CRLF and has no escape for it, so a CR or LF
// inside a path would let the rest be read as a second command; NUL
// truncates the line in C servers. Nothing is sent when this fails.
func checkArg(verb, arg string) error {
	if i := strings.IndexAny(arg, "\r\n\x00"); i >= 0 {
		what := "a NUL byte"
		switch arg[i] {
		case '\r':
			what = "a carriage return"
		case '\n':
			what = "a line feed"
		}
		// The refused argument is quoted in Error: never a password.
		shown := redact(arg)
		if strings.EqualFold(verb, "PASS") || strings.EqualFold(verb, "ACCT") {
			shown = "****"
		}
		return &ArgumentError{Cmd: verb, Arg: shown, Msg: "argument contains " + what}
	}
	return nil
}

// commandLine joins a verb and its arguments into one line after checking
// each argument. Empty arguments are left out, so "LIST" is sent rather
// than "LIST " (ftplib sends trailing spaces).
func commandLine(verb string, args ...string) (string, error) {
	if err := checkArg(verb, verb); err != nil {
		return "", err
	}
	n := len(verb)
	for _, a := range args {
		if err := checkArg(verb, a); err != nil {
			return "", err
		}
		n += 1 + len(a)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(verb)
	for _, a := range args {
		if a == "" {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(a)
	}
	return b.String(), nil
}

// redact masks what must never reach a log or an error: the arguments of
// PASS and ACCT, whatever their case (ftplib masks only "pass " and "PASS ").
func redact(line string) string {
	verb, _, hasArg := strings.Cut(line, " ")
	if hasArg && (strings.EqualFold(verb, "PASS") || strings.EqualFold(verb, "ACCT")) {
		return verb + " ****"
	}
	return line
}
