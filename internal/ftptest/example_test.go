package ftptest_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"

	"github.com/ferryftp/ftp/internal/ftptest"
	"github.com/spf13/afero"
)

// A server for a demo or `ferry serve`: Start and Close need no *testing.T.
// In tests, ftptest.New(t, opts) does the same and closes in t.Cleanup.
func ExampleStart() {
	srv, err := ftptest.Start(ftptest.Options{
		TLS:                 ftptest.TLSExplicit,
		RequireSessionReuse: true,
		Users:               map[string]string{"demo": "demo"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	_ = afero.WriteFile(srv.FS(), "/hello.txt", []byte("hello\n"), 0o644)

	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	greeting, _ := bufio.NewReader(conn).ReadString('\n')
	fmt.Println(strings.TrimSpace(greeting))
	fmt.Println("certificate name:", srv.ServerName())
	// Output:
	// 220 Ferry test server ready (not for production use)
	// certificate name: localhost
}
