package server

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	ftpserver "github.com/fclairamb/ftpserverlib"
	"github.com/spf13/afero"

	"github.com/ferryftp/ftp"
)

// TestLoginHookAndUploadMode: Hooks.Login hears every login attempt with
// its outcome, and uploads are created rw-r--r--, not with the 0777
// ftpserverlib asks for.
func TestLoginHookAndUploadMode(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var logins []string
	s, err := Start(Options{
		FS:    afero.NewBasePathFs(afero.NewOsFs(), dir),
		Users: map[string]string{"alice": "Sesame123"},
		Hooks: &Hooks{Login: func(cc ftpserver.ClientContext, user string, err error) {
			mu.Lock()
			defer mu.Unlock()
			logins = append(logins, user+" "+map[bool]string{true: "in", false: "refused"}[err == nil])
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := ftp.Dialer{}
	for _, pw := range []string{"wrong", "Sesame123"} {
		c, err := d.Dial(ctx, s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		err = c.Login(ctx, "alice", pw)
		if err == nil {
			if err := c.Store(ctx, "up.sh", bytes.NewReader([]byte("#!/bin/sh\n"))); err != nil {
				t.Fatal(err)
			}
			c.Quit(ctx)
		}
		c.Close()
	}
	mu.Lock()
	if len(logins) != 2 || logins[0] != "alice refused" || logins[1] != "alice in" {
		t.Errorf("logins = %q", logins)
	}
	mu.Unlock()
	st, err := os.Stat(filepath.Join(dir, "up.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&^0o644 != 0 {
		t.Errorf("uploaded file mode %v, want at most rw-r--r--", st.Mode().Perm())
	}
}
