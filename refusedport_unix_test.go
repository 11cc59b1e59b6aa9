//go:build unix

package ftp_test

import (
	"syscall"
	"testing"
)

// refusedPort returns a loopback port that refuses connections for the
// length of the test: a socket bound to it that never listens holds it, so
// that no other process can start listening there meanwhile (a port only
// closed again could be taken by a parallel test, and then answer).
func refusedPort(t *testing.T) int {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return sa.(*syscall.SockaddrInet4).Port
}
