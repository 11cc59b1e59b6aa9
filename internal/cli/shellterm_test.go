package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestHistoryFile: lines go to $XDG_STATE_HOME/ferry/history, oldest first,
// without the ones holding a password; Up (At(0)) is the latest line.
func TestHistoryFile(t *testing.T) {
	state := t.TempDir()
	env := map[string]string{"XDG_STATE_HOME": state, "HOME": "/nonexistent"}
	a := &app{getenv: func(k string) string { return env[k] }, creds: &credCache{secrets: []string{"Sesame123"}}}
	h := loadHistory(a)
	for _, line := range []string{"ls", "get ftp://bob:Swordfish@host/f", "quote SITE Sesame123", "cd pub ", "cd pub "} {
		h.Add(line)
		h.save(line)
	}
	data, err := os.ReadFile(filepath.Join(state, "ferry", "history"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), "ls\ncd pub\n"; got != want {
		t.Errorf("history file = %q, want %q", got, want)
	}
	if st, err := os.Stat(filepath.Join(state, "ferry", "history")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("history file mode: %v, %v", st.Mode(), err)
	}
	h2 := loadHistory(a)
	if h2.Len() != 2 || h2.At(0) != "cd pub" || h2.At(1) != "ls" {
		t.Errorf("loaded history: %d lines, latest %q", h2.Len(), h2.At(0))
	}
	if h.Len() != 2 {
		t.Errorf("in memory: %d lines, want 2 (secrets dropped, repeats once)", h.Len())
	}
}
