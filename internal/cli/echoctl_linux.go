package cli

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// quietControlEcho stops the terminal on w from echoing control
// characters ("^C") while progress bars are drawn: the echo moves the
// cursor under the bars, and their next frame would leave a ghost of the
// bar behind. It returns the function that restores the setting.
func quietControlEcho(w io.Writer) (restore func()) {
	f, ok := w.(*os.File)
	if !ok {
		return func() {}
	}
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil || t.Lflag&unix.ECHOCTL == 0 {
		return func() {}
	}
	old := *t
	t.Lflag &^= unix.ECHOCTL
	if unix.IoctlSetTermios(fd, unix.TCSETS, t) != nil {
		return func() {}
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, &old) }
}
