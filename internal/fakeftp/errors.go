package fakeftp

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInterrupted is wrapped by a StepError when the server was closed (usually
// because the test ended) while the step was still waiting for the client.
var ErrInterrupted = errors.New("test ended before the script finished")

// ErrTimeout is wrapped by a StepError when the client did not do what the step
// waits for within Config.Timeout.
var ErrTimeout = errors.New("timed out waiting for the client")

// ErrNoConnection is wrapped by a StepError when no client connected for a script.
var ErrNoConnection = errors.New("client never connected")

// StepError is a failure of one script step.
type StepError struct {
	Conn int    // index of the control connection, and so of its script
	Step int    // index of the step in that script
	Desc string // what the step was doing, e.g. `Expect("USER anonymous")`
	Err  error
}

// Error names the connection and step, then the cause.
func (e *StepError) Error() string {
	return fmt.Sprintf("fakeftp: conn %d step %d %s: %v", e.Conn, e.Step, e.Desc, e.Err)
}

// Unwrap returns the cause, so errors.Is finds ErrTimeout and the others.
func (e *StepError) Unwrap() error { return e.Err }

// MismatchError reports client input that differs from what the script expected.
// Want and Got are shown quoted, so control bytes and bad UTF-8 stay visible.
type MismatchError struct {
	What string // "client line", "uploaded data", ...
	Want string
	Got  string
}

// Error shows where Want and Got first differ, and both quoted; for long
// values only a window around the difference.
func (e *MismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s mismatch", e.What)
	i := firstDiff(e.Want, e.Got)
	if len(e.Want) > 200 || len(e.Got) > 200 {
		// Long data: show lengths and a window around the first difference only.
		fmt.Fprintf(&b, " at byte %d (want %d bytes, got %d)\n\twant …%q…\n\tgot  …%q…",
			i, len(e.Want), len(e.Got), window(e.Want, i), window(e.Got, i))
		return b.String()
	}
	fmt.Fprintf(&b, " at byte %d\n\twant %q\n\tgot  %q", i, e.Want, e.Got)
	return b.String()
}

func firstDiff(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

func window(s string, i int) string {
	lo, hi := max(0, i-24), min(len(s), i+24)
	return s[lo:hi]
}
