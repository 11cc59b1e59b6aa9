//go:build unix

package fakeftp

import (
	"net"
	"syscall"
)

// setOOBInline sets SO_OOBINLINE, so TCP urgent data stays in the stream.
func setOOBInline(c net.Conn) error {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_OOBINLINE, 1)
	})
	if err != nil {
		return err
	}
	return serr
}
