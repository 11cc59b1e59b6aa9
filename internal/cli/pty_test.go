package cli_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"
	"golang.org/x/sys/unix"

	"github.com/ferryftp/ftp/internal/ftptest"
)

// terminal is ferry running as a child on a pseudo-terminal, as a user
// would run it, with everything it writes kept for matching.
type terminal struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd

	mu     sync.Mutex
	out    bytes.Buffer
	seen   int // output before this was matched already
	readDn chan struct{}
	exited chan struct{}
	code   int
}

// startTerminal runs ferry with args on a new pseudo-terminal, in dir.
func startTerminal(t *testing.T, dir string, env []string, args ...string) *terminal {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer slave.Close()
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FERRY_TEST_AS_FERRY=1", "TERM=xterm", "FTP_PASSWORD=", "NETRC=")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tm := &terminal{t: t, master: master, cmd: cmd, readDn: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		defer close(tm.readDn)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		cmd.Wait()
		tm.code = cmd.ProcessState.ExitCode()
		close(tm.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-tm.exited:
		default:
			cmd.Process.Kill()
			<-tm.exited
		}
		master.Close()
		<-tm.readDn
	})
	return tm
}

// send types keys.
func (tm *terminal) send(keys string) {
	tm.t.Helper()
	if _, err := tm.master.Write([]byte(keys)); err != nil {
		tm.t.Fatal(err)
	}
}

// expect waits for output matching re after what was matched before.
func (tm *terminal) expect(re string) {
	tm.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		tm.mu.Lock()
		rest := tm.out.String()[tm.seen:]
		if loc := rx.FindStringIndex(rest); loc != nil {
			tm.seen += loc[1]
			tm.mu.Unlock()
			return
		}
		tm.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.t.Fatalf("no %q on the terminal; after the last match it shows:\n%q", re, tm.out.String()[tm.seen:])
}

// wait waits for ferry to exit and returns its status.
func (tm *terminal) wait(within time.Duration) int {
	tm.t.Helper()
	select {
	case <-tm.exited:
		return tm.code
	case <-time.After(within):
		tm.t.Fatalf("ferry still running after %v; terminal:\n%q", within, tm.out.String())
	}
	return -1
}

// TestShellTerminal drives the shell on a terminal: line editing and Tab
// completion from the last listing, the directory in the prompt, Ctrl-C
// that aborts a transfer and returns to the prompt with the session
// intact, history written to the state directory, and Ctrl-C twice to
// leave.
func TestShellTerminal(t *testing.T) {
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "/pub/alpha-report.txt", []byte("alpha\n"), 0o644)
	afero.WriteFile(fs, "/pub/big.bin", bytes.Repeat([]byte("x"), 1<<20), 0o644)
	srv := ftptest.New(t, ftptest.Options{FS: fs, Faults: ftptest.Faults{Transfer: ftptest.Stall, After: 64 << 10}})
	dir, state := t.TempDir(), t.TempDir()
	tm := startTerminal(t, dir, []string{"HOME=" + dir, "XDG_STATE_HOME=" + state}, "-q", "shell", srv.URL()+"/pub")
	tm.expect(`ferry 127\.0\.0\.1:/pub> `)
	tm.send("ls\r")
	tm.expect(`alpha-report\.txt`)
	tm.expect(`/pub> `)

	// Tab completes a command name.
	tm.send("lp\t")
	tm.expect(`lpwd `)
	tm.send("\r")
	tm.expect(regexp.QuoteMeta(dir))
	tm.expect(`/pub> `)

	// Tab completes the name from the listing; editing keys work (Ctrl-A
	// to the start of the line, Ctrl-E to its end).
	tm.send("et al\t")
	tm.expect(`alpha-report\.txt `)
	tm.send("\x01g\x05\r")
	tm.expect(`/pub> `)
	if got, err := os.ReadFile(filepath.Join(dir, "alpha-report.txt")); err != nil || string(got) != "alpha\n" {
		t.Fatalf("get after completion: %q, %v", got, err)
	}

	// Ctrl-C during a stalled download: the transfer is aborted, the
	// partial file kept, and the prompt returns; the session still works.
	tm.send("get big.bin\r")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if st, err := os.Stat(filepath.Join(dir, "big.bin.part")); err == nil && st.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the download did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	tm.send("\x03")
	tm.expect(`interrupted; big\.bin\.part was kept: the same command with -c resumes it`)
	tm.expect(`/pub> `)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the prompt came back %v after Ctrl-C", d)
	}
	tm.send("cd ..\r")
	tm.expect(`ferry 127\.0\.0\.1:/> `)

	// Ctrl-C at the prompt drops the line; a second one leaves. The exit
	// status is the last failure's (not the interrupted command's).
	tm.send("half a line\x03")
	tm.expect(`Ctrl-C again, or Ctrl-D, to leave`)
	tm.send("\x03")
	if code := tm.wait(5 * time.Second); code != 0 {
		t.Errorf("exit status %d after leaving with Ctrl-C", code)
	}
	hist, err := os.ReadFile(filepath.Join(state, "ferry", "history"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "ls\nlpwd\nget alpha-report.txt\nget big.bin\ncd ..\n"; string(hist) != want {
		t.Errorf("history file = %q, want %q", hist, want)
	}

	// The next shell has that history: Up brings back the last line.
	tm = startTerminal(t, dir, []string{"HOME=" + dir, "XDG_STATE_HOME=" + state}, "-q", "shell", srv.URL()+"/pub")
	tm.expect(`/pub> `)
	tm.send("\x1b[A")
	tm.expect(`cd \.\.`)
	tm.send("\r")
	tm.expect(`ferry 127\.0\.0\.1:/> `)
	tm.send("get nope.txt\r")
	tm.expect(`no such file`)
	tm.expect(`/> `)
	tm.send("\x04")
	if code := tm.wait(5 * time.Second); code != 5 {
		t.Errorf("exit status %d after a failed get and Ctrl-D, want 5", code)
	}
}

// TestPasswordPromptInterrupt: Ctrl-C at the password prompt exits at
// once, with the terminal's echo restored.
func TestPasswordPromptInterrupt(t *testing.T) {
	srv := ftptest.New(t, ftptest.Options{Users: map[string]string{"alice": "Sesame123"}})
	tm := startTerminal(t, t.TempDir(), nil, "ls", "ftp://alice@"+srv.Addr()+"/")
	tm.expect(`Password for alice@127\.0\.0\.1: `)
	start := time.Now()
	tm.send("\x03")
	if code := tm.wait(2 * time.Second); code != 130 {
		t.Errorf("exit status %d, want 130", code)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v to exit", d)
	}
	termios, err := unix.IoctlGetTermios(int(tm.master.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if termios.Lflag&unix.ECHO == 0 {
		t.Error("echo left off after Ctrl-C at the password prompt")
	}
}

// TestServeSIGTERM: the temporary CA file of ferry serve --tls is removed
// on SIGTERM and SIGHUP (the terminal it runs in was closed) as on Ctrl-C.
func TestServeSIGTERM(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) { testServeSignal(t, sig) })
	}
}

func testServeSignal(t *testing.T, sig syscall.Signal) {
	tmp := t.TempDir()
	var stdout bytes.Buffer
	cmd := exec.Command(os.Args[0], "serve", "--tls", "--addr", "127.0.0.1:0", t.TempDir())
	cmd.Env = append(os.Environ(), "FERRY_TEST_AS_FERRY=1", "TMPDIR="+tmp)
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if entries, _ := os.ReadDir(tmp); len(entries) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no CA file written")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("serve did not stop on %v", sig)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("left behind after %v: %v", sig, entries)
	}
}
