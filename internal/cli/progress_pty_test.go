package cli_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
	"golang.org/x/sys/unix"

	"github.com/ferryftp/ftp/internal/ftptest"
)

// screen replays what was written to a terminal of the given width and
// returns its lines as they end up: enough of a terminal (printing,
// wrapping, CR, LF, cursor up, erase line and below) to see what a user
// is left with once progress bars have been drawn and taken away.
func screen(out string, width int) []string {
	var lines [][]rune
	row, col := 0, 0
	put := func(r rune) {
		for len(lines) <= row {
			lines = append(lines, nil)
		}
		if col >= width {
			row, col = row+1, 0
			for len(lines) <= row {
				lines = append(lines, nil)
			}
		}
		l := lines[row]
		for len(l) <= col {
			l = append(l, ' ')
		}
		l[col] = r
		lines[row] = l
		col++
	}
	csi := regexp.MustCompile(`^\x1b\[([0-9;?]*)([A-Za-z])`)
	for i := 0; i < len(out); {
		if m := csi.FindStringSubmatch(out[i:]); m != nil {
			n, _ := strconv.Atoi(m[1])
			switch m[2] {
			case "A":
				row = max(row-max(n, 1), 0)
			case "K", "J":
				if row < len(lines) && col < len(lines[row]) {
					lines[row] = lines[row][:col]
				}
				if m[2] == "J" && row+1 < len(lines) {
					lines = lines[:row+1]
				}
			}
			i += len(m[0])
			continue
		}
		r := []rune(out[i:])[0]
		i += len(string(r))
		switch r {
		case '\r':
			col = 0
		case '\n':
			row, col = row+1, 0
		default:
			if r >= ' ' {
				put(r) // other control characters do not move the cursor
			}
		}
	}
	var s []string
	for _, l := range lines {
		s = append(s, strings.TrimRight(string(l), " "))
	}
	return s
}

func shown(lines []string) string { return strings.Join(lines, "\n") }

// A mirror on a narrow terminal: one total bar, readable in 40 columns
// (no line longer than the terminal, so nothing wraps into ghosts), gone
// when the mirror ends, and a one-line summary; per-file lines only with
// -v.
func TestMirrorBarOnTerminal(t *testing.T) {
	fsys := afero.NewMemMapFs()
	for i := range 12 {
		afero.WriteFile(fsys, fmt.Sprintf("/tree/f%02d.bin", i), make([]byte, 200_000), 0o644)
	}
	srv := ftptest.New(t, ftptest.Options{FS: fsys, Faults: ftptest.Faults{ReplyDelay: 40 * time.Millisecond}})
	tm := startTerminal(t, t.TempDir(), nil, "--tls", "none", "mirror", "-P", "2", "ftp://"+srv.Addr()+"/tree", "out")
	unix.IoctlSetWinsize(int(tm.master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 40})
	tm.expect(`total`)
	tm.expect(`mirror: 12 transferred \(2\.3 MiB\) in `)
	if code := tm.wait(5 * time.Second); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	tm.mu.Lock()
	out := tm.out.String()
	tm.mu.Unlock()
	if !strings.Contains(out, "files") && !strings.Contains(out, "/12") {
		t.Errorf("no file count on the bar:\n%q", out)
	}
	for _, l := range screen(out, 40) {
		if strings.Contains(l, "total") || strings.Contains(l, "[") {
			t.Errorf("left on the screen: %q\nscreen:\n%s", l, shown(screen(out, 40)))
		}
		if strings.HasPrefix(l, "get ") {
			t.Errorf("a per-file line without -v: %q", l)
		}
	}
}

// Ctrl-C during a download on a terminal: exit 130 at once, no bar left
// behind, and the .part file named for -c.
func TestGetInterruptedOnTerminal(t *testing.T) {
	fsys := afero.NewMemMapFs()
	afero.WriteFile(fsys, "/big.bin", make([]byte, 4<<20), 0o644)
	srv := ftptest.New(t, ftptest.Options{FS: fsys, Faults: ftptest.Faults{Transfer: ftptest.Stall, After: 1 << 20}})
	tm := startTerminal(t, t.TempDir(), nil, "--tls", "none", "get", "ftp://"+srv.Addr()+"/big.bin")
	// A bar as wide as the terminal: the "^C" the terminal echoes would
	// push its next frame into a wrapped line.
	unix.IoctlSetWinsize(int(tm.master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 40})
	tm.expect(`big\.bin.*1\.0 MiB`)
	tm.send("\x03")
	tm.expect(`interrupted; big\.bin\.part was kept`)
	if code := tm.wait(3 * time.Second); code != 130 {
		t.Errorf("exit status %d, want 130", code)
	}
	tm.mu.Lock()
	out := tm.out.String()
	tm.mu.Unlock()
	for _, l := range screen(out, 40) {
		if strings.Contains(l, "[") || strings.Contains(l, "MiB") || strings.Contains(l, "^C") {
			t.Errorf("left on the screen: %q\nscreen:\n%s", l, shown(screen(out, 40)))
		}
	}
	termios, err := unix.IoctlGetTermios(int(tm.master.Fd()), unix.TCGETS)
	if err == nil && termios.Lflag&unix.ECHOCTL == 0 {
		t.Error("control characters' echo left off")
	}
}
