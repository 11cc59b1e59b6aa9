package integration

import (
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// fixtures is what every instance serves, by slash-separated path below
// its root. The names include the ones servers treat differently in LIST
// arguments (servers.md): a leading dash and spaces.
var fixtures = map[string][]byte{
	"hello.txt":            []byte("hello, ferry\n"),
	"empty.txt":            {},
	"file with spaces.txt": []byte("spaces\n"),
	"-leading-dash.txt":    []byte("dash\n"),
	"dir/nested.txt":       []byte("nested\n"),
	"dir/sub/deep.txt":     []byte("deep\n"),
	"binary.bin":           pseudoRandom(256 << 10),
}

// fixtureDirs are the directories that exist below the root besides those
// holding fixtures; "upload" is empty and writable.
var fixtureDirs = []string{"dir", "dir/sub", "upload"}

// Fixtures returns a copy of the files every instance serves below
// RootDir, keyed by slash-separated path.
func Fixtures() map[string][]byte {
	out := maps.Clone(fixtures)
	for k, v := range out {
		out[k] = append([]byte{}, v...)
	}
	return out
}

// pseudoRandom returns n bytes that are the same in every run, so that a
// corrupted transfer shows up as a mismatch and not as flaky data.
func pseudoRandom(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// writeFixtures creates root with the fixtures, owned by the FTP user.
func writeFixtures(root string) error {
	for _, d := range fixtureDirs {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
	}
	for name, data := range fixtures {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(name)), data, 0o644); err != nil {
			return err
		}
	}
	return chownToFTPUser(root)
}
