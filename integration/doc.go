// Package integration runs Ferry against real FTP daemons from Debian
// packages: vsftpd 3.0.3, ProFTPD 1.3.8 (mod_tls), Pure-FTPd 1.0.50 and
// pyftpdlib 1.5.7.
//
// The package has no non-test API. Its test files hold a harness, Start,
// which launches a daemon as a child process on 127.0.0.1 with a generated
// configuration, a per-run served directory with known files, and a test CA
// and server certificate made at test time. Each daemon × TLS mode is
// started once per test binary and shared by the tests that ask for it;
// TestMain stops them all.
//
// # Running locally
//
// Install the daemons once (Debian 12 or later, as root; it only checks and
// exits when everything is present):
//
//	sudo scripts/install-test-daemons
//	sudo go test ./integration/
//
// The script unpacks vsftpd, ProFTPD and Pure-FTPd into .cache/daemons in
// the repository (FERRY_DAEMONS_DIR overrides the place; set it for the
// tests too), installs python3-pyftpdlib and python3-openssl with apt, and
// creates the login account "ferrytest" and the PAM service
// "ferry-ftp-test". vsftpd, ProFTPD and Pure-FTPd need root to run
// (they chroot and switch users); pyftpdlib does not.
//
// # Gating
//
// FERRY_INTEGRATION decides what happens when a daemon cannot run:
//
//	unset, skip-missing  skip that daemon's tests, naming what is missing
//	                     and the command that installs it (the default for
//	                     `go test ./...`)
//	require              fail instead (scripts/test sets it, so CI does)
//	off                  skip every test that needs a daemon
//
// go test -short also skips them, unless FERRY_INTEGRATION=require.
//
// # What each daemon supports
//
//	daemon     plain  explicit TLS            implicit TLS
//	vsftpd     yes    yes, reuse required     yes (implicit_ssl=YES)
//	ProFTPD    yes    yes, reuse required     yes (TLSOptions UseImplicitSSL)
//	Pure-FTPd  yes    yes (--tls=3)           no: Debian builds it without
//	                                          --with-implicittls
//	pyftpdlib  yes    yes (TLS_FTPHandler)    no: version 1.5.7 has none
//
// Every TLS instance accepts TLS 1.2 and 1.3; the client chooses with
// tls.Config.MaxVersion. Instance.Quirks lists the behaviour of each daemon
// that a client test has to allow for.
package integration
