package integration

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/internal/conformance"
)

var record = flag.Bool("record", false, "record ../testdata/transcripts/*.txtar from the real daemons")

// transcriptDir is where recorded transcripts go, for the client's tests
// to replay (TestRecordedTranscripts in the root package).
const transcriptDir = "../testdata/transcripts"

// TestRecordTranscripts records conformance.TranscriptSession against each
// daemon, over plain FTP, as a transcript internal/fakeftp can replay: what
// the daemons really say, not what someone remembers them saying. It runs
// only with -record; without it, it checks that the session still passes
// against every daemon, so that the recordings can be made again.
func TestRecordTranscripts(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			in := Start(t, kind, Plain)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rec := &recorder{}
			d := ftp.Dialer{Trace: rec.trace(), DialContext: rec.dial}
			c, err := d.Dial(ctx, in.Addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := conformance.TranscriptSession(ctx, c, in.User, in.Password); err != nil {
				t.Fatalf("%v\n%s", err, in.LogTail())
			}
			if rec.err != nil {
				t.Fatal(rec.err)
			}
			if !*record {
				return
			}
			a := &txtar.Archive{
				Comment: fmt.Appendf(nil, "Recorded from %s (%s, Debian package) on loopback, plain FTP, by\n"+
					"go test ./integration -run TestRecordTranscripts -record\n"+
					"and replayed by the client's TestRecordedTranscripts. Do not edit: record again.\n"+
					"USER and PASS are patterns: no credentials are kept.\n", kind, in.Version),
				// eof: the client closes the connection after QUIT.
				Files: []txtar.File{{Name: "control.ftp", Data: []byte(strings.Join(rec.lines, "\n") + "\neof\n")}},
			}
			out := filepath.Join(transcriptDir, strings.ToLower(kind.String())+".txtar")
			if err := os.WriteFile(out, txtar.Format(a), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", out)
		})
	}
}

// recorder turns a Conn's trace hooks and the bytes on its data connections
// into transcript lines (see internal/fakeftp).
type recorder struct {
	mu      sync.Mutex
	lines   []string
	dials   int
	data    *capture // the latest data connection
	lastPre int      // index of the latest 1xx reply line
	err     error
}

var (
	pasvTuple = regexp.MustCompile(`\(\d+,\d+,\d+,\d+,\d+,\d+\)`)
	epsvPort  = regexp.MustCompile(`\(\|\|\|\d+\|\)`)
)

func (r *recorder) add(line string) {
	r.mu.Lock()
	r.lines = append(r.lines, line)
	r.mu.Unlock()
}

func (r *recorder) trace() *ftp.Trace {
	return &ftp.Trace{
		LineSent: func(_ context.Context, line string) {
			verb, _, _ := strings.Cut(line, " ")
			switch strings.ToUpper(verb) {
			case "USER", "PASS", "ACCT":
				r.add("C~ " + verb + " *")
			default:
				r.add("C: " + line)
			}
		},
		LineReceived: func(_ context.Context, line string) {
			switch {
			case strings.HasPrefix(line, "227"):
				line = pasvTuple.ReplaceAllString(line, "({h},{p1},{p2})")
			case strings.HasPrefix(line, "229"):
				line = epsvPort.ReplaceAllString(line, "(|||{port}|)")
			}
			r.add("S: " + line)
			if len(line) >= 4 && line[0] == '1' && line[3] == ' ' {
				r.mu.Lock()
				r.lastPre = len(r.lines)
				r.mu.Unlock()
			}
		},
		TransferDone: func(_ context.Context, info ftp.TransferInfo) {
			if info.Err != nil {
				return
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			events, err := r.data.events()
			if err != nil && r.err == nil {
				r.err = fmt.Errorf("%s %s: %w", info.Command, info.Path, err)
			}
			r.data = nil
			events = append(events, "close-data")
			r.lines = append(r.lines[:r.lastPre], append(events, r.lines[r.lastPre:]...)...)
		},
	}
}

// dial opens the control connection, then data connections that record
// what passes on them.
func (r *recorder) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dials++
	if r.dials == 1 {
		return c, nil
	}
	r.data = &capture{Conn: c}
	return r.data, nil
}

// capture is a data connection that keeps what it reads and writes.
type capture struct {
	net.Conn
	mu          sync.Mutex
	read, wrote bytes.Buffer
}

func (c *capture) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.read.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

func (c *capture) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.mu.Lock()
	c.wrote.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

// events returns the transcript lines for the data the connection carried:
// "D> line" for each line the server sent, "D< line" for each line
// uploaded. Only CRLF-terminated text fits a transcript.
func (c *capture) events() ([]string, error) {
	if c == nil {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	prefix, data := "D> ", c.read.String()
	if c.wrote.Len() > 0 {
		prefix, data = "D< ", c.wrote.String()
	}
	if data == "" {
		return nil, nil
	}
	if !strings.HasSuffix(data, "\r\n") {
		return nil, fmt.Errorf("data %q does not end in CRLF: a transcript cannot hold it", data)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(data, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("data line %q has a bare CR or LF", l)
		}
		out = append(out, prefix+l)
	}
	return out, nil
}
