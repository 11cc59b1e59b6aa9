package ftp_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log"
	"strings"

	"github.com/ferryftp/ftp"
)

// A Client is a pool of connections that any number of goroutines may use
// at once, with the verbs of package os.
func ExampleClient() {
	addr, stop := exampleServer()
	defer stop()
	ctx := context.Background()

	c := &ftp.Client{
		Addr:     addr,
		User:     "alice", // anonymous when empty
		Password: "secret",
		MaxConns: 4,
		// Dialer: ftp.Dialer{TLS: ftp.TLSExplicit} for FTPS.
	}
	defer c.Close()

	if err := c.MkdirAll(ctx, "/pub/notes"); err != nil {
		log.Fatal(err)
	}
	w, err := c.Create(ctx, "/pub/notes/todo.txt")
	if err != nil {
		log.Fatal(err)
	}
	io.WriteString(w, "walk the tree\n")
	if err := w.Close(); err != nil { // the upload's outcome
		log.Fatal(err)
	}
	entries, err := c.ReadDir(ctx, "/pub")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Name(), e.IsDir())
	}
	fi, err := c.Stat(ctx, "/pub/notes/todo.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fi.Name(), fi.Size())
	// Output:
	// hello.txt false
	// notes true
	// todo.txt 14
}

// NewClientFromURL takes the user, password, host and TLS mode from an
// ftp:// or ftps:// URL and returns its path.
func ExampleNewClientFromURL() {
	c, path, err := ftp.NewClientFromURL("ftps://alice:s3cret@ftp.example.org/%2Fpub/file.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println(c.Addr, c.User, c.Dialer.TLS, path)
	// Output: ftp.example.org:990 alice implicit /pub/file.txt
}

// WalkDir lists each directory once; fn may use the Client.
func ExampleClient_WalkDir() {
	addr, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	c := &ftp.Client{Addr: addr}
	defer c.Close()
	c.MkdirAll(ctx, "/pub/old/logs")
	c.MkdirAll(ctx, "/pub/src")

	err := c.WalkDir(ctx, "/", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == "old" {
			return fs.SkipDir
		}
		fmt.Println(p)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// /
	// /pub
	// /pub/hello.txt
	// /pub/src
}

// Open returns a File: Read streams the file with one download, ReadAt and
// Seek restart it elsewhere (REST).
func ExampleFile_ReadAt() {
	addr, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	c := &ftp.Client{Addr: addr}
	defer c.Close()

	f, err := c.Open(ctx, "/pub/hello.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	word := make([]byte, 5)
	if _, err := f.ReadAt(word, 7); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", word)
	// io.SectionReader works over any io.ReaderAt.
	var b strings.Builder
	io.Copy(&b, io.NewSectionReader(f, 0, 5))
	fmt.Println(b.String())
	// Output:
	// world
	// hello
}
