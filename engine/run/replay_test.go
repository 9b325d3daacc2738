package run

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/llm/llmtest"
	"github.com/voyplan/voyplan/engine/persona"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// record runs four model-played customers through the simulator's whole
// flow and writes their conversations as a run's conversations.jsonl.
func record(t *testing.T, baseURL string) (string, []*transcript.Conversation) {
	t.Helper()
	_, convs := runPlan(t, llmPlan(t, baseURL, 4, ""))
	path := filepath.Join(t.TempDir(), "conversations.jsonl")
	var b []byte
	for _, c := range convs {
		if c.Outcome != transcript.Completed {
			t.Fatalf("recording: conversation %s %s %s", c.ID, c.Outcome, c.Reason)
		}
		line, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		b = append(append(b, line...), '\n')
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, convs
}

// replayPlan replays recording against the simulator rewording its
// replies from rewordFrom on (0: never), handing a diverged conversation
// to onDivergence.
func replayPlan(t *testing.T, baseURL, recording string, rewordFrom int, onDivergence string) *plan.Plan {
	t.Helper()
	return replayPlanWhen(t, baseURL, recording, rewordFrom, onDivergence, "")
}

// replayPlanWhen is replayPlan with the conversation's complete_when
// ("": the default).
func replayPlanWhen(t *testing.T, baseURL, recording string, rewordFrom int, onDivergence, completeWhen string) *plan.Plan {
	t.Helper()
	if completeWhen != "" {
		completeWhen = fmt.Sprintf("complete_when = %q", completeWhen)
	}
	prompt, err := filepath.Abs("../../personas/kataryna.txt")
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`
plan "replay" { seed = 12 }
simulator {
  latency     = "5ms"
  image_every = 3
  reword_from = %d
}
target "sim" {}
llm "gemini" {
  model       = "gemini-2.5-flash"
  api_key     = "stand-in-key"
  base_url    = %q
  max_retries = 1
  timeout     = "2s"
}
data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
}
persona "replayed" {
  replay        = %q
  on_divergence = %q
}
persona "kataryna" {
  weight = 0
  llm    = "gemini"
  prompt = templatefile(%q, { customer = data.customer })
}
conversation {
  max_turns              = 20
  reply_timeout          = "2s"
  reply_settle           = "20ms"
  conversations_per_user = 1
  %s
}
stage "all" {
  users      = 4
  spawn_rate = 100
  duration   = "20s"
}
`, rewordFrom, baseURL, recording, onDivergence, prompt, completeWhen)
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "replay.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("plan: %s", diags.Error())
	}
	return p
}

// byRecording indexes the recorded conversations by id, and checks each
// replayed conversation replayed a different one, with its data and its
// messages up to the divergence.
func byRecording(t *testing.T, recorded, replayed []*transcript.Conversation) map[string]*transcript.Conversation {
	t.Helper()
	recs := map[string]*transcript.Conversation{}
	for _, c := range recorded {
		recs[c.ID] = c
	}
	seen := map[string]bool{}
	for _, c := range replayed {
		rec := recs[c.Replay.Recording]
		if rec == nil || seen[rec.ID] || rec.User != c.Replay.RecordedUser || c.Data["customer"]["cpf"] != rec.Data["customer"]["cpf"] {
			t.Fatalf("conversation %s replays %+v: want each recording once, with its user and data", c.ID, c.Replay)
		}
		seen[rec.ID] = true
		last := len(c.Turns)
		if c.Replay.DivergedAt > 0 {
			last = c.Replay.DivergedAt
		}
		for i := range last {
			if c.Turns[i].Sent != rec.Turns[i].Sent {
				t.Errorf("conversation %s turn %d said %q, the recording %q", c.ID, i+1, c.Turns[i].Sent, rec.Turns[i].Sent)
			}
		}
	}
	return recs
}

// TestReplayMatchesTheSameBuild: replayed against the unchanged simulator,
// every reply matches the recorded one and every conversation completes
// as recorded.
func TestReplayMatchesTheSameBuild(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(walkReply)
	defer srv.Close()
	path, recorded := record(t, srv.URL)
	generations := len(srv.Requests())
	res, convs := runPlan(t, replayPlan(t, srv.URL, path, 0, "kataryna"))
	recs := byRecording(t, recorded, convs)
	turns := int64(0)
	for _, c := range convs {
		if c.Outcome != transcript.Completed || len(c.Turns) != len(recs[c.Replay.Recording].Turns) || c.Replay.DivergedAt != 0 || c.Replay.HandedTo != "" {
			t.Errorf("conversation %s: %s %s after %d turns, replay %+v; want completed as recorded, never diverged",
				c.ID, c.Outcome, c.Reason, len(c.Turns), c.Replay)
		}
		for _, turn := range c.Turns {
			if turn.Replay == nil || !turn.Replay.Matched || turn.Replay.Similarity < 0.9 || turn.Replay.Recorded != nil {
				t.Errorf("conversation %s turn %d: replay %+v, want a match", c.ID, turn.N, turn.Replay)
			}
			turns++
		}
	}
	if got := len(srv.Requests()); got != generations {
		t.Errorf("the replay asked the model %d times: it must say the recorded messages", got-generations)
	}
	r := res.Snapshot.Replay
	if r.Conversations != 4 || r.Diverged != 0 || r.MatchedTurns != turns || len(r.DivergedAt) != 0 {
		t.Errorf("replay metrics %+v, want 4 conversations, none diverged, %d turns matched", r, turns)
	}
}

