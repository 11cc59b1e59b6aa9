package ftpfs_test

import (
	"context"
	"fmt"
	"io/fs"
	"log"
	"time"

	"github.com/spf13/afero"

	"github.com/ferryftp/ftp"
	"github.com/ferryftp/ftp/ftpfs"
	"github.com/ferryftp/ftp/internal/ftptest"
)

// Walk a server with fs.WalkDir, and read a file with fs.ReadFile.
func Example() {
	srv, err := ftptest.Start(ftptest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	afero.WriteFile(srv.FS(), "/pub/hello.txt", []byte("hello, world\n"), 0o644)
	afero.WriteFile(srv.FS(), "/pub/docs/guide.txt", []byte("read me\n"), 0o644)

	c := &ftp.Client{Addr: srv.Addr()} // in real code, your server's address
	defer c.Close()
	// A deadline for everything done through fsys.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fsys := ftpfs.NewContext(ctx, c)

	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fmt.Println(p, d.IsDir())
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	b, err := fs.ReadFile(fsys, "pub/hello.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output:
	// . true
	// pub true
	// pub/docs true
	// pub/docs/guide.txt false
	// pub/hello.txt false
	// hello, world
}
