package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
)

// historyTail closes history.json's samples array and its object.
const historyTail = "]}\n"

// historyFile is history.json while a run goes on: a sample is appended in
// place, over the file's closing "]}\n" and followed by a new one, in one
// write, so the file is a whole, valid History after every sample (and a
// killed process leaves the samples taken so far) without keeping the
// samples in memory or writing them again: a sample costs the same at the
// thirtieth minute as at the first. The bytes are those WriteHistory
// writes for the same samples.
type historyFile struct {
	f    historyDisk
	end  int64 // where the tail starts
	n    int   // samples in the file
	buf  bytes.Buffer
	enc  *json.Encoder // into buf
	last time.Duration // the last sample's elapsed time
}

// historyDisk is what historyFile needs of its *os.File (a test gives it
// a full disk).
type historyDisk interface {
	io.WriterAt
	io.Writer
	Truncate(size int64) error
	Sync() error
	Close() error
}

// createHistoryFile creates dir/history.json with no samples yet.
func createHistoryFile(dir string, interval time.Duration) (*historyFile, error) {
	f, err := os.OpenFile(filepath.Join(dir, HistoryFile), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot create the history: %w", err)
	}
	return newHistoryFile(f, dir, interval)
}

// newHistoryFile writes history.json's first bytes, with no samples, to
// the empty file f in dir.
func newHistoryFile(f historyDisk, dir string, interval time.Duration) (*historyFile, error) {
	h := &historyFile{f: f}
	h.enc = json.NewEncoder(&h.buf)
	h.enc.SetEscapeHTML(false)
	if err := h.enc.Encode(NewHistory(interval, nil)); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot encode the history: %w", err)
	}
	head, ok := bytes.CutSuffix(h.buf.Bytes(), []byte(historyTail))
	if !ok || !bytes.HasSuffix(head, []byte("[")) {
		f.Close()
		return nil, fmt.Errorf("cannot encode the history: unexpected shape %q", h.buf.Bytes())
	}
	h.end = int64(len(head))
	if _, err := f.Write(h.buf.Bytes()); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot write the history: %w", err)
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	return h, nil
}

// append writes s after the samples in the file. A failed write (a full
// disk) puts the tail back where it was, so the file keeps the samples
// before s.
func (h *historyFile) append(s metrics.Sample) error {
	h.buf.Reset()
	if h.n > 0 {
		h.buf.WriteByte(',')
	}
	if err := h.enc.Encode(s); err != nil {
		return fmt.Errorf("cannot encode the history: %w", err)
	}
	h.buf.Truncate(h.buf.Len() - 1) // Encode's newline
	body := h.buf.Len()
	h.buf.WriteString(historyTail)
	if _, err := h.f.WriteAt(h.buf.Bytes(), h.end); err != nil {
		_, _ = h.f.WriteAt([]byte(historyTail), h.end)
		_ = h.f.Truncate(h.end + int64(len(historyTail)))
		return fmt.Errorf("cannot write the history: %w", err)
	}
	h.end += int64(body)
	h.n++
	h.last = time.Duration(s.ElapsedMS * float64(time.Millisecond))
	return nil
}

// sync makes the file durable.
func (h *historyFile) sync() error {
	if err := h.f.Sync(); err != nil {
		return fmt.Errorf("cannot sync the history: %w", err)
	}
	return nil
}

// close syncs and closes the file.
func (h *historyFile) close() error {
	err := h.sync()
	if cerr := h.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("cannot close the history: %w", cerr)
	}
	return err
}
