package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/voyplan/voyplan/engine/transcript"
)

// JSONL appends conversations to a conversations.jsonl file, one JSON object
// per line (see appender: durable line by line, even through kill -9).
type JSONL struct{ appender }

// CreateJSONL opens path for appending, creating it (0644) if needed.
func CreateJSONL(path string) (*JSONL, error) {
	j := &JSONL{appender{path: path}}
	if err := j.open(); err != nil {
		return nil, fmt.Errorf("cannot open the conversations file: %w", err)
	}
	return j, nil
}

// Write appends c as one line. It is safe for concurrent use.
func (j *JSONL) Write(c *transcript.Conversation) error {
	return j.appendNamed(c, lineName{"conversation ", c.ID})
}

// appender appends JSON lines to a file. Each line reaches the file in one
// write(2) on an O_APPEND descriptor, with no buffer in between, so a process
// killed at any moment (even kill -9) leaves every line append returned for
// on disk, and at worst the line being written cut short (scanJSONLines
// tolerates that). A write that fails or is cut short (a full disk) leaves
// no fragment: the file is truncated back to the end of its last whole
// line, so the lines after it, if any can be written, are whole too; when
// even that fails, the appender refuses every later line rather than
// write one after a fragment. The file is opened by open, or else by the
// first append.
type appender struct {
	path string
	// wrap, when set, stands between the appender and its file (tests: a
	// disk that fills up after N bytes).
	wrap func(*os.File) appendFile
	// mu serialises writes: one line is on the file before the next begins,
	// so lines never interleave even when a write is short. It guards f,
	// end, dirty, broken and closed.
	mu     sync.Mutex
	f      appendFile
	end    int64 // offset of the end of the last whole line
	dirty  bool  // lines written since the last sync
	broken error // the file may end in a fragment: no more lines
	closed bool
}

// appendFile is what an appender needs of its file (an *os.File).
type appendFile interface {
	io.Writer
	Truncate(size int64) error
	Sync() error
	Close() error
}

// lineName names a line in errors: prefix, then the id of its conversation
// ("" for none). It is made a string only for an error, not for each line.
type lineName struct{ prefix, id string }

func (n lineName) String() string { return n.prefix + n.id }

func (a *appender) open() error {
	f, err := os.OpenFile(a.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	a.f, a.end = f, fi.Size()
	if a.wrap != nil {
		a.f = a.wrap(f)
	}
	return nil
}

// append writes v as one line; what names it in errors.
func (a *appender) append(v any, what string) error {
	return a.appendNamed(v, lineName{prefix: what})
}

// appendNamed writes v as one line, named in errors by name.
func (a *appender) appendNamed(v any, name lineName) error {
	buf := lineBuffers.Get().(*[]byte)
	defer putLineBuffer(buf)
	line, ok := appendLine((*buf)[:0], v)
	if !ok {
		var err error
		if line, err = encodeLine(v); err != nil {
			return fmt.Errorf("cannot encode %s: %w", name, err)
		}
	}
	*buf = line[:0]
	return a.appendLine(line, name)
}

// appendLine appends v's line through the append-style encoder (encode.go)
// when it knows v's type and every value in it; ok false otherwise.
func appendLine(dst []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case *transcript.Conversation:
		return appendConversationLine(dst, v)
	case journalEntry:
		return appendJournalLine(dst, &v)
	}
	return dst, false
}

// lineBuffers pools the lines' buffers: a line is written before append
// returns, so its buffer is free again at once.
var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func putLineBuffer(b *[]byte) {
	if cap(*b) <= 256<<10 { // one huge conversation does not pin its buffer
		lineBuffers.Put(b)
	}
}

