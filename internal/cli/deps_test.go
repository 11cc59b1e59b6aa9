package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// TestProductLinksNoTestKit: the ferry command links the embedded server
// (internal/server), never the test kits built around it, as net/http never
// imports httptest.
func TestProductLinksNoTestKit(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/ferryftp/ftp/cmd/ferry").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, kit := range []string{"internal/ftptest", "internal/fakeftp", "internal/conformance", "internal/netem"} {
		for _, d := range deps {
			if strings.HasSuffix(d, "/"+kit) {
				t.Errorf("cmd/ferry links the test kit %s", d)
			}
		}
	}
	if !strings.Contains(string(out), "github.com/ferryftp/ftp/internal/server\n") {
		t.Error("cmd/ferry does not link internal/server: is the embedded server elsewhere?")
	}
}
