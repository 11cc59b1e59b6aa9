package listing

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/listings/*.txt")

// A corpus file holds one listing:
//
//	# provenance and notes (required: a "# Source:" line naming the public
//	# project, test file or bug report the lines come from)
//	# Family: vms           (required: the server family, see TestCorpusSize)
//	# Synthetic: why        (optional: lines not captured from a server; not
//	#                        counted in the corpus size)
//	format: auto            (or a format name to force)
//	syst: UNIX Type: L8     (optional SYST hint)
//	now: 2017-03-10T23:00:00Z
//	zone: UTC               (optional, an IANA name)
//	-- input --             (lines as sent; "-- quoted --" for Go-quoted lines)
//	...
//	-- want --
//	format unix
//	entry file 21 2016-08-08T14:14:00Z minute "name" perm=-rw-r--r-- owner=500 group=500
//	error 3 ErrTime
type corpusCase struct {
	path    string
	source  string
	family  string // the server family the listing comes from
	synth   bool   // "# Synthetic:": not captured from a server, not counted
	opts    Options
	input   []string
	want    []string
	head    []string // everything before "-- want --", kept by -update
	inLines int      // listing lines, for the corpus size check
}

func readCorpus(t *testing.T, path string) corpusCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := corpusCase{path: path}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --") {
			section = strings.TrimSuffix(strings.TrimPrefix(line, "-- "), " --")
			if section != "want" {
				c.head = append(c.head, line)
			}
			continue
		}
		if section != "want" {
			c.head = append(c.head, line)
		}
		switch section {
		case "":
			switch {
			case strings.HasPrefix(line, "# Source:"):
				c.source = strings.TrimSpace(strings.TrimPrefix(line, "# Source:"))
			case strings.HasPrefix(line, "# Synthetic:"):
				c.synth = true
			case strings.HasPrefix(line, "# Family:"):
				c.family = strings.TrimSpace(strings.TrimPrefix(line, "# Family:"))
			case strings.HasPrefix(line, "format:"):
				f, ok := ParseFormat(strings.TrimSpace(strings.TrimPrefix(line, "format:")))
				if !ok {
					t.Fatalf("%s: bad format line %q", path, line)
				}
				c.opts.Format = f
			case strings.HasPrefix(line, "syst:"):
				c.opts.SystHint = strings.TrimSpace(strings.TrimPrefix(line, "syst:"))
			case strings.HasPrefix(line, "now:"):
				now, err := time.Parse(time.RFC3339, strings.TrimSpace(strings.TrimPrefix(line, "now:")))
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				c.opts.Now = now
			case strings.HasPrefix(line, "zone:"):
				loc, err := time.LoadLocation(strings.TrimSpace(strings.TrimPrefix(line, "zone:")))
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				c.opts.Location = loc
			}
		case "input":
			c.input = append(c.input, line)
		case "quoted":
			s, err := strconv.Unquote(line)
			if err != nil {
				t.Fatalf("%s: quoted line %q: %v", path, line, err)
			}
			c.input = append(c.input, s)
		case "want":
			c.want = append(c.want, line)
		default:
			t.Fatalf("%s: unknown section %q", path, section)
		}
	}
	if c.source == "" {
		t.Fatalf("%s: no # Source: provenance line", path)
	}
	if c.family == "" {
		t.Fatalf("%s: no # Family: line (the server family of the listing)", path)
	}
	if c.opts.Now.IsZero() {
		t.Fatalf("%s: no now: line (results must not depend on the clock)", path)
	}
	for _, l := range c.input {
		if !isBlank(l) {
			c.inLines++
		}
	}
	return c
}

// render describes a parse result one line per entry or error.
func render(c corpusCase) []string {
	f := c.opts.Format
	if f == Auto {
		f = Detect(c.input, c.opts.SystHint)
	}
	out := []string{"format " + f.String()}
	entries, errs := Parse(c.input, c.opts)
	for _, e := range entries {
		out = append(out, renderEntry(e))
	}
	for _, err := range errs {
		out = append(out, fmt.Sprintf("error %d %s", err.Line, errName(err.Err)))
	}
	return out
}

func renderEntry(e Entry) string {
	var b strings.Builder
	tm := "-"
	if !e.ModTime.IsZero() {
		tm = e.ModTime.Format(time.RFC3339Nano)
	}
	fmt.Fprintf(&b, "entry %s %d %s %s %s", e.Type, e.Size, tm, e.Precision, strconv.QuoteToASCII(e.Name))
	if e.Target != "" {
		fmt.Fprintf(&b, " target=%+q", e.Target)
	}
	if e.PermKnown {
		fmt.Fprintf(&b, " perm=%s", e.Mode)
	} else if e.Mode.Type() != typeMode(e.Type) {
		fmt.Fprintf(&b, " mode=%s", e.Mode)
	}
	if e.Owner != "" {
		fmt.Fprintf(&b, " owner=%+q", e.Owner)
	}
	if e.Group != "" {
		fmt.Fprintf(&b, " group=%+q", e.Group)
	}
	if e.Dir != "" {
		fmt.Fprintf(&b, " dir=%+q", e.Dir)
	}
	if e.IsCurrentDir() {
		b.WriteString(" cdir")
	}
	if e.IsParentDir() {
		b.WriteString(" pdir")
	}
	return b.String()
}

func errName(err error) string {
	for _, k := range []struct {
		err  error
		name string
	}{
		{ErrNoFormat, "ErrNoFormat"}, {ErrSyntax, "ErrSyntax"}, {ErrTime, "ErrTime"},
		{ErrSize, "ErrSize"}, {ErrName, "ErrName"}, {ErrFacts, "ErrFacts"}, {ErrTruncated, "ErrTruncated"}, {ErrServer, "ErrServer"},
	} {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "unknown(" + err.Error() + ")"
}

func corpusFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "listings", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no corpus files")
	}
	return files
}

// TestCorpus parses every real-world listing of testdata/listings and
// compares the result with the file's want section.
func TestCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			c := readCorpus(t, path)
			got := render(c)
			if *update {
				var b strings.Builder
				for _, l := range c.head {
					b.WriteString(l + "\n")
				}
				b.WriteString("-- want --\n")
				for _, l := range got {
					b.WriteString(l + "\n")
				}
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if len(c.want) == 0 {
				t.Fatal("no want section (run with -update, then review it)")
			}
			n := max(len(got), len(c.want))
			for i := 0; i < n; i++ {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(c.want) {
					w = c.want[i]
				}
				if g != w {
					t.Errorf("result %d:\n got: %s\nwant: %s", i, g, w)
				}
			}
		})
	}
}

// The corpus's promised size: real listing lines, and server families
// (a server product or system whose listing dialect differs from the
// others', named by each file's "# Family:" line).
const (
	corpusMinLines    = 1500
	corpusMinFamilies = 18
)

// TestCorpusSize keeps the corpus at its promised size.
func TestCorpusSize(t *testing.T) {
	perFamily := map[string]int{}
	perFormat := map[Format]int{}
	total := 0
	for _, path := range corpusFiles(t) {
		c := readCorpus(t, path)
		if c.synth {
			continue
		}
		f := c.opts.Format
		if f == Auto {
			f = Detect(c.input, c.opts.SystHint)
		}
		perFormat[f] += c.inLines
		perFamily[c.family] += c.inLines
		total += c.inLines
	}
	t.Logf("corpus: %d lines, %d families %v, per format %v", total, len(perFamily), perFamily, perFormat)
	if total < corpusMinLines {
		t.Errorf("corpus has %d lines, want at least %d", total, corpusMinLines)
	}
	if len(perFamily) < corpusMinFamilies {
		t.Errorf("corpus covers %d server families, want at least %d", len(perFamily), corpusMinFamilies)
	}
}

// TestCorpusDetectVsForced reads every corpus listing twice, once with
// the format detected and once with it forced, and requires the same
// entries and errors: detection must never change what a line means.
func TestCorpusDetectVsForced(t *testing.T) {
	compared, skipped := 0, []string{}
	defer func() { t.Logf("compared %d listings; not compared: %v", compared, skipped) }()
	for _, path := range corpusFiles(t) {
		c := readCorpus(t, path)
		detected := Detect(c.input, c.opts.SystHint)
		forced := c.opts.Format
		if forced == Auto {
			forced = detected
		}
		if forced == Auto {
			skipped = append(skipped, filepath.Base(path)+" (no entries)")
			continue // nothing in the listing is an entry of any format
		}
		if detected != forced {
			// Forced to a format detection does not pick (bad samples of
			// one parser, bare MVS member names): nothing to compare.
			skipped = append(skipped, filepath.Base(path)+" (detected "+detected.String()+")")
			continue
		}
		compared++
		auto, forcedOpts := c.opts, c.opts
		auto.Format, forcedOpts.Format = Auto, forced
		ae, aerrs := Parse(c.input, auto)
		fe, ferrs := Parse(c.input, forcedOpts)
		if len(ae) != len(fe) || len(aerrs) != len(ferrs) {
			t.Errorf("%s: detected %d entries, %d errors; forced %v %d entries, %d errors",
				path, len(ae), len(aerrs), forced, len(fe), len(ferrs))
			continue
		}
		for i := range ae {
			if a, f := renderEntry(ae[i]), renderEntry(fe[i]); a != f {
				t.Errorf("%s: entry %d detected %s, forced %s", path, i, a, f)
			}
		}
		for i := range aerrs {
			if aerrs[i].Line != ferrs[i].Line || errName(aerrs[i].Err) != errName(ferrs[i].Err) {
				t.Errorf("%s: error %d detected %v, forced %v", path, i, aerrs[i], ferrs[i])
			}
		}
	}
}
