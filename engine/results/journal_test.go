package results

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/results/resultstest"
)

// A line that cannot be written is named in the error by what it is and
// its conversation's id.
func TestJournalErrorsNameTheLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, err := createJournal(filepath.Join(dir, JournalFile), JournalRun{Plan: PlanInfo{Name: "t"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	c := resultstest.Conversation("c-42")
	for want, err := range map[string]error{
		"cannot write the start of conversation c-42 to ": j.begin(c),
		"cannot write a turn of conversation c-42 to ":    j.turn(c.ID, &c.Turns[0]),
		"cannot write the end of conversation c-42 to ":   j.end(c),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "file already closed") {
			t.Errorf("%v, want %q…: file already closed", err, want)
		}
	}
	jl, err := CreateJSONL(filepath.Join(dir, ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	jl.Close()
	if err := jl.Write(c); err == nil || !strings.HasPrefix(err.Error(), "cannot write conversation c-42 to ") {
		t.Errorf("conversations.jsonl: %v", err)
	}
}