// TestReplayIsJudgedOnTheRecordedData: a replayed conversation's
// complete_when sees the recorded customer's data, not the data its
// virtual user would have drawn (a copied User once kept the drawn one's
// in its turn environment).
func TestReplayIsJudgedOnTheRecordedData(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(walkReply)
	defer srv.Close()
	path, recorded := record(t, srv.URL)
	var cpfs []string
	for _, c := range recorded {
		cpfs = append(cpfs, "'"+c.Data["customer"]["cpf"]+"'")
	}
	when := "reply matches 'https://pay[.]' && customer.cpf in [" + strings.Join(cpfs, ", ") + "]"
	_, convs := runPlan(t, replayPlanWhen(t, srv.URL, path, 0, "end", when))
	recs := byRecording(t, recorded, convs)
	for _, c := range convs {
		if c.Outcome != transcript.Completed || len(c.Turns) != len(recs[c.Replay.Recording].Turns) {
			t.Errorf("conversation %s (cpf %s): %s %s after %d turns; want completed as recorded, judged on the recorded cpf",
				c.ID, c.Data["customer"]["cpf"], c.Outcome, c.Reason, len(c.Turns))
		}
	}
}

// TestReplayDivergesWhereTheBuildChanged: the simulator rewords its
// replies from the 4th on, so every replayed conversation diverges at
// turn 4 exactly — and ends there (on_divergence = "end"), or is carried
// on to the payment link by the llm persona told the conversation so far.
func TestReplayDivergesWhereTheBuildChanged(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(walkReply)
	defer srv.Close()
	path, recorded := record(t, srv.URL)
	t.Run("end", func(t *testing.T) {
		res, convs := runPlan(t, replayPlan(t, srv.URL, path, 4, "end"))
		recs := byRecording(t, recorded, convs)
		for _, c := range convs {
			checkDivergedAt4(t, c, recs[c.Replay.Recording])
			if c.Outcome != transcript.Abandoned || len(c.Turns) != 4 || c.Replay.HandedTo != "" {
				t.Errorf("conversation %s: %s after %d turns, replay %+v; want abandoned at turn 4", c.ID, c.Outcome, len(c.Turns), c.Replay)
			}
		}
		r := res.Snapshot.Replay
		if r.Conversations != 4 || r.Diverged != 4 || r.MatchedTurns != 12 || r.DivergedAt[4] != 4 || len(r.DivergedAt) != 1 {
			t.Errorf("replay metrics %+v, want 4 conversations diverged at turn 4, 12 turns matched", r)
		}
	})
	t.Run("handed over", func(t *testing.T) {
		before := len(srv.Requests())
		_, convs := runPlan(t, replayPlan(t, srv.URL, path, 4, "kataryna"))
		recs := byRecording(t, recorded, convs)
		for _, c := range convs {
			rec := recs[c.Replay.Recording]
			checkDivergedAt4(t, c, rec)
			if c.Outcome != transcript.Completed || len(c.Turns) != len(rec.Turns) || c.Replay.HandedTo != "kataryna" {
				t.Errorf("conversation %s: %s %s after %d turns, replay %+v; want completed by kataryna", c.ID, c.Outcome, c.Reason, len(c.Turns), c.Replay)
			}
			if c.Turns[4].LLM == nil || c.Turns[3].LLM != nil {
				t.Errorf("conversation %s: turn 4 generated %v, turn 5 %v; want the model from turn 5 on", c.ID, c.Turns[3].LLM, c.Turns[4].LLM)
			}
		}
		takeovers := srv.Requests()[before:]
		firsts := 0
		for _, r := range takeovers {
			if len(r.Contents) != 7 {
				continue
			}
			firsts++
			c := convs[slices.IndexFunc(convs, func(c *transcript.Conversation) bool {
				return c.Turns[4].Sent == walkReply(r).Text && c.Data["customer"]["cpf"] == rFieldCPF(r)
			})]
			want := append(persona.History(c.Turns[:4]), persona.ForModel(c.Turns[3].Messages))
			for i, content := range r.Contents {
				if content.Text != want[i] || content.Role != [2]string{"user", "model"}[i%2] {
					t.Errorf("takeover request content %d: %s %q, want %q", i, content.Role, content.Text, want[i])
				}
			}
		}
		if firsts != 4 {
			t.Errorf("%d takeovers opened with the 4 turns so far, want 4", firsts)
		}
	})
}

// rFieldCPF is the CPF in a request's system instruction (the persona's
// prompt, rendered with the recorded data).
func rFieldCPF(r llmtest.Request) string {
	for _, m := range promptField.FindAllStringSubmatch(r.System, -1) {
		if m[1] == "CPF" {
			return m[2]
		}
	}
	return ""
}

func checkDivergedAt4(t *testing.T, c, rec *transcript.Conversation) {
	t.Helper()
	if c.Replay.DivergedAt != 4 {
		t.Fatalf("conversation %s diverged at %d, want 4", c.ID, c.Replay.DivergedAt)
	}
	for i, turn := range c.Turns[:4] {
		if matched := i < 3; turn.Replay == nil || turn.Replay.Matched != matched {
			t.Errorf("conversation %s turn %d: replay %+v, want matched %v", c.ID, i+1, turn.Replay, matched)
		}
	}
	d := c.Turns[3].Replay
	if d.Similarity >= 0.6 || len(d.Recorded) != len(rec.Turns[3].Messages) || d.Recorded[0].Text != rec.Turns[3].Messages[0].Text {
		t.Errorf("conversation %s turn 4: %+v, want a divergence keeping the recorded reply", c.ID, d)
	}
	for _, turn := range c.Turns[4:] {
		if turn.Replay != nil {
			t.Errorf("conversation %s turn %d judged after the divergence", c.ID, turn.N)
		}
	}
}
