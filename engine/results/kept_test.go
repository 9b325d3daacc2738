package results

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/results/resultstest"
	"github.com/voyplan/voyplan/engine/transcript"
)

// A conversation's line splices the turns its journal lines encoded, when
// they are as many as it has at its end and none has had a late part
// attached since; otherwise it is encoded afresh. Nothing is kept once the
// line is written.
func TestConversationLineSplicesTheJournaledTurns(t *testing.T) {
	dir := At(t.TempDir())
	sinks, err := dir.OpenSinks(JournalRun{Plan: PlanInfo{Name: "kept"}, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	for i, change := range []func(c *transcript.Conversation) (journaled int){
		func(c *transcript.Conversation) int { return len(c.Turns) },     // spliced
		func(c *transcript.Conversation) int { return len(c.Turns) - 1 }, // one more journaled than it has
		func(c *transcript.Conversation) int { // a late part attached since
			c.Turns[0].Late = []transcript.Message{{Type: "text", Text: "a late <part> & more"}}
			return len(c.Turns)
		},
		func(c *transcript.Conversation) int { // spliced: see below
			c.Turns[1].Sent = "changed after its journal line"
			return len(c.Turns)
		},
	} {
		c := resultstest.Conversation(fmt.Sprintf("c%d", i))
		c.Turns = append(c.Turns, c.Turns[0], c.Turns[0])
		for n := range c.Turns {
			c.Turns[n].N = n + 1
			c.Turns[n].Sent = strings.Repeat("é\u2028\"", n+1) // escapes the encoder must agree on
		}
		journaled := len(c.Turns)
		late := c.Turns[0].Late
		c.Turns[0].Late = nil
		for n := range journaled {
			if err := sinks.Turn(c.ID, &c.Turns[n]); err != nil {
				t.Fatal(err)
			}
		}
		if j := change(c); j < journaled { // drop a journaled turn's twin: one too many kept
			c.Turns = c.Turns[:j]
		}
		if late != nil {
			c.Turns[0].Late = late
		}
		if err := sinks.Write(c); err != nil {
			t.Fatal(err)
		}
		if i == 3 { // what the journal wrote is spliced: a turn must not change after its line (run's tests)
			c.Turns[1].Sent = strings.Repeat("é\u2028\"", 2)
		}
		line, ok := appendConversationLine(nil, c)
		if !ok {
			t.Fatal("the encoder declined a plain conversation")
		}
		want = append(want, line...)
	}
	if n := len(sinks.kept.m); n != 0 {
		t.Errorf("%d conversations' turns still kept after their lines", n)
	}
	if err := sinks.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dir.File(ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("conversations.jsonl:\n%s\nwant:\n%s", got, want)
	}
}
