package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferryftp/ftp"
)

type hashCmd struct {
	Algo string `name:"algo" placeholder:"NAME" help:"SHA-256 | SHA-1 | MD5 | CRC32 (default: the strongest the server offers)."`
	URL  string `arg:"" name:"URL" help:"File to checksum on the server."`
}

// hashResult is the JSON form of a checksum.
type hashResult struct {
	Path string `json:"path"`
	Algo string `json:"algo"`
	Hash string `json:"hash"`
}

func (cmd *hashCmd) run(ctx context.Context, a *app) error {
	algo, err := hashAlgo(cmd.Algo)
	if err != nil {
		return err
	}
	loc, err := a.parseRemote(cmd.URL)
	if err != nil {
		return err
	}
	if loc.Path == "" {
		return usageErrorf("hash needs a file path")
	}
	s := a.newSession(loc, 0)
	defer s.close()
	res, err := s.hash(ctx, loc.Path, algo)
	if err != nil {
		return &opError{Op: "hash", Path: loc.Path, Err: err}
	}
	return a.printHash(res)
}

// hashAlgo normalises --algo to the package's names.
func hashAlgo(name string) (string, error) {
	switch strings.ToUpper(strings.ReplaceAll(name, "-", "")) {
	case "":
		return "", nil
	case "SHA256":
		return ftp.HashSHA256, nil
	case "SHA1":
		return ftp.HashSHA1, nil
	case "MD5":
		return ftp.HashMD5, nil
	case "CRC32", "CRC":
		return ftp.HashCRC32, nil
	}
	return "", usageErrorf("unknown --algo %q (want SHA-256, SHA-1, MD5 or CRC32)", name)
}

func (s *session) hash(ctx context.Context, p, algo string) (hashResult, error) {
	res := hashResult{Path: p}
	err := s.do(ctx, func(c *ftp.Conn, _ int) error {
		var err error
		res.Algo, res.Hash, err = c.Hash(ctx, p, algo)
		return err
	})
	return res, err
}

func (a *app) printHash(res hashResult) error {
	var err error
	if a.g.JSON {
		err = writeJSON(a.stdout, res)
	} else {
		// The layout of sha256sum, so the output can be checked with it.
		_, err = fmt.Fprintf(a.stdout, "%s  %s\n", res.Hash, printable(res.Path))
	}
	if err != nil {
		return &localError{Op: "write", Path: "standard output", Err: err}
	}
	return nil
}
