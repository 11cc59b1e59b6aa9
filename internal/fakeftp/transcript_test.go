package fakeftp_test

import (
	"github.com/rogpeppe/go-internal/txtar"

	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferryftp/ftp/internal/fakeftp"
)

// TestReplayTestdata replays every archive in testdata against a mirror
// client that plays the client's half of the same transcripts.
func TestReplayTestdata(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no testdata archives: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			srv := fakeftp.Replay(t, path)
			a, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range a.Files {
				mirror(t, srv, string(f.Data))
			}
			if err := srv.Wait(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// placeholders turns a quoted Passive template into a regexp whose groups
// are the port numbers.
var placeholders = strings.NewReplacer(
	`\{h\}`, `[0-9,]+`, `\{ip\}`, `[0-9a-f.:]+`,
	`\{p1\}`, `(\d+)`, `\{p2\}`, `(\d+)`, `\{port\}`, `(\d+)`)

// mirror plays the client's side of a transcript: it sends the C: lines,
// checks the S: lines, and handles the data connection.
func mirror(t *testing.T, srv *fakeftp.Server, transcript string) {
	t.Helper()
	c, nc := client(t, srv)
	var data net.Conn
	var ln *net.TCPListener
	var upload []string
	for _, line := range strings.Split(strings.TrimSuffix(transcript, "\n"), "\n") {
		if len(upload) > 0 && !strings.HasPrefix(line, "D< ") {
			io.WriteString(data, strings.Join(upload, "\r\n")+"\r\n")
			data.Close() // the end of an upload is the client closing
			upload = nil
		}
		kind, arg, _ := strings.Cut(line, " ")
		switch kind {
		case "S:":
			got := readLine(t, c)
			if !strings.Contains(arg, "{") {
				if got != arg {
					t.Fatalf("reply %q, want %q", got, arg)
				}
				continue
			}
			re := regexp.MustCompile("^" + placeholders.Replace(regexp.QuoteMeta(arg)) + "$")
			m := re.FindStringSubmatch(got)
			if m == nil {
				t.Fatalf("reply %q does not fit %q", got, arg)
			}
			port, _ := strconv.Atoi(m[len(m)-1])
			if strings.Contains(arg, "{p2}") {
				p1, _ := strconv.Atoi(m[len(m)-2])
				port += p1 << 8
			}
			data = dialData(t, fmt.Sprintf("127.0.0.1:%d", port))
		case "C:", "C!":
			send(t, c, arg)
		case "C~":
			ln = listen(t, "127.0.0.1")
			p := ln.Addr().(*net.TCPAddr).Port
			send(t, c, strings.Replace(arg, "*", fmt.Sprintf("%d,%d", p>>8, p&0xff), 1))
		case "connect":
			d, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			data = d
		case "D>":
			buf := make([]byte, len(arg)+2)
			if _, err := io.ReadFull(data, buf); err != nil || string(buf) != arg+"\r\n" {
				t.Fatalf("data %q, %v; want %q", buf, err, arg)
			}
		case "D<":
			upload = append(upload, arg)
		case "close-data":
			if b, err := io.ReadAll(data); len(b) != 0 || err != nil {
				t.Fatalf("want data EOF, got %q, %v", b, err)
			}
		case "eof":
			nc.Close()
		}
	}
}

func TestParseTranscript(t *testing.T) {
	text := `# a comment
S: 220-a
S: 220 b
C: USER x 
S:  indented
S: 229 (|||{port}|)
D> l1
D> l2
close-data
C~ PORT *
connect
D< up
read-data
reset-data
C! ABOR
sleep 1ms
optional
stall
close-write
close
reset
eof
`
	sc, err := fakeftp.ParseTranscript([]byte(strings.ReplaceAll(text, "220 b\n", "220 b\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range sc {
		got = append(got, st.String())
	}
	want := []string{
		`Reply("220-a", "220 b")`,
		`Expect("USER x ")`,
		`Reply(" indented")`,
		`Passive("229 (|||{port}|)")`,
		`SendData("l1\r\nl2\r\n")`,
		"CloseData()",
		`ExpectMatch("PORT *")`,
		"Connect()",
		`ExpectData("up\r\n")`,
		"ReadData()",
		"ResetData()",
		`ExpectUrgent("ABOR")`,
		"Sleep(1ms)",
		"Optional()",
		"Stall()",
		"CloseWrite()",
		"CloseControl()",
		"ResetControl()",
		"ExpectEOF()",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("steps (-want +got):\n%s", d)
	}
}

func TestParseTranscriptErrors(t *testing.T) {
	for _, text := range []string{
		"S: 220 hi\nbogus line\n",
		"sleep forever\n",
		"close now\n",
		"X: what\n",
	} {
		_, err := fakeftp.ParseTranscript([]byte(text))
		var pe *fakeftp.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: error %v, want a ParseError", text, err)
			continue
		}
		if want := strings.Count(text, "\n"); pe.Line != want {
			t.Errorf("%q: error on line %d, want %d", text, pe.Line, want)
		}
	}
}

func TestLoadScriptsErrors(t *testing.T) {
	if _, err := fakeftp.LoadScripts("testdata/missing.txtar"); err == nil {
		t.Error("missing file: no error")
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"empty.txtar": "only a comment\n-- notes.txt --\nx\n",
		"bad.txtar":   "-- c.ftp --\nS: 220\nwhat\n",
	} {
		p := filepath.Join(dir, name)
		if err := writeFile(p, text); err != nil {
			t.Fatal(err)
		}
		if _, err := fakeftp.LoadScripts(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
