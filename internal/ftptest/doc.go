// Package ftptest runs an in-process FTP/FTPS server for tests, demos and
// `ferry serve`.
//
// It wraps github.com/fclairamb/ftpserverlib with an afero file system (an
// in-memory one by default) and adds what client tests need and ordinary
// servers do not offer:
//
//   - a throwaway certificate authority and server certificate, valid for
//     "localhost", 127.0.0.1 and ::1, so clients can verify the server for real
//     (CertPool, CACertPEM);
//   - strict TLS session-reuse enforcement on PROT P data connections, like
//     vsftpd's require_ssl_reuse, that also checks the resumed session was
//     issued on the same control connection's chain (RequireSessionReuse);
//   - records of every data connection (TLS version, resumption, refusals) for
//     assertions (DataConns);
//   - fault injection: truncated, failing and stalled transfers, delayed final
//     replies, and "421 and hang up" (Faults, SetFaults).
//
// Start and Close work without the testing package, for the CLI; New ties a
// server's lifetime to a test.
//
// This is not a production server: the certificate is generated at start-up
// and never persisted, every login succeeds unless Options.Users is set,
// passwords are compared in plain text, and the fault hooks are available to
// anyone who holds the *Server.
package ftptest
