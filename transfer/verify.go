package transfer

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strings"

	"github.com/ferryftp/ftp"
)

// newHash returns a local hash for a server checksum algorithm.
func newHash(algo string) hash.Hash {
	switch algo {
	case ftp.HashSHA256:
		return sha256.New()
	case ftp.HashSHA1:
		return sha1.New()
	case ftp.HashMD5:
		return md5.New()
	case ftp.HashCRC32:
		return crc32.NewIEEE()
	}
	return nil
}

// errNoChecksum is returned under ChecksumRequire by a server without one.
var errNoChecksum = errors.New("the server offers no checksum (HASH, XSHA256, XSHA1, XMD5, XCRC) and one is required")

// checksumAlgo picks the algorithm to verify with on c: the strongest the
// server offers, or "" when none is (or checksums are off).
func (cp *Copier) checksumAlgo(ctx context.Context, c *ftp.Conn) (string, error) {
	switch {
	case cp.ASCII && cp.Checksum == ChecksumRequire:
		return "", errASCIIChecksum
	case cp.Checksum == ChecksumOff, cp.ASCII:
		return "", nil
	}
	algos, err := c.HashAlgorithms(ctx)
	if err != nil {
		var fe *ftp.Error
		if errors.As(err, &fe) {
			algos = nil // no FEAT: no checksum
		} else {
			return "", err
		}
	}
	if len(algos) == 0 {
		if cp.Checksum == ChecksumRequire {
			return "", errNoChecksum
		}
		return "", nil
	}
	return algos[0], nil
}

// sum is a checksum being computed locally while the data streams.
type sum struct {
	algo string
	h    hash.Hash
}

func newSum(algo string) *sum {
	if algo == "" {
		return nil
	}
	return &sum{algo: algo, h: newHash(algo)}
}

func (s *sum) Write(p []byte) (int, error) {
	if s != nil {
		s.h.Write(p)
	}
	return len(p), nil
}

func (s *sum) hex() string { return fmt.Sprintf("%x", s.h.Sum(nil)) }

// prefix hashes the first n bytes of r, the part of a file already in
// place when a transfer resumes.
func (s *sum) prefix(r io.ReaderAt, n int64) error {
	if s == nil || n == 0 {
		return nil
	}
	_, err := io.Copy(s.h, io.NewSectionReader(r, 0, n))
	return err
}

// check asks the server for the file's checksum and compares it with the
// local one. It returns the "ALGO:hex" label of a match.
func (s *sum) check(ctx context.Context, c *ftp.Conn, remote string) (string, error) {
	if s == nil {
		return "", nil
	}
	_, theirs, err := c.Hash(ctx, remote, s.algo)
	if err != nil {
		return "", err
	}
	ours := s.hex()
	if s.algo == ftp.HashCRC32 {
		// Some servers print a CRC without its leading zeros.
		theirs = fmt.Sprintf("%08s", theirs)
	}
	if !strings.EqualFold(theirs, ours) {
		return "", &VerifyError{Path: remote, What: s.algo, Want: theirs, Got: ours, transient: true}
	}
	return s.algo + ":" + ours, nil
}

// checkSize compares the bytes in place with the source's size.
func checkSize(remote string, want, got int64) error {
	if want >= 0 && got != want {
		return &VerifyError{Path: remote, What: "size", Want: fmt.Sprint(want), Got: fmt.Sprint(got), transient: true}
	}
	return nil
}

func (s *sum) algoName() string {
	if s == nil {
		return ""
	}
	return s.algo
}

// checkASCIISize compares the size of the source with that of the copy
// made in ASCII mode, which has lines of its own: each line end may have
// gained or lost a CR on the way, and nothing else changes, so the two
// sizes differ by no more than the number of lines (of "\n" in the local
// file). A copy cut short by more than that is caught.
func checkASCIISize(remote string, want, got, lines int64) error {
	if want < 0 || (got-lines <= want && want <= got+lines) {
		return nil
	}
	return &VerifyError{Path: remote, What: "size", Want: fmt.Sprint(want),
		Got: fmt.Sprintf("%d in ASCII mode, more apart than its %d lines allow", got, lines), transient: true}
}

// lineCounter counts the "\n" of what is written to it.
type lineCounter int64

func (l *lineCounter) Write(p []byte) (int, error) {
	*l += lineCounter(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}
