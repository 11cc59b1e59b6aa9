//go:build !unix

package ftp

import "net"

// sendUrgent writes b in band: this platform's socket API is not reached
// for MSG_OOB here, and servers still see the ABOR that follows.
func sendUrgent(conn net.Conn, b []byte) error {
	_, err := conn.Write(b)
	return err
}
