package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/term"
)

// historyMax bounds the history kept in memory and in the file.
const historyMax = 1000

// interactive runs the shell on a terminal: x/term's line editor (cursor
// keys, Ctrl-A/E/K/U/W, history with Up/Down, Tab completion), the remote
// directory in the prompt, history kept in a file. The terminal is raw
// while a line is edited, so Ctrl-C arrives as a key: once it clears the
// line, twice in a row (or Ctrl-D on an empty line) it leaves. While a
// command runs the terminal is restored, and Ctrl-C (SIGINT) cancels that
// command alone, aborting its transfer, and the prompt comes back.
func (sh *shell) interactive(ctx context.Context, in *os.File) error {
	a := sh.a
	fd := int(in.Fd())
	cooked, err := term.GetState(fd)
	if err != nil {
		return &localError{Op: "set up", Path: "terminal", Err: err}
	}
	defer term.Restore(fd, cooked)
	keys := &keyReader{r: in}
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{keys, a.stdout}, "")
	hist := loadHistory(a)
	t.History = hist
	t.AutoCompleteCallback = func(line string, pos int, key rune) (string, int, bool) {
		if key != '\t' {
			return "", 0, false
		}
		return sh.complete(t, line, pos)
	}
	// Ctrl-C while a command runs is a signal; the root context (which a
	// first SIGINT cancels) must not end the shell, so commands run under
	// one of their own.
	base := context.WithoutCancel(ctx)
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt)
	defer signal.Stop(sigc)

	last := ExitOK
	interrupted := false
	for {
		if w, h, err := term.GetSize(fd); err == nil {
			_ = t.SetSize(w, h)
		}
		t.SetPrompt(sh.prompt())
		if _, err := term.MakeRaw(fd); err != nil {
			return &localError{Op: "set up", Path: "terminal", Err: err}
		}
		line, err := t.ReadLine()
		if err == nil && keys.takeInterrupt() {
			if interrupted {
				_ = term.Restore(fd, cooked)
				break
			}
			interrupted = true
			fmt.Fprintln(t, "^C (Ctrl-C again, or Ctrl-D, to leave)")
			continue
		}
		_ = term.Restore(fd, cooked)
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(a.stdout)
			break
		}
		interrupted = false
		if err != nil && !errors.Is(err, term.ErrPasteIndicator) {
			return &localError{Op: "read", Path: "terminal", Err: err}
		}
		hist.save(line)
		// Drop a SIGINT that came while no command ran.
		select {
		case <-sigc:
		default:
		}
		cctx, cancel := context.WithCancel(base)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-sigc:
				cancel()
			case <-stop:
			}
		}()
		err = sh.exec(cctx, line)
		close(stop)
		wg.Wait()
		// An interrupted command is what the user asked for, not a
		// failure for the exit status.
		userStopped := cctx.Err() != nil
		cancel()
		if errors.Is(err, errQuit) {
			break
		}
		if err != nil {
			if code := a.fail(err); !userStopped {
				last = code
			}
		}
	}
	if last != ExitOK {
		return &statusError{code: last}
	}
	return nil
}

// keyReader passes the terminal's keys to the line editor, but turns
// Ctrl-C into Ctrl-E, Ctrl-U and Enter, an empty line, and notes it: the
// editor would report Ctrl-C like Ctrl-D (io.EOF) and read it again on
// its next call.
type keyReader struct {
	r           io.Reader
	pending     []byte
	interrupted bool
	mu          sync.Mutex
}

func (k *keyReader) Read(p []byte) (int, error) {
	if len(k.pending) == 0 {
		buf := make([]byte, len(p))
		n, err := k.r.Read(buf)
		if n == 0 {
			return 0, err
		}
		buf = buf[:n]
		if i := bytes.IndexByte(buf, 3); i >= 0 {
			k.mu.Lock()
			k.interrupted = true
			k.mu.Unlock()
			// Keys after the Ctrl-C would be lost when the editor
			// returns; they wait for the next line.
			buf = append(append(buf[:i:i], 5, 21, '\r'), buf[i+1:]...)
		}
		k.pending = buf
	}
	// Never deliver past the Enter of a Ctrl-C in one read.
	end := len(k.pending)
	if i := bytes.Index(k.pending, []byte{5, 21, '\r'}); i >= 0 {
		end = i + 3
	}
	n := copy(p, k.pending[:end])
	k.pending = k.pending[n:]
	return n, nil
}

// takeInterrupt reports (and forgets) whether a Ctrl-C was read.
func (k *keyReader) takeInterrupt() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	was := k.interrupted
	k.interrupted = false
	return was
}

