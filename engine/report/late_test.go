package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/results/resultstest"
	"github.com/voyplan/voyplan/engine/transcript"
)

// A callback that came after its conversation's line was written is kept in
// late.jsonl, and the report shows it on its turn.
func TestLateCallbacksReachTheirTurnInTheReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := resultstest.Conversation("conv-late")
	c.Turns = append(c.Turns, transcript.Turn{N: 2, Sent: "Sim"})
	writeRunFiles(t, dir, c)

	if err := results.NewLateJSONL(filepath.Join(dir, results.LateFile)).Close(); err != nil { // nothing written: no file
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, results.LateFile)); !os.IsNotExist(err) {
		t.Fatalf("late.jsonl exists without a late callback: %v", err)
	}
	l := results.NewLateJSONL(filepath.Join(dir, results.LateFile))
	now := time.Now().UTC()
	for _, cb := range []transcript.LateCallback{
		{Conversation: "conv-late", Turn: 2, ReceivedAt: now, Messages: []transcript.Message{{Role: "assistant", Type: "text", Text: "resposta-atrasada-2"}}},
		{Conversation: "conv-late", Turn: 9, ReceivedAt: now, Messages: []transcript.Message{{Role: "assistant", Type: "text", Text: "turno-desconhecido"}}},
		{Conversation: "another", Turn: 1, ReceivedAt: now, Messages: []transcript.Message{{Role: "assistant", Type: "text", Text: "de-outra-conversa"}}},
	} {
		if err := l.WriteLate(&cb); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	late, err := results.ReadLate(filepath.Join(dir, results.LateFile))
	if err != nil || len(late["conv-late"]) != 2 || len(late["another"]) != 1 {
		t.Fatalf("ReadLate: %v, %+v", err, late)
	}
	convs, err := collectConversations(results.At(dir), 10)
	if err != nil {
		t.Fatal(err)
	}
	turns := convs.shown()[0].Turns
	if len(turns[0].Late) != 0 || len(turns[1].Late) != 2 ||
		turns[1].Late[0].Text != "resposta-atrasada-2" || turns[1].Late[1].Text != "turno-desconhecido" {
		t.Errorf("late items by turn: %+v / %+v", turns[0].Late, turns[1].Late)
	}
	if _, err := Render(results.At(dir), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, results.HTMLFile))
	if !bytes.Contains(page, []byte("resposta-atrasada-2")) || bytes.Contains(page, []byte("de-outra-conversa")) {
		t.Error("the page does not carry the late reply on its conversation alone")
	}
}
