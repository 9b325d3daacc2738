package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// lineFiles are the files of a run directory appended line by line.
var lineFiles = []string{ConversationsFile, LateFile}

// TornTails says, one sentence each, which of the directory's line files
// end in a torn line — a last line without its newline that is not JSON:
// a write cut short by a killed process. Every reader skips such a line
// (a torn line anywhere else is an error naming it); the caller warns.
func (d *Dir) TornTails() []string {
	var out []string
	for _, name := range lineFiles {
		torn, err := tornTail(d.File(name))
		if err != nil || !torn {
			continue // a file that cannot be read fails its reader, which says so
		}
		out = append(out, fmt.Sprintf("%s ends in a torn line (a write cut short); it is skipped", d.File(name)))
	}
	return out
}

// tornTail reports whether the file at path ends in a torn line; a missing
// file does not.
func tornTail(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return false, err
	}
	// Read back from the end to the last newline: the last line.
	const chunk = 64 << 10
	var last []byte
	for end := fi.Size(); end > 0; {
		start := max(end-chunk, 0)
		buf := make([]byte, end-start)
		if _, err := f.ReadAt(buf, start); err != nil {
			return false, err
		}
		if end == fi.Size() && buf[len(buf)-1] == '\n' {
			return false, nil
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			last = append(buf[i+1:], last...)
			break
		}
		last = append(buf, last...)
		end = start
	}
	last = bytes.TrimSpace(last)
	return len(last) > 0 && !json.Valid(last), nil
}
