package results

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/results/resultstest"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Rebuild keeps every whole line of conversations.jsonl once, drops its
// torn last line, and adds from the journal each conversation it saw start
// that conversations.jsonl lacks: interrupted with the turns it had, or
// with the outcome its end line says (its own line was the torn one).
func TestRebuildFromTheJournal(t *testing.T) {
	t.Parallel()
	dir, err := Create(filepath.Join(t.TempDir(), "out"), "crash", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sinks, err := dir.OpenSinks(JournalRun{Plan: PlanInfo{Name: "crash"}, Version: "test", StartedAt: time.Now(),
		Personas: []string{"edman"}, Thresholds: []JournalThreshold{{Name: "ok", Check: "conversations.started > 0"}}})
	if err != nil {
		t.Fatal(err)
	}
	begin := func(id string) *transcript.Conversation {
		c := resultstest.Conversation(id)
		head := *c
		head.Turns, head.Outcome = []transcript.Turn{}, ""
		if err := sinks.Begin(&head); err != nil {
			t.Fatal(err)
		}
		if err := sinks.Turn(id, &c.Turns[0]); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if err := sinks.Write(begin("done")); err != nil { // ended and recorded
		t.Fatal(err)
	}
	torn := begin("torn") // ended, but its line was cut by the kill
	if err := sinks.Write(torn); err != nil {
		t.Fatal(err)
	}
	begin("flying") // in flight at the kill
	sinks.stopSync()
	b, err := os.ReadFile(dir.File(ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir.File(ConversationsFile), b[:len(b)-20], 0o644); err != nil { // kill -9 mid-write
		t.Fatal(err)
	}

	rc, err := dir.Rebuild()
	if err != nil {
		t.Fatal(err)
	}
	if rc.Rebuilt.Recorded != 1 || rc.Rebuilt.InFlight != 2 || rc.Ending.Run.StopReason != StopCrashed || len(rc.Thresholds) != 1 {
		t.Errorf("rebuilt %+v, stop_reason %q", rc.Rebuilt, rc.Ending.Run.StopReason)
	}
	convs, err := dir.ReadConversations()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]transcript.Outcome{}
	for _, c := range convs {
		if _, twice := got[c.ID]; twice {
			t.Errorf("%s written twice", c.ID)
		}
		got[c.ID] = c.Outcome
		if len(c.Turns) != 1 {
			t.Errorf("%s: %d turns, want 1", c.ID, len(c.Turns))
		}
	}
	want := map[string]transcript.Outcome{"done": transcript.Completed, "torn": transcript.Completed, "flying": transcript.Interrupted}
	if len(got) != len(want) {
		t.Errorf("conversations %v, want %v", got, want)
	}
	for id, o := range want {
		if got[id] != o {
			t.Errorf("%s: %q, want %q", id, got[id], o)
		}
	}
	c := rc.Ending.Snapshot.Conversations
	if c.Started != 3 || c.Succeeded != 2 || c.Interrupted != 1 || c.Turns != 3 || rc.Ending.Snapshot.Reply.Count != 3 {
		t.Errorf("replayed figures %+v, reply %+v", c, rc.Ending.Snapshot.Reply)
	}
	if u := rc.Ending.Snapshot.Unrecorded; !slices.Equal(u, Unrecorded()) || !slices.Contains(u, "webhook") {
		t.Errorf("unrecorded %q: a rebuilt run knows no webhook counters, late starts or dropped arrivals", u)
	}
	if wholeLines(t, dir.File(ConversationsFile)) != 3 {
		t.Error("conversations.jsonl is not 3 whole lines")
	}
}