// complete is Tab: the command name for the first word, else a remote
// name from the last listing of the working directory (or of the
// directory typed so far), or a local name for the local commands. One
// match is completed; several are completed to their common prefix and,
// when that adds nothing, listed above the prompt.
func (sh *shell) complete(t *term.Terminal, line string, pos int) (string, int, bool) {
	head := line[:pos]
	start := 0
	for i := 0; i < len(head); i++ {
		switch head[i] {
		case '\\':
			i++
		case ' ', '\t':
			start = i + 1
		}
	}
	word := unescapeWord(head[start:])
	var cands []string
	fields := strings.Fields(head[:start])
	switch {
	case len(fields) == 0:
		for _, n := range sh.commandNames() {
			cands = append(cands, n+" ")
		}
	case fields[0] == "lcd" || fields[0] == "lls" || fields[0] == "mput" ||
		fields[0] == "put" && len(fields) == 1 || strings.HasPrefix(fields[0], "!"):
		cands = localNames(word)
	default:
		cands = sh.remoteNames(word)
	}
	var matches []string
	for _, c := range cands {
		if strings.HasPrefix(c, word) {
			matches = append(matches, c)
		}
	}
	if len(matches) == 0 {
		return line, pos, true
	}
	sort.Strings(matches)
	common := matches[0]
	for _, m := range matches[1:] {
		for !strings.HasPrefix(m, common) {
			common = common[:len(common)-1]
		}
	}
	if len(matches) == 1 && !strings.HasSuffix(common, "/") && !strings.HasSuffix(common, " ") {
		common += " "
	}
	if common == word && len(matches) > 1 {
		fmt.Fprintln(t, strings.Join(matches, "  "))
	}
	completed := escapeWord(common)
	return head[:start] + completed + line[pos:], start + len(completed), true
}

// remoteNames are the completions for word from the last listing: names
// in the working directory, or in the directory word starts with.
func (sh *shell) remoteNames(word string) []string {
	dir := ""
	if i := strings.LastIndex(word, "/"); i >= 0 {
		dir = word[:i+1]
	}
	if sh.lastDir != sh.absolute(strings.TrimSuffix(dir, "/")) && !(dir == "" && sh.lastDir == sh.s.cwd) {
		return nil
	}
	var out []string
	for _, n := range sh.lastNames {
		out = append(out, dir+n)
	}
	return out
}

// localNames are the local files and directories word may complete to.
func localNames(word string) []string {
	dir := filepath.Dir(word + "x")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	prefix := ""
	if i := strings.LastIndex(word, "/"); i >= 0 {
		prefix = word[:i+1]
	}
	var out []string
	for _, e := range entries {
		name := prefix + e.Name()
		if e.IsDir() {
			name += "/"
		}
		out = append(out, name)
	}
	return out
}

func escapeWord(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ` `, `\ `, `"`, `\"`, `'`, `\'`)
	if strings.HasSuffix(s, " ") {
		return r.Replace(s[:len(s)-1]) + " "
	}
	return r.Replace(s)
}

func unescapeWord(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// history is the shell's line history, kept in memory for the editor and
// appended to a file under the user's state directory
// ($XDG_STATE_HOME/ferry/history, else ~/.local/state/ferry/history).
type history struct {
	a         *app
	lines     []string // oldest first
	file      string
	lastSaved string
}

func loadHistory(a *app) *history {
	h := &history{a: a}
	dir := a.getenv("XDG_STATE_HOME")
	if dir == "" {
		home := a.getenv("HOME")
		if home == "" {
			return h
		}
		dir = filepath.Join(home, ".local", "state")
	}
	h.file = filepath.Join(dir, "ferry", "history")
	f, err := os.Open(h.file)
	if err != nil {
		return h
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sc.Text() != "" {
			h.lines = append(h.lines, sc.Text())
			h.lastSaved = sc.Text()
		}
	}
	if len(h.lines) > historyMax {
		h.lines = h.lines[len(h.lines)-historyMax:]
		h.rewrite()
	}
	return h
}

// Add is called by the editor for each line read; save writes it.
func (h *history) Add(line string) {
	line = strings.TrimSpace(line)
	if line == "" || len(h.lines) > 0 && h.lines[len(h.lines)-1] == line {
		return
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > historyMax {
		h.lines = h.lines[1:]
	}
}

func (h *history) Len() int { return len(h.lines) }

func (h *history) At(i int) string { return h.lines[len(h.lines)-1-i] }

// save appends line to the file, unless it holds a password (a URL with
// one, or one the session knows), which is kept out of the file.
func (h *history) save(line string) {
	line = strings.TrimSpace(line)
	if line == "" || line == h.lastSaved {
		return
	}
	if h.a.creds.scrub(line) != line || hasURLPassword(line) {
		if len(h.lines) > 0 && h.lines[len(h.lines)-1] == line {
			h.lines = h.lines[:len(h.lines)-1]
		}
		return
	}
	h.lastSaved = line
	if h.file == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(h.file), 0o700); err != nil {
		return
	}
	f, err := os.OpenFile(h.file, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}

func (h *history) rewrite() {
	tmp := h.file + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(h.lines, "\n")+"\n"), 0o600); err == nil {
		_ = os.Rename(tmp, h.file)
	}
}

// hasURLPassword reports an ftp:// URL with user:password@ in line.
func hasURLPassword(line string) bool {
	for _, w := range strings.Fields(line) {
		if IsURL(w) {
			if loc, err := ParseURL(w); err == nil && loc.HasPassword {
				return true
			}
		}
	}
	return false
}
