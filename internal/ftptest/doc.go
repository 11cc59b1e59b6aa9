// Package ftptest is the test kit around the embedded server (package
// server): an in-process FTP/FTPS server for tests, with what client tests
// need and ordinary servers do not offer:
//
//   - strict TLS session-reuse enforcement on PROT P data connections, like
//     vsftpd's require_ssl_reuse, that also checks the resumed session was
//     issued on the same control connection's chain (RequireSessionReuse);
//   - records of every data connection (TLS version, resumption, refusals) for
//     assertions (DataConns);
//   - fault injection: truncated, failing and stalled transfers, delayed final
//     replies, and "421 and hang up" (Faults, SetFaults);
//   - New, which ties a server's lifetime to a test.
//
// The server itself, its certificate and its file system are package
// server's; this package only plugs into its Hooks. Product code never
// imports it.
package ftptest
