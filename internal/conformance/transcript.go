package conformance

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/ferryftp/ftp"
)

// TranscriptDir is the writable directory TranscriptSession works in (the
// integration fixtures' "upload").
const TranscriptDir = "/upload"

// TranscriptText is what TranscriptSession uploads and downloads: CRLF
// lines, so that a transcript (internal/fakeftp) can hold it as text.
const TranscriptText = "first line\r\nsecond line\r\n"

// TranscriptSession is the session recorded from the real daemons into
// testdata/transcripts/ (go test ./integration -run TestRecordTranscripts
// -record) and replayed against those recordings by the client's tests, so
// that the replays are what the daemons really said: log in, PWD, upload a
// file into TranscriptDir, SIZE, download it, download it again from an
// offset (REST), LIST the directory, delete the file, QUIT. It checks what
// comes back and returns the first difference.
func TranscriptSession(ctx context.Context, c *ftp.Conn, user, password string) error {
	if err := c.Login(ctx, user, password); err != nil {
		return err
	}
	if _, err := c.CurrentDir(ctx); err != nil {
		return err
	}
	name := path.Join(TranscriptDir, "transcript.txt")
	if err := c.Store(ctx, name, strings.NewReader(TranscriptText)); err != nil {
		return err
	}
	size, err := c.Size(ctx, name)
	if err != nil {
		return err
	}
	if size != int64(len(TranscriptText)) {
		return fmt.Errorf("SIZE %s = %d, want %d", name, size, len(TranscriptText))
	}
	for _, offset := range []int64{0, 6} {
		got, err := Download(ctx, c, name, offset)
		if err != nil {
			return err
		}
		if want := TranscriptText[offset:]; !bytes.Equal(got, []byte(want)) {
			return fmt.Errorf("download of %s from %d = %q, want %q", name, offset, got, want)
		}
	}
	lines, err := c.List(ctx, TranscriptDir)
	if err != nil {
		return err
	}
	if !strings.Contains(strings.Join(lines, "\n"), "transcript.txt") {
		return fmt.Errorf("LIST %s = %q: no transcript.txt", TranscriptDir, lines)
	}
	if err := c.Delete(ctx, name); err != nil {
		return err
	}
	return c.Quit(ctx)
}
