package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"time"

	"github.com/ferryftp/ftp/listing"
)

// entryJSON is the JSON Lines form of a listing entry (ls --json, stat
// --json). Unknown values are null.
type entryJSON struct {
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Size   *int64  `json:"size"`
	Time   *string `json:"time"`
	Target *string `json:"target"`
}

func toJSON(e listing.Entry) entryJSON {
	j := entryJSON{Name: e.Name, Type: e.Type.String()}
	if e.Size >= 0 && e.Type != listing.Dir {
		n := e.Size
		j.Size = &n
	}
	if !e.ModTime.IsZero() && e.Precision != listing.PrecisionNone {
		s := e.ModTime.UTC().Format(time.RFC3339Nano)
		j.Time = &s
	}
	if e.Target != "" {
		t := e.Target
		j.Target = &t
	}
	return j
}

// writeJSON writes one JSON object on one line. <, > and & are written as
// they are: names such as "a -> b" are for jq and people, not for HTML.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // one line, ending in "\n"
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// longLine is one line of "ls -l": mode, size, time, name.
func longLine(e listing.Entry) string {
	mode := modeString(e)
	size := "-"
	if e.Size >= 0 && e.Type != listing.Dir {
		size = strconv.FormatInt(e.Size, 10)
	}
	name := printable(e.Name)
	if e.Type == listing.Dir {
		name += "/"
	}
	if e.Target != "" {
		name += " -> " + printable(e.Target)
	}
	return fmt.Sprintf("%s %12s  %s  %s", mode, size, formatTime(e.ModTime, e.Precision), name)
}

func modeString(e listing.Entry) string {
	c := byte('-')
	switch e.Type {
	case listing.Dir:
		c = 'd'
	case listing.Link:
		c = 'l'
	case listing.Other:
		c = '?'
	}
	if !e.PermKnown {
		return string(c) + "?????????"
	}
	perm := (e.Mode & fs.ModePerm).String() // "-rwxr-xr-x"
	return string(c) + perm[1:]
}
