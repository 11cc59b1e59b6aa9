package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/ferryftp/ftp/transfer"
)

// reporter presents a transfer command: a bar on a terminal (one total
// bar for many files), a line per file with -v, JSON Lines with --json,
// every failure on stderr as it happens, and a one-line summary. It is the
// transfer.Progress of the command's Copier.
type reporter struct {
	a       *app
	op      string // "get", "put", "mirror", "apply": the summary's label
	many    bool   // a tree or several files: one total bar, a summary
	verbose bool

	// explain, when set, is the failure of a file as shown and as the
	// exit status sees it; by default its operation, path and error.
	explain func(transfer.Result) error

	meter transfer.Meter
	p     *mpb.Progress
	bar   *mpb.Bar
	width int // the terminal's columns
	// restoreEcho undoes quietControlEcho when the bars are gone.
	restoreEcho func()

	mu     sync.Mutex
	first  error // the first file's failure, for the exit status
	failed int
}

// newReporter starts the presentation of one command; bars false draws
// none even on a terminal.
func (a *app) newReporter(op string, many, verbose, bars bool) *reporter {
	r := &reporter{a: a, op: op, many: many, verbose: verbose}
	r.meter.Next = (*barEvents)(r)
	if bars && a.stderrTTY && !a.g.Quiet && !a.g.NoProgress && !a.g.JSON && a.g.Debug == 0 {
		r.width = 80
		if f, ok := underlying(a.stderr).(*os.File); ok {
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
				r.width = w
			}
		}
		r.restoreEcho = quietControlEcho(underlying(a.stderr))
		// mpb draws in place only on the terminal's *os.File; while the
		// bars are up, other lines go through them (above), not around.
		r.p = mpb.New(mpb.WithOutput(underlying(a.stderr)), mpb.WithAutoRefresh(), mpb.WithWidth(r.barWidth()),
			mpb.WithRefreshRate(150*time.Millisecond))
	}
	return r
}

// progress is what the Copier reports to.
func (r *reporter) progress() transfer.Progress { return &r.meter }

// barWidth leaves room for the text beside the bar, so that a line never
// wraps (a wrapped line leaves ghosts behind when redrawn).
func (r *reporter) barWidth() int {
	text := 52
	if r.narrow() {
		text = 30
	}
	return max(r.width-text-1, 4)
}

func (r *reporter) narrow() bool { return r.width < 72 }

// startBar draws the bar: for many files, the total; for one, that file.
func (r *reporter) startBar(name string, size int64) {
	if r.p == nil || r.bar != nil {
		return
	}
	label := "total"
	if !r.many {
		label = shorten(name, 20)
		if r.narrow() {
			label = shorten(name, 10)
		}
	}
	r.bar = r.p.AddBar(max(size, 0),
		mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Name(label, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return r.status() })),
	)
}

// status is the text beside the bar: files, bytes, the rate averaged over
// the transfer so far, and the time left at that rate.
func (r *reporter) status() string {
	s := r.meter.Snapshot()
	eta := "--:--"
	if s.ETA >= 0 {
		eta = clock(s.ETA)
	}
	if r.narrow() {
		if r.many {
			return fmt.Sprintf("%d/%d %s %s/s %s", s.Done, s.Files, size(s.Bytes), size(int64(s.Rate)), eta)
		}
		return fmt.Sprintf("%s %s/s %s", size(s.Bytes), size(int64(s.Rate)), eta)
	}
	files := ""
	if r.many {
		files = fmt.Sprintf("%d/%d files  ", s.Done, s.Files)
	}
	return fmt.Sprintf("%s%s / %s  %s/s  ETA %s", files, size(s.Bytes), size(s.Total), size(int64(s.Rate)), eta)
}

// barEvents moves the bar and prints per-file lines; it is the Meter's
// Next, so the Meter's totals are up to date when it runs.
type barEvents reporter

