package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func init() {
	daemons[PureFTPd] = &daemon{
		// Debian builds it without --with-implicittls.
		implicit:       false,
		noTLS13Tickets: true,
		quirks: []string{
			"multi-line 220 greeting and multi-line 226 after transfers",
			"TLS session reuse is not required",
			"TLS 1.3: issues no session tickets (the binary calls SSL_CTX_set_num_tickets), so data connections never resume; TLS 1.2 ones do",
			"LIST -leading-dash.txt and LIST file with spaces.txt return nothing (use ./name)",
			"NLST includes . and ..",
			"listings are truncated at 10000 entries (226 Output truncated to 10000 matches)",
			"OPTS UTF8 ON: 504 Unknown command, although FEAT lists UTF8",
			"logs go to syslog only; the harness keeps just the transfer log",
			"ASCII mode: an upload loses every CR, lone ones too; a download puts a CR before every LF, even one after a CR (CRLF text arrives as CR CR LF)",
		},
		available: func() error {
			err := needFiles(PureFTPd,
				unpacked("pure-ftpd", "usr/sbin/pure-ftpd"),
				unpacked("pure-ftpd", "usr/bin/pure-pw"))
			if err != nil {
				return err
			}
			if _, err := exec.LookPath("openssl"); err != nil {
				return &UnavailableError{Kind: PureFTPd, Reason: "no openssl command (to hash the password)"}
			}
			return needSystem(PureFTPd)
		},
		launch:  launchPureFTPd,
		version: func() string { return unpackedVersion("pure-ftpd") },
	}
}

func launchPureFTPd(c *launchConfig) ([]string, error) {
	pdb, err := pureFTPdUsers(c.dir, c.rootDir)
	if err != nil {
		return nil, err
	}
	xfer := filepath.Join(c.dir, "transfer.log")
	argv := []string{
		unpacked("pure-ftpd", "usr/sbin/pure-ftpd"),
		"--bind", fmt.Sprintf("127.0.0.1,%d", c.port),
		"--login", "puredb:" + pdb,
		"--noanonymous",
		"--chrooteveryone",
		"--dontresolve",
		// The test account is a system account (uid < 1000).
		"--minuid", "1",
		"--maxclientsnumber", "200",
		"--maxclientsperip", perClientOr(c.perClient, "200"),
		"--passiveportrange", fmt.Sprintf("%d:%d", c.pasvLo, c.pasvHi),
		"--altlog", "w3c:" + xfer,
	}
	if c.mode == Plain {
		argv = append(argv, "--tls", "0")
	} else {
		// 3: TLS required on the control connection and on every data
		// connection, like the other daemons' TLS instances.
		argv = append(argv, "--tls", "3", "--certfile", c.comboFile)
	}
	c.logFiles = append(c.logFiles, xfer)
	return argv, nil
}

// pureFTPdUsers writes a PureDB with the test user, mapped to the system
// account and jailed in root. The password line is written directly, with
// a SHA-512 crypt hash: pure-pw would hash with argon2id at a cost that
// makes every login take about four seconds.
func pureFTPdUsers(dir, root string) (string, error) {
	id, err := ftpIDs()
	if err != nil {
		return "", err
	}
	cmd := exec.Command("openssl", "passwd", "-6", "-stdin")
	cmd.Stdin = strings.NewReader(ftpPassword + "\n")
	hash, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("openssl passwd: %w", err)
	}
	hash = bytes.TrimSpace(hash)
	// Fields: user:hash:uid:gid:gecos:home, then quota and limit fields
	// left empty. "/./" marks where the chroot ends.
	line := fmt.Sprintf("%s:%s:%d:%d::%s/./::::::::::::\n", ftpUser, hash, id.uid, id.gid, root)
	passwd := filepath.Join(dir, "pureftpd.passwd")
	pdb := filepath.Join(dir, "pureftpd.pdb")
	if err := os.WriteFile(passwd, []byte(line), 0o600); err != nil {
		return "", err
	}
	mkdb := exec.Command(unpacked("pure-ftpd", "usr/bin/pure-pw"), "mkdb", pdb, "-f", passwd)
	if msg, err := mkdb.CombinedOutput(); err != nil {
		return "", fmt.Errorf("pure-pw mkdb: %v: %s", err, msg)
	}
	return pdb, nil
}
