// Package server is the embedded FTP/FTPS server behind `ferry serve` and
// `ferry demo`.
//
// It wraps github.com/fclairamb/ftpserverlib with an afero file system (an
// in-memory one by default), a throwaway certificate authority and server
// certificate valid for "localhost", 127.0.0.1 and ::1 (so clients verify
// the server for real), passive ports bound to the server's own IP, and a
// Close that ends every session.
//
// Hooks let a test kit (internal/ftptest) watch and disturb the server:
// wrap control and data connections, choose the TLS configuration of each
// handshake, and wrap files opened for transfers. The server itself never
// imports a test kit.
//
// This is not a production server: the certificate is generated at start-up
// and never persisted, every login succeeds unless Options.Users is set, and
// passwords are compared in plain text.
package server
