package transfer

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
	"time"
)

// span is the byte range [Start, End) of a file.
type span struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
}

// checkpoint is the state of a segmented download, kept in a small file
// beside its temporary file: which ranges of which version of the remote
// file are already written. A download that finds a checkpoint for the
// same size and time continues with only the missing ranges; any other
// checkpoint is discarded with its temporary file.
type checkpoint struct {
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
	Done    []span    `json:"done"`
}

// loadCheckpoint reads name from root; a missing or unreadable state is
// nil, so the download starts over.
func loadCheckpoint(root *os.Root, name string) *checkpoint {
	b, err := root.ReadFile(name)
	if err != nil {
		return nil
	}
	var cp checkpoint
	if json.Unmarshal(b, &cp) != nil {
		return nil
	}
	for _, s := range cp.Done {
		if s.Start < 0 || s.End < s.Start || s.End > cp.Size {
			return nil
		}
	}
	return &cp
}

// save writes the checkpoint atomically (a temporary file renamed over the
// old one), so that a crash leaves either the old state or the new one.
// Data is written before its range is recorded, so a state file never
// claims bytes that are not on disk.
func (cp *checkpoint) save(root *os.Root, name string) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	tmp := name + ".tmp"
	if err := root.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return root.Rename(tmp, name)
}

// add records [start, end) as written, merging adjacent ranges.
func (cp *checkpoint) add(start, end int64) {
	if end <= start {
		return
	}
	cp.Done = append(cp.Done, span{start, end})
	slices.SortFunc(cp.Done, func(a, b span) int { return int(min(max(a.Start-b.Start, -1), 1)) })
	merged := cp.Done[:1]
	for _, s := range cp.Done[1:] {
		last := &merged[len(merged)-1]
		if s.Start <= last.End {
			last.End = max(last.End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	cp.Done = merged
}

// missing returns the ranges not yet written.
func (cp *checkpoint) missing() []span {
	var out []span
	at := int64(0)
	for _, s := range cp.Done {
		if s.Start > at {
			out = append(out, span{at, s.Start})
		}
		at = max(at, s.End)
	}
	if at < cp.Size {
		out = append(out, span{at, cp.Size})
	}
	return out
}

// written is the number of bytes recorded.
func (cp *checkpoint) written() int64 {
	var n int64
	for _, s := range cp.Done {
		n += s.End - s.Start
	}
	return n
}

func removeIfExists(root *os.Root, name string) error {
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
