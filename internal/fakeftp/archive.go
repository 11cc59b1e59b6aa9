package fakeftp

import (
	"bytes"
	"os"
	"strings"
)

// Archive is a txtar-style archive: a free-form comment followed by files.
//
// The format is the one used by the Go tools: a line "-- NAME --" starts a
// file, and the file holds every line up to the next such line. Whatever comes
// before the first marker is the comment. A final line without a newline gets
// one, so every file ends in "\n" unless it is empty.
type Archive struct {
	Comment []byte
	Files   []File
}

// File is one named file of an Archive.
type File struct {
	Name string
	Data []byte
}

// ParseArchive parses the txtar-style text in data. It never fails: text that
// holds no markers is all comment.
func ParseArchive(data []byte) *Archive {
	a := new(Archive)
	var cur *File
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
			line = append(line[:len(line):len(line)], '\n')
		}
		if name, ok := marker(line); ok {
			a.Files = append(a.Files, File{Name: name})
			cur = &a.Files[len(a.Files)-1]
			continue
		}
		if cur == nil {
			a.Comment = append(a.Comment, line...)
		} else {
			cur.Data = append(cur.Data, line...)
		}
	}
	return a
}

// ReadArchive reads and parses the archive file at path.
func ReadArchive(path string) (*Archive, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseArchive(data), nil
}

// File returns the data of the first file called name.
func (a *Archive) File(name string) ([]byte, bool) {
	for _, f := range a.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

// marker reports whether line is "-- NAME --" and returns NAME.
func marker(line []byte) (string, bool) {
	s := strings.TrimRight(string(line), "\r\n")
	if !strings.HasPrefix(s, "-- ") || !strings.HasSuffix(s, " --") || len(s) < len("-- x --") {
		return "", false
	}
	name := strings.TrimSpace(s[3 : len(s)-3])
	return name, name != ""
}
