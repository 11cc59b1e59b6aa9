//go:build !unix

package ftp_test

import (
	"net"
	"testing"
)

// refusedPort returns a loopback port that nothing listens on (closed
// again at once: another process may take it, rarely).
func refusedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
