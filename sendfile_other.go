//go:build !linux

package ftp

import (
	"context"
	"io"
	"net"
	"os"
)

// sendFile copies f with the standard library's sendfile where the system
// has one (TCPConn.ReadFrom), in chunks of BufferSize so that the idle
// deadline moves as the data does. It always handles the copy.
func (t *transfer) sendFile(ctx context.Context, tc *net.TCPConn, f *os.File) (handled bool, err error) {
	lr := &io.LimitedReader{R: f}
	for {
		if err := t.guard.before(); err != nil {
			return true, t.dataFailed(ctx, err)
		}
		lr.N = int64(t.c.d.BufferSize)
		n, err := tc.ReadFrom(lr)
		t.n += n
		if err = t.guard.wrap(err); err != nil {
			return true, t.sendFileFailed(ctx, err)
		}
		if n == 0 {
			return true, nil
		}
	}
}
