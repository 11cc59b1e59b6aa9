// Package netrc reads .netrc files, the credentials store shared by ftp(1),
// curl and lftp.
//
// The format is a stream of whitespace-separated tokens: "machine NAME"
// or "default" starts an entry, followed by "login", "password" and
// "account" pairs. "macdef NAME" defines a macro whose body runs to the
// next blank line; macros are skipped. A token may be written in double
// quotes, with backslash escapes, as curl accepts.
package netrc

import (
	"errors"
	"fmt"
	"strings"
)

// ErrSyntax is wrapped by every *SyntaxError.
var ErrSyntax = errors.New("netrc: syntax error")

// SyntaxError reports a malformed netrc file.
type SyntaxError struct {
	Line int    // 1-based line of the offending token
	Msg  string // what is wrong
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("netrc: line %d: %s", e.Line, e.Msg)
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// Machine is one entry of a netrc file.
type Machine struct {
	Name     string // host name; empty for the default entry
	Default  bool   // the "default" entry, which matches every host
	Login    string
	Password string
	Account  string
}

// File is a parsed netrc file: its entries in file order.
type File struct {
	Machines []Machine
}

// Parse parses the contents of a netrc file.
func Parse(data string) (*File, error) {
	toks, err := tokenize(data)
	if err != nil {
		return nil, err
	}
	f := &File{}
	var cur *Machine
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		value := func() (string, error) {
			if i+1 >= len(toks) {
				return "", &SyntaxError{Line: t.line, Msg: fmt.Sprintf("%q needs a value", t.text)}
			}
			i++
			return toks[i].text, nil
		}
		switch t.text {
		case "machine":
			name, err := value()
			if err != nil {
				return nil, err
			}
			f.Machines = append(f.Machines, Machine{Name: name})
			cur = &f.Machines[len(f.Machines)-1]
		case "default":
			f.Machines = append(f.Machines, Machine{Default: true})
			cur = &f.Machines[len(f.Machines)-1]
		case "login", "password", "account":
			v, err := value()
			if err != nil {
				return nil, err
			}
			if cur == nil {
				return nil, &SyntaxError{Line: t.line, Msg: fmt.Sprintf("%q outside a machine entry", t.text)}
			}
			switch t.text {
			case "login":
				cur.Login = v
			case "password":
				cur.Password = v
			default:
				cur.Account = v
			}
		case "macdef":
			// The tokenizer already dropped the macro body; only its name is
			// left here.
			if _, err := value(); err != nil {
				return nil, err
			}
		default:
			return nil, &SyntaxError{Line: t.line, Msg: fmt.Sprintf("unknown keyword %q", t.text)}
		}
	}
	return f, nil
}

// Lookup returns the entry for host, preferring one whose login is login
// when login is not empty. An exact machine entry wins over the default
// entry, which is only used when no machine entry names host. It returns
// nil when nothing matches.
func (f *File) Lookup(host, login string) *Machine {
	var def *Machine
	for i := range f.Machines {
		m := &f.Machines[i]
		if m.Default {
			if def == nil && (login == "" || m.Login == "" || m.Login == login) {
				def = m
			}
			continue
		}
		if !strings.EqualFold(m.Name, host) {
			continue
		}
		if login == "" || m.Login == "" || m.Login == login {
			return m
		}
	}
	return def
}

type token struct {
	text string
	line int
}

// tokenize splits data into tokens, dropping comments and macro bodies.
func tokenize(data string) ([]token, error) {
	var toks []token
	line := 1
	i := 0
	for i < len(data) {
		c := data[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case c == '"':
			start := line
			var b strings.Builder
			i++
			closed := false
			for i < len(data) {
				ch := data[i]
				if ch == '"' {
					i++
					closed = true
					break
				}
				if ch == '\\' && i+1 < len(data) {
					i++
					ch = data[i]
					switch ch {
					case 'n':
						ch = '\n'
					case 't':
						ch = '\t'
					case 'r':
						ch = '\r'
					}
				}
				if ch == '\n' {
					line++
				}
				b.WriteByte(ch)
				i++
			}
			if !closed {
				return nil, &SyntaxError{Line: start, Msg: "unterminated quoted token"}
			}
			toks = append(toks, token{b.String(), start})
		default:
			j := i
			for j < len(data) && !isSpace(data[j]) {
				j++
			}
			word := data[i:j]
			toks = append(toks, token{word, line})
			i = j
			if word == "macdef" {
				n := len(toks)
				i, line = skipMacro(data, i, line, &toks)
				if len(toks) == n {
					return nil, &SyntaxError{Line: toks[n-1].line, Msg: "macdef needs a name on the same line"}
				}
			}
		}
	}
	return toks, nil
}

// skipMacro keeps the macro name that follows "macdef" on the same line
// and skips the macro body, which runs up to the first empty line. It
// returns the position and line number after the body.
func skipMacro(data string, i, line int, toks *[]token) (int, int) {
	for i < len(data) && data[i] != '\n' {
		if isSpace(data[i]) {
			i++
			continue
		}
		k := i
		for k < len(data) && !isSpace(data[k]) {
			k++
		}
		*toks = append(*toks, token{data[i:k], line})
		i = k
	}
	// i is at the newline that ends the macdef line, or at the end.
	for i < len(data) {
		line++
		i++
		if i >= len(data) || data[i] == '\n' {
			break
		}
		for i < len(data) && data[i] != '\n' {
			i++
		}
	}
	return i, line
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
