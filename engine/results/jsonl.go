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
	"runtime"
	"sync"

	fastjson "github.com/goccy/go-json"

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

// appender appends JSON lines to a file, durable line by line: append
// returns only once its line is in the file (or with the error that kept it
// out), with no buffer in between, so a process killed at any moment (even
// kill -9) leaves every line append returned for on disk, and at worst the
// lines of the write in flight cut short — whole lines, then one torn last
// line (scanJSONLines tolerates that).
//
// Lines reach the file by group commit, in one write(2) per batch of lines
// on an O_APPEND descriptor. A line appended while no batch is open opens
// one and leads it: it yields the processor once (runtime.Gosched), so that
// the goroutines ready to run may append their lines to the batch too,
// waits for the write in flight, if any, to end, and writes the batch;
// lines appended meanwhile join it, in the order they came, and each waits
// for that write and returns its own line's outcome. Only one write is in
// flight at a time, so lines never interleave. A run's users end their
// turns on two CPUs at once but rarely during one write(2): without the
// yield a journal.jsonl write carried 1.05 lines, with it about 3 (issue
// 16: a write per line cost a run at saturation 6 µs per turn). When no
// other goroutine is ready to run the yield returns at once; else it costs
// the appender, and the lines that joined, their turn on the processor —
// no timer: the line is written, or fails, before append returns. No
// goroutine writes on a caller's behalf: the leader is one of the callers.
//
// A write that fails or is cut short (a full disk) leaves no fragment: the
// lines it wrote whole stay, and their appends succeed; the file is
// truncated back to the end of the last of them, and the line that was
// cut fails; the lines after it are then written one write each, as if each
// had come alone, and succeed or fail on their own (a smaller line may
// still fit). When even the truncation fails, the appender refuses every
// later line rather than write one after a fragment. The file is opened by
// open, or else by the first append.
type appender struct {
	path string
	// wrap, when set, stands between the appender and its file (tests: a
	// disk that fills up after N bytes).
	wrap func(*os.File) appendFile
	// mu guards every field below. It is not held during a write that
	// succeeds: the write is the turn of the one goroutine that set writing.
	mu      sync.Mutex
	f       appendFile
	end     int64 // offset of the end of the last whole line
	dirty   bool  // lines written since the last sync
	broken  error // the file may end in a fragment: no more lines
	closed  bool
	writing bool      // a write is in flight
	next    *batch    // the open batch, not yet written; nil: none
	idle    sync.Cond // broadcast when writing ends: next's leader, Close wait for it
	free    *batch    // batches done with, to reuse (no allocation per line)
}

