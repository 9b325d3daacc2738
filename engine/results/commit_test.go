package results

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/results/resultstest"
	"github.com/voyplan/voyplan/engine/transcript"
)

// gateFile counts the writes to its file and holds the first one until
// the test lets it go on: the lines appended meanwhile queue behind it.
type gateFile struct {
	appendFile
	writes  atomic.Int64
	started chan struct{} // closed when the first write has begun
	release chan struct{} // closed by the test: the first write goes on
}

func (g *gateFile) Write(p []byte) (int, error) {
	if g.writes.Add(1) == 1 {
		close(g.started)
		<-g.release
	}
	return g.appendFile.Write(p)
}

// gated makes a's file a gateFile around what under makes of it (the file
// itself when under is nil).
func gated(t *testing.T, a *appender, under func(*os.File) appendFile) *gateFile {
	t.Helper()
	g := &gateFile{started: make(chan struct{}), release: make(chan struct{})}
	a.wrap = func(f *os.File) appendFile {
		g.appendFile = f
		if under != nil {
			g.appendFile = under(f)
		}
		return g
	}
	if err := a.open(); err != nil {
		t.Fatal(err)
	}
	return g
}

// waitUntil waits, at most a minute, until cond holds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		runtime.Gosched()
	}
}

// queued is how many lines wait in a's next batch.
func queued(a *appender) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.next == nil {
		return 0
	}
	return len(a.next.ends)
}

// appendHeld appends first, whose write the gate holds, then each of
// lines in turn, each once the ones before it are queued (so the batch
// holds them in that order), then calls before, if not nil, lets the first
// write go on and returns each line's error, first's at 0.
func appendHeld(t *testing.T, a *appender, g *gateFile, first *transcript.Conversation, lines []*transcript.Conversation,
	before func()) []error {
	t.Helper()
	errs := make([]error, 1+len(lines))
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = a.append(first, "conversation "+first.ID) })
	select {
	case <-g.started:
	case <-time.After(time.Minute):
		t.Fatal("the first write never began")
	}
	for i, c := range lines {
		wg.Go(func() { errs[1+i] = a.append(c, "conversation "+c.ID) })
		waitUntil(t, fmt.Sprintf("%d lines are queued", i+1), func() bool { return queued(a) == i+1 })
	}
	if before != nil {
		before()
	}
	close(g.release)
	wg.Wait()
	return errs
}

// ids are the ids of the conversations in path, in order.
func ids(t *testing.T, path string) []string {
	t.Helper()
	convs, err := ReadJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range convs {
		out = append(out, c.ID)
	}
	return out
}

// Lines appended while a write is in flight wait for it, then go to the
// file together in one write — each whole, once, in the order they came.
func TestAppenderGroupCommit(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ConversationsFile)
	a := &appender{path: path}
	g := gated(t, a, nil)
	var lines []*transcript.Conversation
	want := []string{"first"}
	for i := range 24 {
		lines = append(lines, resultstest.Conversation(fmt.Sprintf("c%02d", i)))
		want = append(want, lines[i].ID)
	}
	for i, err := range appendHeld(t, a, g, resultstest.Conversation("first"), lines, nil) {
		if err != nil {
			t.Errorf("line %d: %v", i, err)
		}
	}
	if n := g.writes.Load(); n != 2 {
		t.Errorf("%d writes for %d lines, want 2: the first line, then the %d queued behind it in one", n, len(want), len(lines))
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if n := wholeLines(t, path); n != len(want) {
		t.Errorf("%d whole lines, want %d", n, len(want))
	}
	if got := ids(t, path); !slices.Equal(got, want) {
		t.Errorf("lines %v, want %v", got, want)
	}
}

