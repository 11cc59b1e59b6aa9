package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func init() {
	daemons[Vsftpd] = &daemon{
		implicit:      true,
		reuseRequired: true,
		quirks: []string{
			"no MLST/MLSD (500 Unknown command)",
			"LIST numeric uid/gid; an argument starting with '-' is taken as ls options (use ./-name)",
			"TLS data connections need session reuse: 522 SSL connection failed: session reuse required",
			"TLS 1.3: sends session tickets on data connections; after STOR the client must send close_notify and drain, or gets 426 Failure reading network stream",
			"PASV reply ends with a dot: 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2).",
		},
		available: func() error {
			if err := needFiles(Vsftpd, unpacked("vsftpd", "usr/sbin/vsftpd")); err != nil {
				return err
			}
			return needSystem(Vsftpd)
		},
		launch:  launchVsftpd,
		version: func() string { return unpackedVersion("vsftpd") },
	}
}

func launchVsftpd(c *launchConfig) ([]string, error) {
	// vsftpd insists on an empty, root-owned directory to chroot its
	// unprivileged helper into.
	empty := filepath.Join(c.dir, "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		return nil, err
	}
	logFile := filepath.Join(c.dir, "vsftpd.log")
	conf := []string{
		"listen=YES",
		"listen_ipv6=NO",
		"listen_address=127.0.0.1",
		fmt.Sprintf("listen_port=%d", c.port),
		"background=NO",
		"anonymous_enable=NO",
		"local_enable=YES",
		"write_enable=YES",
		"local_umask=022",
		"pam_service_name=" + pamService,
		"local_root=" + c.rootDir,
		"chroot_local_user=YES",
		// The served root is writable by the user, which vsftpd refuses
		// to chroot into unless told otherwise.
		"allow_writeable_chroot=YES",
		// The seccomp filter and namespace isolation of vsftpd 3.0.3 do
		// not know newer kernels' syscalls and fail in some sandboxes.
		"seccomp_sandbox=NO",
		"isolate=NO",
		"isolate_network=NO",
		"secure_chroot_dir=" + empty,
		"nopriv_user=nobody",
		"pasv_enable=YES",
		fmt.Sprintf("pasv_min_port=%d", c.pasvLo),
		fmt.Sprintf("pasv_max_port=%d", c.pasvHi),
		"port_enable=YES",
		// Active data connections from port 20 would need the port free.
		"connect_from_port_20=NO",
		"max_clients=0",
		fmt.Sprintf("max_per_ip=%d", c.perClient), // 0: unlimited
		"log_ftp_protocol=YES",
		"xferlog_enable=YES",
		"xferlog_std_format=NO",
		"vsftpd_log_file=" + logFile,
		"use_localtime=NO",
		// Without these vsftpd accepts TYPE A but moves the bytes as
		// they are.
		"ascii_upload_enable=YES",
		"ascii_download_enable=YES",
	}
	if c.mode == Plain {
		conf = append(conf, "ssl_enable=NO")
	} else {
		conf = append(conf,
			"ssl_enable=YES",
			// Upstream 3.0.3 defaults to DES-CBC3-SHA only.
			"ssl_ciphers=HIGH",
			"ssl_tlsv1=YES",
			"ssl_sslv2=NO",
			"ssl_sslv3=NO",
			"rsa_cert_file="+c.certFile,
			"rsa_private_key_file="+c.keyFile,
			"require_ssl_reuse=YES",
			"force_local_logins_ssl=YES",
			"force_local_data_ssl=YES",
			"ssl_request_cert=NO",
			"debug_ssl=YES",
		)
		if c.mode == Implicit {
			conf = append(conf, "implicit_ssl=YES")
		}
	}
	path := filepath.Join(c.dir, "vsftpd.conf")
	if err := os.WriteFile(path, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	c.logFiles = append(c.logFiles, logFile)
	return []string{unpacked("vsftpd", "usr/sbin/vsftpd"), path}, nil
}
