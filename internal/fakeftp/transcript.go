package fakeftp

import (
	"github.com/rogpeppe/go-internal/txtar"

	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ParseError reports a line of a transcript that cannot be parsed.
type ParseError struct {
	File string // file name inside the archive, or "" for ParseTranscript
	Line int    // 1-based
	Text string
	Msg  string
}

// Error names the file and line, as compilers do.
func (e *ParseError) Error() string {
	return fmt.Sprintf("fakeftp: transcript %s:%d: %s: %q", e.File, e.Line, e.Msg, e.Text)
}

// ParseTranscript turns transcript text into a Script; the package comment
// documents the format.
func ParseTranscript(text []byte) (Script, error) { return parseTranscript("", text) }

func parseTranscript(name string, text []byte) (Script, error) {
	var sc Script
	var run []string // lines of the S:, D> or D< run being collected
	var runKind string
	flush := func() {
		switch runKind {
		case "S:":
			sc = append(sc, Reply(run...))
		case "D>":
			sc = append(sc, SendData(strings.Join(run, "\r\n")+"\r\n"))
		case "D<":
			sc = append(sc, ExpectData(strings.Join(run, "\r\n")+"\r\n"))
		}
		run, runKind = nil, ""
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
		line = strings.TrimSuffix(line, "\r")
		fail := func(msg string) error { return &ParseError{File: name, Line: i + 1, Text: line, Msg: msg} }
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, arg := line, ""
		if len(line) >= 2 && strings.Contains("SCD", line[:1]) && strings.Contains(":~!<>", line[1:2]) {
			kind, arg = line[:2], strings.TrimPrefix(line[2:], " ")
		}
		if kind != runKind {
			flush()
		}
		switch kind {
		case "S:":
			if hasPlaceholder(arg) {
				flush() // replies before it go first
				sc = append(sc, Passive(arg))
				continue
			}
			run, runKind = append(run, arg), kind
		case "D>", "D<":
			run, runKind = append(run, arg), kind
		case "C:":
			sc = append(sc, Expect(arg))
		case "C~":
			sc = append(sc, ExpectMatch(arg))
		case "C!":
			sc = append(sc, ExpectUrgent(arg))
		default:
			st, err := directive(line)
			if err != nil {
				return nil, fail(err.Error())
			}
			sc = append(sc, st)
		}
	}
	flush()
	return sc, nil
}

func directive(line string) (Step, error) {
	word, arg, _ := strings.Cut(line, " ")
	if word != "sleep" && arg != "" {
		return Step{}, fmt.Errorf("%s takes no argument", word)
	}
	switch word {
	case "connect":
		return Connect(), nil
	case "close-data":
		return CloseData(), nil
	case "reset-data":
		return ResetData(), nil
	case "read-data":
		return ReadData(), nil
	case "close":
		return CloseControl(), nil
	case "close-write":
		return CloseWrite(), nil
	case "reset":
		return ResetControl(), nil
	case "eof":
		return ExpectEOF(), nil
	case "stall":
		return Stall(), nil
	case "optional":
		return Optional(), nil
	case "sleep":
		d, err := time.ParseDuration(arg)
		if err != nil || d < 0 {
			return Step{}, fmt.Errorf("sleep wants a duration such as 50ms")
		}
		return Sleep(d), nil
	}
	return Step{}, fmt.Errorf("unknown directive")
}

func hasPlaceholder(s string) bool {
	for _, p := range []string{"{h}", "{p1}", "{p2}", "{port}", "{ip}"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// LoadScripts reads a txtar archive (github.com/rogpeppe/go-internal/txtar,
// the format of Go's own test scripts) and parses each file whose name ends
// in ".ftp" as the script of one control connection, in archive order. Other
// files are ignored, so an archive can also hold, say, the listing a test
// expects the client to parse; read them with txtar.ParseFile.
func LoadScripts(path string) ([]Script, error) {
	a, err := txtar.ParseFile(path)
	if err != nil {
		return nil, err
	}
	var scripts []Script
	for _, f := range a.Files {
		if !strings.HasSuffix(f.Name, ".ftp") {
			continue
		}
		sc, err := parseTranscript(filepath.Base(path)+":"+f.Name, f.Data)
		if err != nil {
			return nil, err
		}
		scripts = append(scripts, sc)
	}
	if len(scripts) == 0 {
		return nil, fmt.Errorf("fakeftp: %s holds no .ftp transcript", path)
	}
	return scripts, nil
}

// Replay starts a server (see New) that plays the transcripts of the archive
// at path. A bad archive fails the test at once.
func Replay(t testing.TB, path string) *Server {
	t.Helper()
	scripts, err := LoadScripts(path)
	if err != nil {
		t.Fatal(err)
	}
	return New(t, scripts...)
}
