package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
)

// Download is an open download (RETR): read it to the end, then Close it.
// Read returns io.EOF only after the server confirmed the transfer (2xx)
// and every announced byte arrived; a short or refused transfer is an error
// instead, so io.Copy reports it.
type Download struct {
	t    *transfer
	ctx  context.Context
	conv *crlfReader // ASCII mode: CRLF to "\n"
	next string      // RetrieveEach: the next path, sent at the data's end
	done bool
	err  error
}

// Size returns the size the server announced for the download (150 "(N
// bytes)"), or -1.
func (d *Download) Size() int64 { return d.t.size }

// Read reads file data. See Download.
func (d *Download) Read(p []byte) (int, error) {
	if d.conv != nil {
		return d.conv.Read(p)
	}
	return d.read(p)
}

func (d *Download) read(p []byte) (int, error) {
	if d.done {
		return 0, d.err
	}
	n, err := d.t.readData(p)
	if err == nil {
		return n, nil
	}
	d.done = true
	if errors.Is(err, io.EOF) {
		if d.next != "" {
			d.t.c.pipelineNext(d.ctx, d.next)
		}
		d.err = d.t.finish(d.ctx)
	} else {
		d.err = d.t.dataFailed(d.ctx, err)
	}
	if d.err == nil {
		d.err = io.EOF
	}
	return n, d.err
}

// WriteTo writes the download to w until its end, in reads of
// Dialer.BufferSize bytes, so that io.Copy moves a large file with few calls
// and no allocation. Like io.Copy, it returns a nil error once the server
// has confirmed the transfer and every announced byte arrived. If w fails,
// its error is returned and the download is left open: Close aborts it.
func (d *Download) WriteTo(w io.Writer) (int64, error) {
	bp := d.t.buffer()
	defer putBuffer(bp)
	buf := *bp
	// A TLS read returns one record, 16 KiB at most: the buffer is filled
	// with as many as it holds before a write, so that w is called once
	// per buffer rather than once per record.
	_, records := d.t.data.(*tls.Conn)
	var written int64
	for {
		n, err := d.Read(buf)
		for records && err == nil && n <= len(buf)-tlsRecordSize {
			var m int
			m, err = d.Read(buf[n:])
			n += m
		}
		if n > 0 {
			nw, werr := w.Write(buf[:n])
			written += int64(nw)
			if werr == nil && nw < n {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return written, werr
			}
		}
		if err == io.EOF {
			return written, nil
		}
		if err != nil {
			return written, err
		}
	}
}

// Close ends the download. Closing before the end aborts the transfer
// (ABOR) so the connection can be used again; that is not an error. Close
// is safe to call more than once.
func (d *Download) Close() error {
	if d.done {
		return nil
	}
	d.done = true
	d.err = errors.New("ftp: download closed")
	if d.t.final != nil {
		// The server already ended the transfer: nothing to abort.
		d.t.closeData()
		d.t.c.busy = nil
		d.t.traceDone(0, checkClass(d.t.cmd, d.t.final, 2))
		return nil
	}
	return d.t.abort()
}

// Retrieve starts downloading path (RETR). Read the Download to io.EOF and
// Close it. ctx governs the whole download: cancelling it aborts the
// transfer, and Read returns an error wrapping ctx.Err().
func (c *Conn) Retrieve(ctx context.Context, path string) (*Download, error) {
	return c.RetrieveFrom(ctx, path, 0)
}

// RetrieveFrom is Retrieve starting at offset bytes into the file (REST), to
// resume a download.
//
// The download is checked against the size the server announces in its 150
// reply or, failing that, against the answer to a Size call for the same
// path made just before: a data stream that ends short of it is an error
// wrapping ErrShortTransfer, even if the server then says 226.
func (c *Conn) RetrieveFrom(ctx context.Context, path string, offset int64) (*Download, error) {
	note := c.sized
	c.sized = sizeNote{}
	t, err := c.startTransfer(ctx, "RETR", path, offset, c.transferType())
	if err != nil {
		return nil, err
	}
	switch {
	case t.size >= 0 && offset > 0:
		// After REST, vsftpd still announces the whole file's size; a
		// server that announces what remains only makes the check weaker.
		t.size = max(t.size-offset, -1)
	case t.size < 0 && note.ok && note.path == path && note.size >= offset:
		t.size = note.size - offset
	}
	d := &Download{t: t, ctx: ctx}
	if t.ascii {
		d.conv = &crlfReader{r: readerFunc(d.read)}
	}
	return d, nil
}

func (c *Conn) transferType() string {
	if c.ascii {
		return "A"
	}
	return "I"
}

// readerFunc adapts a function to io.Reader.
type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
