package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func init() {
	daemons[ProFTPD] = &daemon{
		implicit:      true,
		reuseRequired: true,
		quirks: []string{
			"FEAT has no PASV line (PASV works)",
			"SIZE in ASCII mode: 550 SIZE not allowed in ASCII mode (send TYPE I first)",
			"MLSD includes type=cdir and type=pdir entries",
			"TLS data connections need session reuse: 425 Unable to build data connection: Operation not permitted",
			"LIST -la is options, LIST -leading-dash.txt is the file",
		},
		available: func() error {
			err := needFiles(ProFTPD,
				unpacked("proftpd", "usr/sbin/proftpd"),
				unpacked("proftpd", "usr/lib/proftpd/mod_tls.so"))
			if err != nil {
				return err
			}
			return needSystem(ProFTPD)
		},
		launch:  launchProFTPD,
		version: func() string { return unpackedVersion("proftpd") },
	}
}

func launchProFTPD(c *launchConfig) ([]string, error) {
	sysLog := filepath.Join(c.dir, "proftpd.log")
	tlsLog := filepath.Join(c.dir, "tls.log")
	conf := []string{
		"ServerType standalone",
		`ServerName "ferry integration"`,
		"DefaultServer on",
		"DefaultAddress 127.0.0.1",
		fmt.Sprintf("Port %d", c.port),
		// Without it ProFTPD also listens on the wildcard address.
		"SocketBindTight on",
		"UseIPv6 off",
		"User nobody",
		"Group nogroup",
		"PidFile " + filepath.Join(c.dir, "proftpd.pid"),
		"ScoreboardFile " + filepath.Join(c.dir, "proftpd.scoreboard"),
		"DelayTable none",
		"WtmpLog off",
		"UseReverseDNS off",
		"MaxInstances 200",
		fmt.Sprintf("MaxClientsPerHost %s", perClientOr(c.perClient, "none")),
		"SystemLog " + sysLog,
		"TransferLog " + filepath.Join(c.dir, "xferlog"),
		// The test account has /usr/sbin/nologin as its shell.
		"RequireValidShell off",
		"AuthPAMConfig " + pamService,
		"AuthOrder mod_auth_pam.c* mod_auth_unix.c",
		"DefaultRoot " + c.rootDir,
		fmt.Sprintf("PassivePorts %d %d", c.pasvLo, c.pasvHi),
		"Umask 022",
		"AllowOverwrite on",
		"AllowStoreRestart on",
		"AllowRetrieveRestart on",
	}
	if c.mode != Plain {
		conf = append(conf,
			"ModulePath "+unpacked("proftpd", "usr/lib/proftpd"),
			"LoadModule mod_tls.c",
			"TLSEngine on",
			"TLSLog "+tlsLog,
			"TLSProtocol TLSv1.2 TLSv1.3",
			// Control and data connections; session reuse on data
			// connections is mod_tls's default and is kept.
			"TLSRequired auth+data", // not ctrl: CCC is allowed after login
			"TLSRSACertificateFile "+c.certFile,
			"TLSRSACertificateKeyFile "+c.keyFile,
			"TLSVerifyClient off",
			// Go resumes TLS 1.2 sessions only from tickets.
			"TLSSessionTickets on",
		)
		if c.mode == Implicit {
			conf = append(conf, "TLSOptions UseImplicitSSL")
		}
		c.logFiles = append(c.logFiles, tlsLog)
	}
	path := filepath.Join(c.dir, "proftpd.conf")
	if err := os.WriteFile(path, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	c.logFiles = append(c.logFiles, sysLog)
	// -n: foreground; -c: this file only, not /etc/proftpd.
	return []string{unpacked("proftpd", "usr/sbin/proftpd"), "-n", "-c", path}, nil
}
