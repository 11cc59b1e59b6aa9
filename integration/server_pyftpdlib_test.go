package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

func init() {
	daemons[Pyftpdlib] = &daemon{
		implicit: false, // pyftpdlib 1.5.7 has no implicit TLS
		quirks: []string{
			"TLS session reuse is not required",
			"FEAT has no PASV line (PASV works)",
			"OPTS UTF8 ON: 501 Invalid argument, although FEAT lists UTF8",
			"SIZE in ASCII mode: 550 SIZE not allowed in ASCII mode.",
			"NLST returns bare names; MLSD has no cdir/pdir entries",
			"EPRT/PORT connect at once: 200 Active data connection established.",
			"a data-connection TLS handshake begun before the transfer command is sent gets a connection reset (curl 7.88.1 does that and fails); begin it after the 1xx reply",
			"runs as the test process's user: uploaded files belong to it",
		},
		available: func() error {
			if err := needFiles(Pyftpdlib, systemPython, pyftpdScript()); err != nil {
				return err
			}
			// One interpreter start per test binary tells whether Debian's
			// packages are there.
			check := exec.Command(systemPython, "-c", "import pyftpdlib, OpenSSL")
			if out, err := check.CombinedOutput(); err != nil {
				return &UnavailableError{Kind: Pyftpdlib, Reason: fmt.Sprintf("%s cannot import pyftpdlib and OpenSSL (python3-pyftpdlib, python3-openssl): %s", systemPython, out)}
			}
			return nil
		},
		launch: launchPyftpdlib,
		version: func() string {
			out, err := exec.Command(systemPython, "-c", "import pyftpdlib; print(pyftpdlib.__ver__)").Output()
			if err != nil {
				return "unknown"
			}
			return "pyftpdlib " + string(trimNewline(out))
		},
	}
}

// pyftpdScript is the launcher in testdata, found from the package
// directory (go test's working directory).
func pyftpdScript() string {
	p, err := filepath.Abs(filepath.Join("testdata", "pyftpd.py"))
	if err != nil {
		return filepath.Join("testdata", "pyftpd.py")
	}
	return p
}

func launchPyftpdlib(c *launchConfig) ([]string, error) {
	pw := filepath.Join(c.dir, "password")
	if err := os.WriteFile(pw, []byte(ftpPassword+"\n"), 0o600); err != nil {
		return nil, err
	}
	argv := []string{
		systemPython, "-u", pyftpdScript(),
		"--port", strconv.Itoa(c.port),
		"--root", c.rootDir,
		"--user", ftpUser,
		"--password-file", pw,
		"--passive-ports", fmt.Sprintf("%d:%d", c.pasvLo, c.pasvHi),
		"--max-cons-per-ip", perClientOr(c.perClient, "256"),
	}
	if c.mode == Explicit {
		argv = append(argv, "--tls", "explicit", "--cert", c.certFile, "--key", c.keyFile)
	}
	return argv, nil
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
