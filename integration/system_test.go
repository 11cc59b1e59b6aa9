package integration

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// The login that scripts/install-test-daemons creates. vsftpd and ProFTPD
// check it through PAM against /etc/shadow; Pure-FTPd and pyftpdlib get
// the same name and password as virtual users.
const (
	ftpUser     = "ferrytest"
	ftpPassword = "ferry-test-password"
	pamService  = "ferry-ftp-test"
	// Debian's interpreter: pyftpdlib is in its dist-packages, which a
	// python3 found earlier in PATH (pyenv, a venv) does not see.
	systemPython = "/usr/bin/python3"
)

// daemonsDir is where scripts/install-test-daemons unpacks the daemons:
// $FERRY_DAEMONS_DIR, or .cache/daemons in the repository.
var daemonsDir = sync.OnceValue(func() string {
	if d := os.Getenv("FERRY_DAEMONS_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return filepath.Join("..", ".cache", "daemons")
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, ".cache", "daemons")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, "..", ".cache", "daemons")
		}
	}
})

// unpacked returns the path of rel inside the unpacked daemon name.
func unpacked(name, rel string) string {
	return filepath.Join(daemonsDir(), name, filepath.FromSlash(rel))
}

// unpackedVersion reads the package versions the install script recorded.
func unpackedVersion(name string) string {
	b, err := os.ReadFile(filepath.Join(daemonsDir(), name, ".versions"))
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// needFiles returns an *UnavailableError naming the first missing path.
func needFiles(kind Kind, paths ...string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return &UnavailableError{Kind: kind, Reason: "missing " + p}
		}
	}
	return nil
}

// needSystem checks what the daemons that chroot and switch users need:
// root, the test account and its PAM service.
func needSystem(kind Kind) error {
	if os.Geteuid() != 0 {
		return &UnavailableError{Kind: kind, Reason: "it needs root (it chroots and switches users)", Hint: "run the tests as root"}
	}
	if _, err := ftpIDs(); err != nil {
		return &UnavailableError{Kind: kind, Reason: err.Error()}
	}
	return needFiles(kind, filepath.Join("/etc/pam.d", pamService))
}

type ids struct{ uid, gid int }

var ftpIDs = sync.OnceValues(func() (ids, error) {
	u, err := user.Lookup(ftpUser)
	if err != nil {
		return ids{}, fmt.Errorf("no user %s", ftpUser)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return ids{}, fmt.Errorf("user %s: %w", ftpUser, err)
	}
	return ids{uid, gid}, nil
})

// chownToFTPUser gives path, and everything below it, to the test account
// so that the daemons which switch to it may write there. Without root or
// the account there is nothing to do: only pyftpdlib runs then, as the
// current user.
func chownToFTPUser(path string) error {
	id, err := ftpIDs()
	if err != nil || os.Geteuid() != 0 {
		return nil
	}
	return filepath.WalkDir(path, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, id.uid, id.gid)
	})
}

// shared holds the per-test-binary directory with certificates and one
// subdirectory per instance.
var shared struct {
	mu  sync.Mutex
	dir string
}

func sharedDir() (string, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.dir != "" {
		return shared.dir, nil
	}
	reapStale()
	d, err := os.MkdirTemp("", "ferry-integration-")
	if err != nil {
		return "", err
	}
	if err := writeOwner(d); err != nil {
		return "", err
	}
	// The daemons look up paths below it after dropping privileges.
	if err := os.Chmod(d, 0o755); err != nil {
		return "", err
	}
	shared.dir = d
	return d, nil
}

func removeSharedDir() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
		shared.dir = ""
	}
}
