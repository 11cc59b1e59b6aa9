//go:build unix

package ftp

import (
	"net"
	"syscall"
)

// sendUrgent writes b with MSG_OOB, so its last byte is TCP urgent data.
// Connections that are not TCP (a proxy's, a pipe in tests) get b in band.
func sendUrgent(conn net.Conn, b []byte) error {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		_, err := conn.Write(b)
		return err
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		_, serr = syscall.SendmsgN(int(fd), b, nil, nil, syscall.MSG_OOB)
		return serr != syscall.EAGAIN
	})
	if err != nil {
		return err
	}
	return serr
}
