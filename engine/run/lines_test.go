package run

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/rig"
	"github.com/voyplan/voyplan/engine/transcript"
)

// encodedSink writes through the run's real Sinks and keeps, for each
// conversation, its record encoded afresh by encoding/json at the moment
// it was written.
type encodedSink struct {
	*results.Sinks
	mu    sync.Mutex
	fresh map[string][]byte
}

func (s *encodedSink) Write(c *transcript.Conversation) error {
	err := s.Sinks.Write(c)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as results writes its lines
	if eerr := enc.Encode(c); eerr != nil {
		panic(eerr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fresh[c.ID] = b.Bytes()
	return err
}

// Each line of conversations.jsonl is its conversation as the run held it
// when it ended, byte for byte — though the Sinks splice in the turns the
// journal encoded as each ended (results.keptTurns): no turn may change
// after its journal line unseen. With split replies and no settle period,
// late parts attach to turns already journaled: those lines are encoded
// afresh.
func TestConversationLinesSpliceTheJournalsTurns(t *testing.T) {
	t.Parallel()
	for name, sim := range map[string]attrs{
		"plain":         nil,
		"late attached": {"split_every": "2"},
		"faults":        {"fail_rate": "0.2", "fail_status": "503", "duplicate_rate": "0.3", "jitter": `"3ms"`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := testPlan(t, 6, sim, attrs{"reply_settle": `"0s"`, "conversations_per_user": "2"})
			p.Target.Retries = 1
			dir := results.At(t.TempDir())
			sinks, err := dir.OpenSinks(results.JournalRunOf(p, "test", nil, time.Now()))
			if err != nil {
				t.Fatal(err)
			}
			sink := &encodedSink{Sinks: sinks, fresh: map[string][]byte{}}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			rg, err := rig.Open(ctx, p, rig.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer rg.Close()
			res, err := New(p, Options{Sink: sink, Journal: sinks, Rig: rg, GracefulStop: 10 * time.Second}).Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := sinks.Close(); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(dir.File(results.ConversationsFile))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			lines, late := 0, 0
			for sc.Scan() {
				var c transcript.Conversation
				if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
					t.Fatalf("line %d: %v", lines+1, err)
				}
				lines++
				for _, turn := range c.Turns {
					if len(turn.Late) > 0 {
						late++
					}
				}
				line := append(sc.Bytes(), '\n')
				if want := sink.fresh[c.ID]; !bytes.Equal(line, want) {
					t.Errorf("conversation %s's line differs from its record encoded afresh:\n got %s\nwant %s", c.ID, line, want)
				}
			}
			if want := res.Snapshot.Conversations.Started; int64(lines) != want || lines < 12 {
				t.Errorf("%d lines for %d conversations started", lines, want)
			}
			if name == "late attached" && late == 0 {
				t.Error("no late part attached to a turn: the case this plan is for did not happen")
			}
		})
	}
}
