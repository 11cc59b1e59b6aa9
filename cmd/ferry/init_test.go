package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// Bounds on what the packages ferry links allocate before main runs,
// about five times what they did when these were set (97 KB in all,
// 20 KB at most in one package): every run pays for them, --help included.
const (
	maxInitBytes       = 512 << 10
	maxInitBytesPerPkg = 128 << 10
)

// initLine is one line of GODEBUG=inittrace=1:
// "init crypto/tls @24 ms, 0.22 ms clock, 2312 bytes, 13 allocs".
var initLine = regexp.MustCompile(`(?m)^init (\S+) @.*, (\d+) bytes, (\d+) allocs$`)

// TestInitAllocations runs the built binary with GODEBUG=inittrace=1: no
// package, ours or a dependency's (the progress bars' width tables, the
// embedded server, the argument parser), builds a large table at init.
func TestInitAllocations(t *testing.T) {
	bin := buildFerry(t)
	cmd := exec.Command(bin, "--version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ferry --version: %v\n%s", err, stderr.Bytes())
	}
	lines := initLine.FindAllStringSubmatch(stderr.String(), -1)
	if len(lines) < 20 {
		t.Fatalf("only %d init lines in the trace; has its format changed?\n%s", len(lines), stderr.Bytes())
	}
	total := 0
	for _, m := range lines {
		n, err := strconv.Atoi(m[2])
		if err != nil {
			t.Fatal(err)
		}
		total += n
		if n > maxInitBytesPerPkg {
			t.Errorf("init of %s allocates %d bytes (at most %d)", m[1], n, maxInitBytesPerPkg)
		}
	}
	if total > maxInitBytes {
		t.Errorf("the inits allocate %d bytes in all (at most %d)", total, maxInitBytes)
	}
	t.Logf("%d packages' inits allocate %d bytes", len(lines), total)
}

// buildFerry builds this command into a temporary directory.
func buildFerry(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build ferry with")
	}
	bin := filepath.Join(t.TempDir(), "ferry")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