func (b *barEvents) Planned(files int, bytes int64) {
	r := (*reporter)(b)
	if !r.many {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.startBar("", 0)
	if r.bar != nil {
		r.bar.SetTotal(r.meter.Snapshot().Total, false)
	}
}

func (b *barEvents) Started(name string, size, resumed int64) {
	r := (*reporter)(b)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.many {
		r.startBar("", 0)
		if r.bar != nil && resumed > 0 {
			r.bar.IncrInt64(resumed)
		}
		return
	}
	if size >= 0 && resumed >= size {
		return // already complete: no "0 b / 0 b" bar
	}
	r.meter.Planned(0, max(size, 0))
	r.startBar(name, size)
	if r.bar != nil && resumed > 0 {
		r.bar.SetCurrent(resumed)
	}
}

func (b *barEvents) Moved(_ string, n int64) {
	r := (*reporter)(b)
	r.mu.Lock()
	bar := r.bar
	r.mu.Unlock()
	if bar != nil {
		bar.IncrInt64(n)
	}
}

func (b *barEvents) Finished(res transfer.Result) {
	r := (*reporter)(b)
	var shown error
	if res.Err != nil {
		shown = &opError{Op: string(res.Op), Path: resultPath(res), Err: res.Err}
		if r.explain != nil {
			shown = r.explain(res)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if res.Err != nil {
		r.failed++
		if r.first == nil {
			r.first = shown
		}
	}
	if r.a.g.JSON {
		_ = writeJSON(r.a.stdout, resultJSON(res))
		return
	}
	if res.Err != nil {
		if !errors.Is(res.Err, context.Canceled) && r.many {
			msg := Message(shown)
			if h := r.a.hint(shown); h != "" {
				msg += "; " + h
			}
			r.above(r.a.stderr, "ferry: "+r.a.creds.scrub(msg)+"\n")
		}
		return
	}
	if r.verbose && !r.a.g.Quiet && res.Op != transfer.OpMkdir {
		line := fmt.Sprintf("%s %s", res.Op, printable(resultPath(res)))
		switch {
		case res.Unchanged:
			line += " (unchanged)"
		case res.Op == transfer.OpGet || res.Op == transfer.OpPut:
			line += fmt.Sprintf(" (%s)", size(max(res.Size, 0)))
			if res.Resumed > 0 {
				line += fmt.Sprintf(", resumed after %s", size(res.Resumed))
			}
		}
		if res.Restarted {
			line += ", sent again from the start: the server refuses both REST and APPE"
		}
		r.above(r.a.stdout, line+"\n")
	} else if res.Restarted && !r.a.g.Quiet {
		r.above(r.a.stderr, fmt.Sprintf("ferry: %s: the server refuses both REST and APPE; sent again from the start\n", res.Remote))
	}
}

// above prints a line above the bar on a terminal, else to w.
func (r *reporter) above(w io.Writer, line string) {
	if r.p != nil && (w == r.a.stderr || r.a.stdoutTTY) {
		if _, err := io.WriteString(r.p, line); err == nil {
			return
		}
	}
	io.WriteString(w, line)
}

func resultPath(res transfer.Result) string {
	if res.Op == transfer.OpPut {
		return res.Remote
	}
	if res.Remote == "" {
		return res.Local
	}
	return res.Remote
}

// done removes the bar (none is left behind, whether the command finished
// or was interrupted), then prints the summary: one line, or a JSON
// object. It returns the command's error: err, or the first file's
// failure, as an exit status after the failures were printed.
func (r *reporter) done(ctx context.Context, sum *transfer.Summary, err error) error {
	r.mu.Lock()
	bar := r.bar
	r.mu.Unlock()
	if bar != nil {
		if ctx.Err() != nil || err != nil {
			bar.Abort(true)
		} else {
			bar.SetTotal(-1, true)
		}
	}
	if r.p != nil {
		r.p.Wait()
		r.restoreEcho()
	}
	if sum != nil && (r.many || r.a.g.JSON) {
		if r.a.g.JSON {
			_ = writeJSON(r.a.stdout, summaryJSON(r.op, sum))
		} else if !r.a.g.Quiet {
			fmt.Fprintln(r.a.stderr, r.summaryLine(sum))
		}
	}
	if cerr := ctx.Err(); cerr != nil {
		// Interrupted: say so, keeping what the failure says (a kept
		// .part file).
		if err == nil || errors.Is(err, cerr) {
			return cmp.Or(err, cerr)
		}
		return errors.Join(cerr, err)
	}
	var be *transfer.BatchError
	if errors.As(err, &be) {
		r.mu.Lock()
		first := r.first
		r.mu.Unlock()
		if first == nil && len(be.Failed) > 0 {
			first = be.Failed[0].Err
		}
		return &statusError{code: ExitCode(first)}
	}
	return err
}

func (r *reporter) summaryLine(s *transfer.Summary) string {
	line := fmt.Sprintf("%s: %d transferred (%s)", r.op, s.Files, size(s.Bytes))
	if s.Unchanged > 0 {
		line += fmt.Sprintf(", %d unchanged", s.Unchanged)
	}
	if s.Deleted > 0 {
		line += fmt.Sprintf(", %d deleted", s.Deleted)
	}
	if s.Failed > 0 {
		line += fmt.Sprintf(", %d failed", s.Failed)
	}
	line += fmt.Sprintf(" in %s", s.Duration.Round(10*time.Millisecond))
	if st := r.meter.Snapshot(); st.Rate > 0 {
		line += fmt.Sprintf(", %s/s", size(int64(st.Rate)))
	}
	return line
}

// resultJSON is one file's result for --json.
type resultJSONT struct {
	Op          string  `json:"op"`
	Remote      string  `json:"remote,omitempty"`
	Local       string  `json:"local,omitempty"`
	Size        *int64  `json:"size"`
	Transferred int64   `json:"transferred"`
	Resumed     int64   `json:"resumed,omitempty"`
	Checksum    string  `json:"checksum,omitempty"`
	Unchanged   bool    `json:"unchanged,omitempty"`
	Restarted   bool    `json:"restarted,omitempty"`
	Seconds     float64 `json:"seconds"`
	Error       string  `json:"error,omitempty"`
}

func resultJSON(res transfer.Result) resultJSONT {
	j := resultJSONT{Op: string(res.Op), Remote: res.Remote, Local: res.Local, Transferred: res.Transferred,
		Resumed: res.Resumed, Checksum: res.Checksum, Unchanged: res.Unchanged, Restarted: res.Restarted,
		Seconds: res.Duration.Seconds()}
	if res.Size >= 0 {
		n := res.Size
		j.Size = &n
	}
	if res.Err != nil {
		j.Error = Message(res.Err)
	}
	return j
}

type summaryJSONT struct {
	Summary struct {
		Op        string  `json:"op"`
		Files     int     `json:"files"`
		Unchanged int     `json:"unchanged"`
		Deleted   int     `json:"deleted"`
		Failed    int     `json:"failed"`
		Bytes     int64   `json:"bytes"`
		Seconds   float64 `json:"seconds"`
	} `json:"summary"`
}

func summaryJSON(op string, s *transfer.Summary) summaryJSONT {
	var j summaryJSONT
	j.Summary.Op, j.Summary.Files, j.Summary.Unchanged, j.Summary.Deleted = op, s.Files, s.Unchanged, s.Deleted
	j.Summary.Failed, j.Summary.Bytes, j.Summary.Seconds = s.Failed, s.Bytes, s.Duration.Seconds()
	return j
}

// size formats a byte count for people: 0 B, 999 B, 1.2 KiB, 3.4 MiB.
func size(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	f, unit := float64(n), 0
	for f >= 1024 && unit < 5 {
		f /= 1024
		unit++
	}
	return fmt.Sprintf("%.1f %ciB", f, " KMGTP"[unit])
}

// clock formats a duration as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// shorten cuts a name to at most n bytes for a bar label, keeping its
// end and whole runes. The mark is "...", not "…": the bars measure their
// text with go-runewidth, whose first look at a rune from U+0300 up fills
// a 2 MiB table, which an ASCII name then never costs.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n + len("...")
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return "..." + s[i:]
}
