package ftp

import (
	"context"
	"net"
	"os"
	"syscall"
)

// sendFile copies f to tc with sendfile(2), in chunks of BufferSize so that
// the idle deadline moves as the data does. It calls sendfile itself,
// through the connections' raw handles, because TCPConn.ReadFrom allocates
// on every call; here the whole copy allocates a few objects once. It
// reports handled false, having sent nothing, when the kernel cannot
// sendfile from f, so that the caller copies with reads and writes.
func (t *transfer) sendFile(ctx context.Context, tc *net.TCPConn, f *os.File) (handled bool, err error) {
	dst, err := tc.SyscallConn()
	if err != nil {
		return false, nil
	}
	src, err := f.SyscallConn()
	if err != nil {
		return false, nil
	}
	srcFD := -1
	src.Control(func(fd uintptr) { srcFD = int(fd) }) // f stays open for the whole call
	var (
		chunk = t.c.d.BufferSize
		sent  int
		serr  error
	)
	// One closure for every call: RawConn.Write calls it until it returns
	// true, waiting for the socket to take more (and for its deadline) when
	// it returns false.
	write := func(fd uintptr) bool {
		sent, serr = syscall.Sendfile(int(fd), srcFD, nil, chunk)
		return serr != syscall.EAGAIN
	}
	for first := true; ; first = false {
		if err := t.guard.before(); err != nil {
			return true, t.dataFailed(ctx, err)
		}
		sent, serr = 0, nil // Write may fail before calling write
		werr := dst.Write(write)
		if serr == syscall.EAGAIN {
			serr = nil // the wait ended, with werr saying why
		}
		if serr != nil && werr == nil {
			werr = os.NewSyscallError("sendfile", serr)
		}
		if sent > 0 {
			t.n += int64(sent)
		}
		switch {
		case werr != nil && first && sent <= 0 && (serr == syscall.EINVAL || serr == syscall.ENOSYS):
			return false, nil // no sendfile from this file: nothing was sent
		case werr != nil:
			return true, t.sendFileFailed(ctx, t.guard.wrap(werr))
		case sent <= 0:
			return true, nil // the end of the file
		}
	}
}
