package results

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

// A skimmed conversation is the whole one without its texts, through the
// fast decoder as through encoding/json; whole gives the line in full,
// after a line longer than the reader's buffer too.
func TestScanConversationsSkimmed(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 2026))
	var file bytes.Buffer
	var want []*transcript.Conversation
	for i := range 400 {
		c := richConversation(r)
		if i == 7 { // a line longer than the reader's 64 KiB buffer
			c.Turns = append(c.Turns, transcript.Turn{N: 1})
			c.Turns[0].Sent = string(bytes.Repeat([]byte("a long message "), 10_000))
		}
		line, ok := appendLine(nil, c)
		if !ok {
			t.Fatalf("fixture %d: the encoder declined it", i)
		}
		file.Write(line)
		var w transcript.Conversation
		if err := json.Unmarshal(line, &w); err != nil {
			t.Fatal(err)
		}
		want = append(want, &w)
		var s1, s2 skimConversation
		if err := decodeLine(line, &s1); err != nil {
			t.Fatalf("fixture %d: %v", i, err)
		}
		if err := json.Unmarshal(line, &s2); err != nil {
			t.Fatalf("fixture %d: encoding/json: %v", i, err)
		}
		if !reflect.DeepEqual(s1, s2) {
			t.Fatalf("fixture %d skims differently through encoding/json:\n got %+v\nwant %+v", i, s1, s2)
		}
	}
	dir := At(t.TempDir())
	if err := os.WriteFile(dir.File(ConversationsFile), file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	i := 0
	err := dir.ScanConversationsSkimmed(func(c *transcript.Conversation, whole func() (*transcript.Conversation, error)) error {
		w := *want[i]
		if i%2 == 0 {
			got, err := whole()
			if err != nil || !reflect.DeepEqual(got, &w) {
				t.Fatalf("conversation %d whole (%v):\n got %+v\nwant %+v", i, err, got, &w)
			}
		}
		w.Data, w.ClientIdentifier = nil, ""
		w.Turns = append([]transcript.Turn(nil), w.Turns...)
		for j := range w.Turns {
			w.Turns[j].Sent, w.Turns[j].Messages, w.Turns[j].Late = "", nil, nil
		}
		if len(w.Turns) == 0 && len(c.Turns) == 0 {
			w.Turns = c.Turns // nil or empty, as the line said
		}
		if !reflect.DeepEqual(c, &w) {
			t.Fatalf("conversation %d skimmed:\n got %+v\nwant %+v", i, c, &w)
		}
		i++
		return nil
	})
	if err != nil || i != len(want) {
		t.Fatalf("%d of %d conversations scanned: %v", i, len(want), err)
	}
}
