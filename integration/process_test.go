package integration

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// StartError reports a daemon that exited or never greeted.
type StartError struct {
	Name string // kind/mode
	Err  error
	Logs string // what the daemon wrote
}

func (e *StartError) Error() string {
	return fmt.Sprintf("%s did not start: %v\n--- daemon logs ---\n%s", e.Name, e.Err, e.Logs)
}

func (e *StartError) Unwrap() error { return e.Err }

// process is a daemon running in its own process group.
type process struct {
	name     string
	cmd      *exec.Cmd
	logFiles []string // stdout+stderr first, then the daemon's own logs
	exited   chan struct{}
	stopOnce sync.Once
}

// startProcess runs argv in dir with stdout and stderr in dir/output.log.
func startProcess(name, dir string, argv []string, extraLogs []string) (*process, error) {
	outPath := filepath.Join(dir, "output.log")
	out, err := os.OpenFile(outPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	// The child gets the file itself: no copying goroutine to outlive it.
	defer out.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Own group, so stop reaches the per-session children too.
		Setpgid: true,
		// If the test binary dies without cleaning up, so does the daemon,
		// unless it changed its user ids (the kernel then clears this);
		// reapStale covers those.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return nil, &StartError{Name: name, Err: err}
	}
	p := &process{
		name:     name,
		cmd:      cmd,
		logFiles: append([]string{outPath}, extraLogs...),
		exited:   make(chan struct{}),
	}
	go func() {
		cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// waitReady polls addr until the daemon sends its 220 greeting (after a
// TLS handshake when tlsConf is set), the process exits, or timeout passes.
func (p *process) waitReady(addr string, tlsConf *tls.Config, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return &StartError{Name: p.name, Err: fmt.Errorf("exited: %v", p.cmd.ProcessState), Logs: p.logsSince(nil)}
		default:
		}
		lastErr = probe(addr, tlsConf, deadline)
		if lastErr == nil {
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return &StartError{Name: p.name, Err: fmt.Errorf("no 220 greeting within %v: %w", timeout, lastErr), Logs: p.logsSince(nil)}
}

// probe connects once and reads the (possibly multi-line) 220 greeting.
func probe(addr string, tlsConf *tls.Config, deadline time.Time) error {
	d := net.Dialer{Deadline: deadline, Timeout: time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if tlsConf != nil {
		tc := tls.Client(c, tlsConf)
		if err := tc.Handshake(); err != nil {
			return err
		}
		c = tc
	}
	tp := textproto.NewConn(c)
	if _, _, err := tp.ReadResponse(220); err != nil {
		return err
	}
	// Leave politely: some daemons log an abrupt close as an error.
	tp.PrintfLine("QUIT")
	tp.ReadResponse(0)
	return nil
}

// stop ends the daemon and its children: SIGTERM to the group, SIGKILL
// to whatever is left after a grace period.
func (p *process) stop() {
	p.stopOnce.Do(func() {
		pgid := p.cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(3 * time.Second):
		}
		// Session children may outlive the leader; the group id stays
		// valid while any member is alive.
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
		for end := time.Now().Add(2 * time.Second); p.alive() && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// alive reports whether any process of the daemon's group is left.
func (p *process) alive() bool {
	return groupRunning(p.cmd.Process.Pid)
}

// logMarks records the current size of each log file.
func (p *process) logMarks() map[string]int64 {
	m := map[string]int64{}
	for _, f := range p.logFiles {
		if fi, err := os.Stat(f); err == nil {
			m[f] = fi.Size()
		}
	}
	return m
}

// logsSince returns what each log file gained since marks, or the end of
// each file when marks is nil, at most maxLog bytes per file.
func (p *process) logsSince(marks map[string]int64) string {
	const maxLog = 16 << 10
	var b strings.Builder
	for _, f := range p.logFiles {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		fi, err := fh.Stat()
		if err != nil {
			fh.Close()
			continue
		}
		from := marks[f]
		if marks == nil || fi.Size()-from > maxLog {
			from = max(0, fi.Size()-maxLog)
		}
		fh.Seek(from, io.SeekStart)
		data, _ := io.ReadAll(bufio.NewReader(io.LimitReader(fh, maxLog)))
		fh.Close()
		if len(data) == 0 {
			continue
		}
		fmt.Fprintf(&b, "==> %s <==\n%s", filepath.Base(f), data)
		if !strings.HasSuffix(string(data), "\n") {
			b.WriteByte('\n')
		}
	}
	if b.Len() == 0 {
		return "(no log output)\n"
	}
	return b.String()
}
