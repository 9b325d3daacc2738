package widget

import (
	"bytes"
	"os"
	"testing"
)

// callbacks are real reply callbacks: a conversation's bodies as the
// built-in simulator sends them (json.Marshal of its items, a park image
// every third reply), then VOYAGER.md §1's example and the top-level
// shapes. One body per line.
func callbacks(tb testing.TB) [][]byte {
	tb.Helper()
	raw, err := os.ReadFile("testdata/callbacks.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	return bytes.Split(bytes.TrimSpace(raw), []byte("\n"))
}

// BenchmarkParsePayload parses the real callbacks in turn: the cost per
// callback of the receiver's parse.
func BenchmarkParsePayload(b *testing.B) {
	bodies := callbacks(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ParsePayload(bodies[i%len(bodies)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