// Many goroutines appending lines of very different sizes at once: every
// line is in the file exactly once and byte for byte as encoded — no line
// cut, interleaved with another or written from a reused buffer — and the
// lines shared writes.
func TestAppenderConcurrentLinesStayWhole(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ConversationsFile)
	var writes atomic.Int64
	a := &appender{path: path, wrap: func(f *os.File) appendFile { return countedFile{f, &writes} }}
	const writers, each = 16, 40
	conv := func(w, i int) *transcript.Conversation {
		c := resultstest.Conversation(fmt.Sprintf("w%d-%d", w, i))
		n := (w*each + i) * 7919 % 97 * 211 // 0 to 20 KB
		if (w*each+i)%50 == 0 {
			n = 300 << 10 // more than a pooled buffer keeps
		}
		c.Turns[0].Sent = strings.Repeat("x", n)
		return c
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := a.append(conv(w, i), "conversation"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range bytes.SplitAfter(b, []byte("\n")) {
		if len(l) > 0 {
			lines[string(l)] = true
		}
	}
	if n := bytes.Count(b, []byte("\n")); n != writers*each || len(lines) != writers*each {
		t.Errorf("%d lines, %d distinct, want %d", n, len(lines), writers*each)
	}
	for w := range writers {
		for i := range each {
			if want, _ := encodeLine(conv(w, i)); !lines[string(want)] {
				t.Fatalf("line w%d-%d is not in the file as encoded", w, i)
			}
		}
	}
	t.Logf("%d lines in %d writes", writers*each, writes.Load())
}

// A disk that fills in the middle of a batch: the lines the write took
// whole stay and succeed, the line it cut fails and leaves no fragment,
// and each line after it is tried alone, as if it had come alone — on a
// disk still full it fails too, a smaller one that fits succeeds. Every
// line whose append succeeded is in the file, whole; no other is.
func TestAppenderFullDiskInABatch(t *testing.T) {
	t.Parallel()
	first := resultstest.Conversation("first")
	firstLine, _ := encodeLine(first)
	conv := func(id string, size int) *transcript.Conversation {
		c := resultstest.Conversation(id)
		c.Turns[0].Sent = strings.Repeat("x", size)
		return c
	}
	size := func(c *transcript.Conversation) int { l, _ := encodeLine(c); return len(l) }
	equal := func() []*transcript.Conversation {
		var out []*transcript.Conversation
		for i := range 6 {
			out = append(out, conv(fmt.Sprintf("c%d", i), 100))
		}
		return out
	}()
	mixed := []*transcript.Conversation{conv("small-a", 10), conv("big", 5000), conv("small-c", 10)}
	tests := []struct {
		name   string
		lines  []*transcript.Conversation
		room   int      // beyond the first line
		ok     []string // the lines that succeed, in the file's order
		writes int64
	}{
		{name: "equal lines", lines: equal, room: 2*size(equal[0]) + size(equal[0])/2,
			ok: []string{"first", "c0", "c1"}, writes: 1 + 1 + 3}, // the batch, then c3, c4, c5 alone
		{name: "a smaller line after the cut one", lines: mixed, room: size(mixed[0]) + size(mixed[1])/2,
			ok: []string{"first", "small-a", "small-c"}, writes: 1 + 1 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), ConversationsFile)
			a := &appender{path: path}
			g := gated(t, a, func(f *os.File) appendFile { return &diskFile{File: f, left: len(firstLine) + tt.room} })
			errs := appendHeld(t, a, g, first, tt.lines, nil)
			var ok []string
			for i, err := range errs {
				id := first.ID
				if i > 0 {
					id = tt.lines[i-1].ID
				}
				switch {
				case err == nil:
					ok = append(ok, id)
				case !errors.Is(err, syscall.ENOSPC):
					t.Errorf("%s: %v, want ENOSPC", id, err)
				}
			}
			if !slices.Equal(ok, tt.ok) {
				t.Errorf("the appends of %v succeeded, want %v", ok, tt.ok)
			}
			if n := g.writes.Load(); n != tt.writes {
				t.Errorf("%d writes, want %d", n, tt.writes)
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			wholeLines(t, path)
			if got := ids(t, path); !slices.Equal(got, ok) {
				t.Errorf("the file holds %v, want the lines that succeeded, %v", got, ok)
			}
		})
	}
}

// When the file cannot be taken back to its last whole line after a batch
// was cut, the lines after the cut one are refused (the file may end in a
// fragment), and so is every later line; the lines that succeeded are in
// the file, whole.
func TestAppenderBatchCutOnAnUntruncatableFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ConversationsFile)
	first := resultstest.Conversation("first")
	line, _ := encodeLine(first)
	a := &appender{path: path}
	g := gated(t, a, func(f *os.File) appendFile {
		return &diskFile{File: f, left: 2*len(line) + len(line)/2, truncFail: true}
	})
	var lines []*transcript.Conversation
	for i := range 4 {
		lines = append(lines, resultstest.Conversation(fmt.Sprintf("l%04d", i))) // as long as "first"
	}
	errs := appendHeld(t, a, g, first, lines, nil)
	for i, want := range []string{"", "", "no space left", "fragment", "fragment"} {
		if err := errs[i]; (err == nil) != (want == "") || err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("line %d: %v, want %q", i, err, want)
		}
	}
	if err := a.append(resultstest.Conversation("later"), "conversation later"); err == nil || !strings.Contains(err.Error(), "fragment") {
		t.Errorf("a later line: %v, want it refused", err)
	}
	a.Close()
	if got := ids(t, path); !slices.Equal(got, []string{"first", "l0000"}) {
		t.Errorf("the file holds %v, want first and l0000", got)
	}
}

// Close waits for the write in flight — its line is written — and the
// lines queued behind it fail: the file is closed.
func TestAppenderCloseWaitsForTheWriteInFlight(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ConversationsFile)
	a := &appender{path: path}
	g := gated(t, a, nil)
	var closeErr error
	var closing sync.WaitGroup
	lines := []*transcript.Conversation{resultstest.Conversation("q0"), resultstest.Conversation("q1"), resultstest.Conversation("q2")}
	errs := appendHeld(t, a, g, resultstest.Conversation("first"), lines, func() {
		closing.Go(func() { closeErr = a.Close() })
		waitUntil(t, "Close has begun", func() bool { a.mu.Lock(); defer a.mu.Unlock(); return a.closed })
	})
	closing.Wait()
	if closeErr != nil {
		t.Fatal(closeErr)
	}
	if errs[0] != nil {
		t.Errorf("the line in flight: %v", errs[0])
	}
	for i, err := range errs[1:] {
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("queued line %d: %v, want os.ErrClosed", i, err)
		}
	}
	if got := ids(t, path); !slices.Equal(got, []string{"first"}) {
		t.Errorf("the file holds %v, want the line in flight", got)
	}
}
