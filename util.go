package ftp

import (
	"bufio"
	"errors"
	"io"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

func newBufReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 4096) }

// asError is errors.As for *Error, the refusal most callers here test for.
func asError(err error, target **Error) bool { return err != nil && errors.As(err, target) }
