package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A test binary that crashes (a panic, a -timeout) never reaches StopAll,
// and Pdeathsig does not help: the kernel clears it when a daemon switches
// user ids, which all of them do. So each run records its pid in its
// shared directory, and the next run kills the daemons of runs whose
// process is gone and removes their directories.

const ownerFile = "owner.pid"

// reapStale cleans up after earlier test binaries that died.
func reapStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "ferry-integration-*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // not ours, or still being set up
		}
		owner, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || owner <= 0 || processRunning(owner) {
			continue
		}
		// Daemon main processes run in their instance directory and lead
		// their own process group (startProcess sets Setpgid).
		for _, p := range liveProcesses() {
			cwd, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(p.pid), "cwd"))
			if err != nil || !strings.HasPrefix(cwd, dir+string(filepath.Separator)) {
				continue
			}
			if p.pgid == p.pid {
				syscall.Kill(-p.pgid, syscall.SIGKILL)
			} else {
				syscall.Kill(p.pid, syscall.SIGKILL)
			}
		}
		os.RemoveAll(dir)
	}
}

// writeOwner records this test binary as the owner of dir.
func writeOwner(dir string) error {
	return os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
}

// procInfo is a process from /proc/PID/stat.
type procInfo struct{ pid, pgid int }

// liveProcesses lists the processes that are not zombies. Zombies are left
// out because they hold no port or file; they wait for init, which in some
// containers never reaps them.
func liveProcesses() []procInfo {
	entries, _ := os.ReadDir("/proc")
	var out []procInfo
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// "pid (comm) state ppid pgrp ...": comm may hold spaces and
		// parentheses, so split after its last ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		pgid, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		out = append(out, procInfo{pid: pid, pgid: pgid})
	}
	return out
}

// processRunning reports whether pid is a live process.
func processRunning(pid int) bool {
	for _, p := range liveProcesses() {
		if p.pid == pid {
			return true
		}
	}
	return false
}

// groupRunning reports whether any live process is in group pgid.
func groupRunning(pgid int) bool {
	for _, p := range liveProcesses() {
		if p.pgid == pgid {
			return true
		}
	}
	return false
}