// batch is lines written together, in one write, by the first of them
// (the leader).
type batch struct {
	buf     []byte    // the lines, one after another
	ends    []int     // where each line ends in buf
	errs    []error   // each line's outcome, once done
	done    bool      // written or failed: errs are final
	waiting int       // lines whose append has not read its outcome yet
	cond    sync.Cond // broadcast when done
	next    *batch    // in appender.free
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

// appendLine writes line, which ends with its newline, all or nothing, in
// the open batch or in one it opens (see appender).
func (a *appender) appendLine(line []byte, name lineName) error {
	a.lock()
	b := a.next
	leader := b == nil
	if leader {
		b = a.newBatch()
		a.next = b
	}
	i := len(b.ends)
	b.buf = append(b.buf, line...)
	b.ends = append(b.ends, len(b.buf))
	b.errs = append(b.errs, nil)
	b.waiting++
	if leader {
		if !a.writing { // else the write in flight is the wait
			a.mu.Unlock()
			runtime.Gosched()
			a.mu.Lock()
		}
		for a.writing {
			a.idle.Wait()
		}
		a.next = nil // lines from now on queue behind this batch's write
		if err := a.ready(); err != nil {
			for j := range b.errs {
				b.errs[j] = err
			}
		} else {
			a.write(b.buf, b.ends, b.errs)
		}
		b.done = true
		b.cond.Broadcast()
	}
	for !b.done {
		b.cond.Wait()
	}
	err := b.errs[i]
	if b.waiting--; b.waiting == 0 {
		a.reuse(b)
	}
	a.mu.Unlock()
	return a.lineError(name, err)
}

// lock locks mu, making the conditions ready on first use.
func (a *appender) lock() {
	a.mu.Lock()
	if a.idle.L == nil {
		a.idle.L = &a.mu
	}
}

// ready is nil when a line may be written now, opening the file if need
// be; else why not. It is called with mu held.
func (a *appender) ready() error {
	switch {
	case a.closed:
		return os.ErrClosed
	case a.broken != nil:
		return a.broken
	case a.f == nil:
		if err := a.open(); err != nil {
			return openError{fmt.Errorf("cannot open %s: %w", a.path, err)}
		}
	}
	return nil
}

// openError is a file that could not be opened: the error of every line
// that needed it, as it is.
type openError struct{ err error }

func (e openError) Error() string { return e.err.Error() }
func (e openError) Unwrap() error { return e.err }

// lineError is the error append returns for the line named name whose
// outcome was err.
func (a *appender) lineError(name lineName, err error) error {
	if err == nil {
		return nil
	}
	if oe, ok := err.(openError); ok {
		return oe.err
	}
	if _, named := errors.AsType[*fs.PathError](err); named {
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	return fmt.Errorf("cannot write %s to %s: %w", name, a.path, err)
}

// write writes buf, whole lines ending at ends, in one write, and sets
// errs to each line's outcome. It is called with mu held and no write in
// flight; it unlocks mu for the write (writing tells the others to queue
// their lines meanwhile) and locks it again before it returns.
func (a *appender) write(buf []byte, ends []int, errs []error) {
	a.writing = true
	f := a.f
	a.mu.Unlock()
	n, err := f.Write(buf)
	a.mu.Lock()
	if err == nil && n == len(buf) {
		a.end += int64(n)
		a.dirty = true
	} else {
		a.salvage(f, buf, ends, errs, n, err)
	}
	a.writing = false
	a.idle.Broadcast()
}

// salvage handles a write of buf that wrote only its first n bytes, or
// failed (err): the lines it wrote whole stay; the file is truncated back
// to their end, which fails the line that was cut; the lines after it are
// written one write each, as if each had come alone. It is called with mu
// held (a failure is rare: the others may wait).
func (a *appender) salvage(f appendFile, buf []byte, ends []int, errs []error, n int, err error) {
	if err == nil {
		err = io.ErrShortWrite
	}
	i, whole := 0, 0
	for i < len(ends)-1 && ends[i] <= n { // the last line fails at least: err says the write failed
		whole = ends[i]
		i++
	}
	if whole > 0 {
		a.end += int64(whole)
		a.dirty = true
	}
	a.takeBack(f, err)
	errs[i] = err
	for j := i + 1; j < len(ends); j++ {
		if a.broken != nil {
			errs[j] = a.broken
			continue
		}
		line := buf[ends[j-1]:ends[j]]
		n, err := f.Write(line)
		if err == nil && n == len(line) {
			a.end += int64(n)
			a.dirty = true
			continue
		}
		if err == nil {
			err = io.ErrShortWrite
		}
		a.takeBack(f, err)
		errs[j] = err
	}
}

// takeBack truncates the file back to the end of its last whole line after
// a write failed with err; when that fails too, the appender is broken.
func (a *appender) takeBack(f appendFile, err error) {
	if terr := f.Truncate(a.end); terr != nil {
		a.broken = fmt.Errorf("a line cut short by %v could not be taken back (%v): the file may end in a fragment", err, terr)
	}
}

// newBatch is an empty batch, reused if one is free.
func (a *appender) newBatch() *batch {
	b := a.free
	if b == nil {
		b = &batch{}
		b.cond.L = &a.mu
	} else {
		a.free, b.next = b.next, nil
	}
	return b
}

// reuse empties b, every line's append having read its outcome, and keeps
// it for a later batch.
func (a *appender) reuse(b *batch) {
	if cap(b.buf) > 1<<20 { // a batch of huge lines does not pin its buffer
		b.buf = nil
	}
	clear(b.errs)
	b.buf, b.ends, b.errs, b.done = b.buf[:0], b.ends[:0], b.errs[:0], false
	a.free, b.next = b, a.free
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

// Close waits for the write in flight, if any, then syncs and closes the
// file, if it was opened; the lines still queued and later appends fail
// (os.ErrClosed).
func (a *appender) Close() error {
	a.lock()
	defer a.mu.Unlock()
	a.closed = true
	for a.writing {
		a.idle.Wait()
	}
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

// decodeLine decodes one line into v: through goccy/go-json, twice as
// fast as encoding/json on a run's lines (the reports read every
// conversation back at the end of a run, ~5 µs of a turn's CPU), and,
// when it finds the line bad, through encoding/json, which decides what is
// an error and says it (TestDecodeLineMatchesEncodingJSON).
func decodeLine[T any](line []byte, v *T) error {
	if err := fastjson.Unmarshal(line, v); err == nil {
		return nil
	}
	var zero T
	*v = zero
	return json.Unmarshal(line, v)
}

// scanJSONLinesAt is scanJSONLines telling fn where each line is, so that
// it can be copied byte for byte later (voyplan merge).
func scanJSONLinesAt[T any](path, what string, r *bufio.Reader, fn func(*T, jsonLine) error) error {
	var v *T
	return scanLinesAt(path, what, r,
		func(line []byte) error { v = new(T); return decodeLine(line, v) },
		func(at jsonLine) error { return fn(v, at) })
}

// scanLinesAt reads r line by line: decode decodes each line that is not
// blank (its newline included; the slice is r's until the next line), and
// use takes what it decoded. A last line without its newline that does not
// decode is ignored; any other is an error naming it.
func scanLinesAt(path, what string, r *bufio.Reader, decode func(line []byte) error, use func(jsonLine) error) error {
	var (
		off  int64
		long []byte // a line longer than r's buffer, gathered
	)
	for n := 1; ; n++ {
		line, rerr := r.ReadSlice('\n')
		if errors.Is(rerr, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(rerr, bufio.ErrBufferFull) {
				line, rerr = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return fmt.Errorf("cannot read %s: %w", path, rerr)
		}
		last := rerr != nil // io.EOF: the line has no newline
		var err error
		blank := len(bytes.TrimSpace(line)) == 0
		if !blank {
			err = decode(line)
		}
		switch {
		case err != nil && last:
			return nil // truncated by a killed writer
		case err != nil:
			return fmt.Errorf("%s:%d: invalid %s: %w", path, n, what, err)
		case !blank:
			if err := use(jsonLine{n: n, off: off, len: len(line), nl: !last}); err != nil {
				return err
			}
		}
		off += int64(len(line))
		if last {
			return nil
		}
	}
}
