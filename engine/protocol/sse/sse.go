package sse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Event is one dispatched event. Type is the event field ("" when the
// event named none: the standard's "message"); Data joins its data lines
// with newlines.
type Event struct {
	Type string
	Data string
	ID   string
}

// ErrTooLarge: an event (or one of its lines) is larger than the reader's
// limit.
var ErrTooLarge = errors.New("an event is larger than the limit")

// SyntaxError is a line that is not an event-stream field.
type SyntaxError struct {
	Line int    // 1-based
	Text string // the start of the line, quoted in Error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("malformed event-stream line %d: %q is not a field (event, data, id, retry) nor a comment", e.Line, e.Text)
}

// Reader reads events from an event stream. Not safe for concurrent use.
type Reader struct {
	r     *bufio.Reader
	max   int
	line  int
	bytes int64
	buf   []byte // the line being read, across bufio's buffer
}

// NewReader reads r, refusing events larger than max bytes.
func NewReader(r io.Reader, max int) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 16<<10), max: max}
}

// Bytes is how many bytes have been read so far.
func (r *Reader) Bytes() int64 { return r.bytes }

// Next returns the next event. At the end of the stream it returns io.EOF
// (an event the stream ended inside is dropped, as the standard says); a
// read error is returned as it came.
func (r *Reader) Next() (Event, error) {
	var ev Event
	var data []byte
	seen, size := false, 0
	for {
		line, err := r.readLine()
		if err != nil {
			return Event{}, err
		}
		if len(line) == 0 {
			if !seen {
				continue // blank lines between events
			}
			ev.Data = string(data)
			return ev, nil
		}
		if size += len(line); size > r.max {
			return Event{}, ErrTooLarge
		}
		if line[0] == ':' {
			continue // a comment, often a keep-alive
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "data":
			if seen && data != nil {
				data = append(data, '\n')
			}
			data = append(data, value...)
			if data == nil {
				data = []byte{}
			}
		case "event":
			ev.Type = string(value)
		case "id":
			ev.ID = string(value)
		case "retry":
		default:
			return Event{}, &SyntaxError{Line: r.line, Text: quoteStart(line)}
		}
		seen = true
	}
}

// readLine reads one line without its end (\n or \r\n), bounded by max.
func (r *Reader) readLine() ([]byte, error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.r.ReadSlice('\n')
		r.bytes += int64(len(chunk))
		r.buf = append(r.buf, chunk...)
		if len(r.buf) > r.max+2 {
			return nil, ErrTooLarge
		}
		switch {
		case err == nil:
			r.line++
			line := bytes.TrimSuffix(r.buf[:len(r.buf)-1], []byte("\r"))
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(r.buf) > 0:
			return nil, io.EOF // a last line without its end: the event is incomplete
		default:
			return nil, err
		}
	}
}

// quoteStart is the start of a line for an error: 60 bytes at most, cut on
// a rune boundary.
func quoteStart(line []byte) string {
	if len(line) <= 60 {
		return string(line)
	}
	cut := 60
	for cut > 0 && !utf8.RuneStart(line[cut]) {
		cut--
	}
	return string(line[:cut]) + "…"
}
