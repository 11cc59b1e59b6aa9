package cli

import (
	"io"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progress draws transfer bars on stderr: one per transfer, plus a total
// when there are many. A nil *progress draws nothing, which is the case off
// a terminal and with --quiet or --no-progress.
type progress struct {
	p     *mpb.Progress
	many  bool
	mu    sync.Mutex
	total *mpb.Bar
	// totalBytes is the total bar's size, which mpb does not report back.
	totalBytes int64
}

// newProgress returns the bars for one command, or nil when they should
// not be shown. many adds a total bar for totalBytes (0 if not known yet).
func (a *app) newProgress(many bool, totalBytes int64) *progress {
	if !a.stderrTTY || a.g.Quiet || a.g.NoProgress || a.g.Debug > 0 {
		return nil
	}
	return newProgressTo(a.stderr, many, totalBytes)
}

// newProgressTo draws to w, whatever it is.
func newProgressTo(w io.Writer, many bool, totalBytes int64) *progress {
	pr := &progress{
		// The caller decided w is worth drawing on (a terminal), so mpb
		// need not check again.
		p:    mpb.New(mpb.WithOutput(w), mpb.WithAutoRefresh(), mpb.WithWidth(72), mpb.WithRefreshRate(150*time.Millisecond)),
		many: many,
	}
	if many {
		pr.totalBytes = totalBytes
		pr.total = pr.p.AddBar(totalBytes,
			mpb.BarPriority(1<<30),
			mpb.PrependDecorators(decor.Name("total", decor.WCSyncSpaceR)),
			mpb.AppendDecorators(
				decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncSpace),
				decor.AverageSpeed(decor.SizeB1024(0), "% .1f", decor.WCSyncSpace),
			),
		)
	}
	return pr
}

// addTotal grows the total bar when more work is found.
func (pr *progress) addTotal(n int64) {
	if pr == nil || pr.total == nil {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.totalBytes += n
	pr.total.SetTotal(pr.totalBytes, false)
}

// file starts a bar for one transfer of size bytes (-1 if unknown) that
// begins at start (a resumed transfer).
func (pr *progress) file(name string, size, start int64) *fileBar {
	if pr == nil {
		return nil
	}
	total := size
	if total < 0 {
		total = 0
	}
	opts := []mpb.BarOption{
		mpb.PrependDecorators(decor.Name(shorten(name, 28), decor.WCSyncSpaceR)),
		mpb.AppendDecorators(
			decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncSpace),
			decor.EwmaSpeed(decor.SizeB1024(0), "% .1f", 30, decor.WCSyncSpace),
			decor.OnComplete(decor.EwmaETA(decor.ET_STYLE_GO, 30, decor.WCSyncSpace), "done"),
		),
	}
	if pr.many {
		opts = append(opts, mpb.BarRemoveOnComplete())
	}
	b := pr.p.AddBar(total, opts...)
	if start > 0 {
		b.SetCurrent(start)
		if pr.total != nil {
			pr.total.IncrInt64(start)
		}
	}
	return &fileBar{pr: pr, b: b, last: time.Now()}
}

// print writes a line above the bars.
func (pr *progress) print(line string) error {
	_, err := io.WriteString(pr.p, line)
	return err
}

// wait waits for the bars to finish drawing.
func (pr *progress) wait() {
	if pr == nil {
		return
	}
	if pr.total != nil && !pr.total.Completed() {
		pr.total.SetTotal(-1, true)
	}
	pr.p.Wait()
}

// fileBar is one transfer's bar. A nil *fileBar ignores every call.
type fileBar struct {
	pr   *progress
	b    *mpb.Bar
	last time.Time
}

func (fb *fileBar) add(n int) {
	if fb == nil || n <= 0 {
		return
	}
	now := time.Now()
	fb.b.EwmaIncrBy(n, now.Sub(fb.last))
	fb.last = now
	if fb.pr.total != nil {
		fb.pr.total.IncrBy(n)
	}
}

// done completes the bar, or drops it when the transfer failed.
func (fb *fileBar) done(err error) {
	if fb == nil {
		return
	}
	if err != nil {
		fb.b.Abort(fb.pr.many)
		return
	}
	fb.b.SetTotal(-1, true)
}

// reader counts what passes through r on the bar.
func (fb *fileBar) reader(r io.Reader) io.Reader {
	if fb == nil {
		return r
	}
	return &countingReader{r: r, fb: fb}
}

// writer counts what passes through w on the bar.
func (fb *fileBar) writer(w io.Writer) io.Writer {
	if fb == nil {
		return w
	}
	return &countingWriter{w: w, fb: fb}
}

type countingReader struct {
	r  io.Reader
	fb *fileBar
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.fb.add(n)
	return n, err
}

type countingWriter struct {
	w  io.Writer
	fb *fileBar
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.fb.add(n)
	return n, err
}

// shorten cuts a name for a bar label, keeping its end.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n+1:]
}
