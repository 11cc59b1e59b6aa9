package cli

import (
	"bytes"
	"testing"

	"github.com/ferryftp/ftp/listing"
)

// TestWriteJSONKeepsNames: names with <, > and & come out as they are
// (json.Marshal would write "a -\u003e b"), on one line.
func TestWriteJSONKeepsNames(t *testing.T) {
	var b bytes.Buffer
	e := listing.Entry{Name: "a -> b & <c>", Type: listing.Link, Target: "x -> y", Size: -1}
	if err := writeJSON(&b, toJSON(e)); err != nil {
		t.Fatal(err)
	}
	want := `{"name":"a -> b & <c>","type":"link","size":null,"time":null,"target":"x -> y"}` + "\n"
	if got := b.String(); got != want {
		t.Errorf("got  %s want %s", got, want)
	}
}