// appendLine writes line, which ends with its newline, all or nothing.
func (a *appender) appendLine(line []byte, name lineName) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.closed:
		return fmt.Errorf("cannot write %s to %s: %w", name, a.path, os.ErrClosed)
	case a.broken != nil:
		return fmt.Errorf("cannot write %s to %s: %w", name, a.path, a.broken)
	case a.f == nil:
		if err := a.open(); err != nil {
			return fmt.Errorf("cannot open %s: %w", a.path, err)
		}
	}
	n, err := a.f.Write(line)
	if err == nil && n == len(line) {
		a.end += int64(n)
		a.dirty = true
		return nil
	}
	if err == nil {
		err = io.ErrShortWrite
	}
	if terr := a.f.Truncate(a.end); terr != nil {
		a.broken = fmt.Errorf("a line cut short by %v could not be taken back (%v): the file may end in a fragment", err, terr)
	}
	if _, named := errors.AsType[*fs.PathError](err); named {
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	return fmt.Errorf("cannot write %s to %s: %w", name, a.path, err)
}

// sync makes the lines written so far durable (fsync), if there are new
// ones. The file stays usable while it syncs: only the descriptor is shared.
func (a *appender) sync() error {
	a.mu.Lock()
	f, dirty := a.f, a.dirty
	a.dirty = false
	a.mu.Unlock()
	if f == nil || !dirty {
		return nil
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("cannot sync %s: %w", a.path, err)
	}
	return nil
}

// Close syncs and closes the file, if it was opened; later appends fail.
func (a *appender) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	if a.f == nil {
		return nil
	}
	var err error
	if a.dirty {
		err = a.f.Sync()
		a.dirty = false
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	a.f = nil
	if err != nil {
		return fmt.Errorf("cannot close %s: %w", a.path, err)
	}
	return nil
}

// encodeLine is v as JSON with its newline; HTML characters are kept as they
// are (links in replies stay readable).
func encodeLine(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ReadJSONL reads every conversation in a conversations.jsonl file. A last
// line without its newline that does not parse — a write cut short by a
// killed process — is ignored; any other bad line is an error naming it.
func ReadJSONL(path string) ([]transcript.Conversation, error) {
	var out []transcript.Conversation
	err := ScanJSONL(path, func(c *transcript.Conversation) error {
		out = append(out, *c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScanJSONL calls fn with each conversation of a conversations.jsonl file in
// turn, without holding the file in memory, and stops at fn's first error.
// Bad lines are handled as ReadJSONL does.
func ScanJSONL(path string, fn func(*transcript.Conversation) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read the conversations file: %w", err)
	}
	defer f.Close()
	return scanJSONLines(path, "conversation", bufio.NewReader(f), fn)
}

// scanJSONLines decodes each line of r as a T and calls fn with it. Blank
// lines are skipped; a last line without its newline that does not parse —
// a write cut short by a killed process — is ignored; any other bad line is
// an error naming it.
func scanJSONLines[T any](path, what string, r *bufio.Reader, fn func(*T) error) error {
	return scanJSONLinesAt(path, what, r, func(v *T, _ jsonLine) error { return fn(v) })
}

// jsonLine is where a line is in its file.
type jsonLine struct {
	n   int   // line number, from 1
	off int64 // byte offset
	len int   // bytes, newline included
	nl  bool  // the line ends with its newline
}

// scanJSONLinesAt is scanJSONLines telling fn where each line is, so that
// it can be copied byte for byte later (voyplan merge).
func scanJSONLinesAt[T any](path, what string, r *bufio.Reader, fn func(*T, jsonLine) error) error {
	var off int64
	for n := 1; ; n++ {
		line, rerr := r.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return fmt.Errorf("cannot read %s: %w", path, rerr)
		}
		last := rerr != nil // io.EOF: the line has no newline
		var v T
		var err error
		blank := len(bytes.TrimSpace(line)) == 0
		if !blank {
			err = json.Unmarshal(line, &v)
		}
		switch {
		case err != nil && last:
			return nil // truncated by a killed writer
		case err != nil:
			return fmt.Errorf("%s:%d: invalid %s: %w", path, n, what, err)
		case !blank:
			if err := fn(&v, jsonLine{n: n, off: off, len: len(line), nl: !last}); err != nil {
				return err
			}
		}
		off += int64(len(line))
		if last {
			return nil
		}
	}
}
