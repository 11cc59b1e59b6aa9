package transfer

import (
	"io"
	"os"
	"time"
)

// offsetEvery is how often storeFile reads how far an upload has got.
var offsetEvery = 100 * time.Millisecond

// testHookStoreFile, when set, is called with each file storeFile hands
// to Store.
var testHookStoreFile func(f *os.File, from int64)

// storeFile hands f, positioned at from, to store, and reports to pr the
// bytes sent as f's offset moves, every offsetEvery and at the end. Store
// sends a file with sendfile(2) on a plain connection, so that no byte is
// copied through this process (a quarter less CPU for a large upload, and
// the CLI then keeps pace with the library), and reads it itself over TLS:
// either way no writer of ours sees the bytes. It returns the bytes sent.
func storeFile(f *os.File, from int64, pr *report, store func(io.Reader) error) (int64, error) {
	if testHookStoreFile != nil {
		testHookStoreFile(f, from)
	}
	var sent int64
	follow := func() {
		off, err := f.Seek(0, io.SeekCurrent)
		if err == nil && off-from > sent {
			pr.add(off - from - sent)
			sent = off - from
		}
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(offsetEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				follow()
			}
		}
	}()
	err := store(f)
	close(stop)
	<-stopped
	follow()
	return sent, err
}
