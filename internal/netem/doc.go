// Package netem puts the network between an FTP client and a server on
// loopback: added round-trip time, a bandwidth cap per connection, and
// faults (a connection cut with a clean FIN or a reset after N bytes, a
// stall, a control connection cut mid-transfer, new connections refused
// for a while). The kernels we test on have no netem qdisc we may use, so
// this is done in user space by a relay.
//
// A Proxy relays to one server and is reached two ways:
//
//   - Addr, for any client (curl, lftp, the ferry CLI): a control
//     connection made there is relayed, and the proxy rewrites the 227 and
//     229 replies and the PORT and EPRT commands it sees, so that the data
//     connections also pass through it. That needs a plain-text control
//     connection; after AUTH TLS (or on an implicit-TLS connection) bytes
//     are relayed untouched and data connections go straight to the server.
//   - DialContext, for ftp.Dialer.DialContext: every connection the library
//     opens (the control connection and passive data connections, TLS or
//     not) passes through the relay, because the relay sits below TLS. A
//     dial to the proxy's target is a control connection; any other is a
//     data connection.
//
// Faults are armed before the work they should hit: FaultData applies to
// the next data connection, FaultControl to the next control connection.
// Nothing here is meant for use outside tests and benchmarks.
package netem
