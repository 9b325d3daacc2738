package run

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/datagen"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol/protocoltest"
	"github.com/voyplan/voyplan/engine/transcript"
)

func TestSplitThought(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		n    int
		want []string
	}{
		{"Olá", 3, []string{"Olá"}},                     // too short to split
		{"Quero", 2, []string{"Quero"}},                 // one word
		{"5585991234567", 3, []string{"5585991234567"}}, // one word, however long
		{"Sim, pode enviar 😊", 2, []string{"Sim,", "pode enviar 😊"}},
		{"Sim, pode confirmar. Pix!", 2, []string{"Sim, pode confirmar.", "Pix!"}},
		{"Sim, pode confirmar. Pix!", 3, []string{"Sim,", "pode confirmar.", "Pix!"}},
		{"oi quero ingressos pra sábado", 3, []string{"oi quero", "ingressos", "pra sábado"}},
		{"Para o dia 11/10/2026", 2, []string{"Para o dia", "11/10/2026"}},
		{"Sim, quero a cabana! Para 4 pessoas, por favor", 2, []string{"Sim, quero a cabana!", "Para 4 pessoas, por favor"}},
		{"Quero comprar ingressos", 1, []string{"Quero comprar ingressos"}},
		{"ab cd", 5, []string{"ab cd"}}, // shorter than minSplit
		{"Quero comprar ingressos", 9, []string{"Quero", "comprar", "ingressos"}},
	}
	for _, tt := range tests {
		got := splitThought(tt.text, tt.n)
		if !slices.Equal(got, tt.want) {
			t.Errorf("splitThought(%q, %d) = %q; want %q", tt.text, tt.n, got, tt.want)
		}
		if strings.Join(got, " ") != tt.text {
			t.Errorf("splitThought(%q, %d): %q does not join back to the text", tt.text, tt.n, got)
		}
	}
}

// TestDrawBurstIsSeeded: the same seed and user draw the same fragments,
// gaps and follow-ups, every draw within the plan's ranges.
func TestDrawBurstIsSeeded(t *testing.T) {
	t.Parallel()
	b := plan.Burst{Min: 1, Max: 3, Gap: plan.Wait{Min: 300 * time.Millisecond, Max: 2 * time.Second}, DoubleText: 0.3}
	text := "Sim, pode confirmar. Pix agora, por favor!"
	counts, follow := map[int]int{}, 0
	draw := func(seed uint64) (out []string) {
		r := datagen.ForUserStream(seed, 4, datagen.StreamBurst)
		for range 50 {
			x := drawBurst(b, text, r)
			n := len(x.Fragments)
			if n < 1 || n > 3 || len(x.Gaps) != n-1 {
				t.Fatalf("%d fragments, %d gaps", n, len(x.Gaps))
			}
			for _, g := range x.Gaps {
				if g < b.Gap.Min || g > b.Gap.Max {
					t.Fatalf("gap %s outside %s", g, b.Gap)
				}
			}
			if seed == 11 {
				counts[n]++
				if x.FollowUp != "" {
					follow++
				}
			}
			out = append(out, fmt.Sprintf("%q %v %q", x.Fragments, x.Gaps, x.FollowUp))
		}
		return out
	}
	a, again, other := draw(11), draw(11), draw(12)
	if !slices.Equal(a, again) {
		t.Error("the same seed drew different bursts")
	}
	if slices.Equal(a, other) {
		t.Error("another seed drew the same 50 bursts")
	}
	if len(counts) != 3 || follow == 0 || follow == 100 {
		t.Errorf("100 draws gave fragment counts %v and %d follow-ups; want 1, 2 and 3, and some follow-ups", counts, follow)
	}
}

// burstConv is a conversation of bursts of 2 or 3 messages, a short gap
// apart, against a simulator that waits 400ms for the customer to finish.
func burstConv(over attrs) attrs {
	return merged(attrs{"burst": "[2, 3]", "burst_gap": `["10ms", "40ms"]`}, over)
}

// checkFragments asserts each burst's fragments join back to its thought.
func checkFragments(t *testing.T, convs []*transcript.Conversation) (bursts int) {
	t.Helper()
	for _, c := range convs {
		for _, turn := range c.Turns {
			b := turn.Burst
			if b == nil {
				continue
			}
			var texts []string
			for _, f := range b.Fragments {
				if !f.FollowUp {
					texts = append(texts, f.Text)
				}
			}
			if strings.Join(texts, " ") != turn.Sent {
				t.Errorf("turn %d: fragments %q do not make %q", turn.N, texts, turn.Sent)
			}
			if b.Fragmented() {
				bursts++
				// Answered once, after the last message: the wait from the
				// first is the longer.
				if b.Answers == 1 && turn.ReplyMS != nil && (b.ReplyFromFirstMS == nil || *b.ReplyFromFirstMS < *turn.ReplyMS) {
					t.Errorf("turn %d: reply_from_first %v before reply %v", turn.N, b.ReplyFromFirstMS, *turn.ReplyMS)
				}
			}
		}
	}
	return bursts
}

// TestBurstsAnsweredOnce: customers type each thought in 2 or 3 messages;
// the default simulator waits for them to finish and answers once, so
// the conversations complete and no thought is answered twice.
func TestBurstsAnsweredOnce(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 3, attrs{"debounce": `"400ms"`}, burstConv(nil))
	res, convs := runPlan(t, p)
	s := res.Snapshot
	if s.Conversations.Succeeded != 3 {
		t.Fatalf("conversations %+v, want 3 completed", s.Conversations)
	}
	bursts := checkFragments(t, convs)
	t.Logf("double_answers %d, burst %+v, reply p50 %s, reply_from_first p50 %s", s.DoubleAnswers, s.Burst, s.Reply.P50, s.ReplyFromFirst.P50)
	if bursts == 0 || s.Burst.Bursts != int64(bursts) {
		t.Fatalf("burst.bursts = %d, transcripts hold %d bursts", s.Burst.Bursts, bursts)
	}
	if s.DoubleAnswers != 0 || s.Burst.RepliesPerBurst != 1 || s.Burst.Replies != s.Burst.Bursts {
		t.Errorf("double_answers %d, burst %+v: want every burst answered once", s.DoubleAnswers, s.Burst)
	}
	if s.Burst.Fragments < 2*s.Burst.Bursts {
		t.Errorf("burst %+v: fewer than 2 fragments a burst", s.Burst)
	}
	if s.ReplyFromFirst.Count != s.Reply.Count || s.ReplyFromFirst.P50 < s.Reply.P50 {
		t.Errorf("reply_from_first %+v, reply %+v: want one per reply, none shorter", s.ReplyFromFirst, s.Reply)
	}
}

// TestBurstsAnsweredEachFragment: a bot that answers every message at
// once (answers_each_fragment) is caught: replies per burst above 1 and
// double answers counted.
func TestBurstsAnsweredEachFragment(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, attrs{"answers_each_fragment": "true"},
		burstConv(attrs{"burst_gap": `["150ms", "300ms"]`, "max_turns": "4", "reply_settle": `"100ms"`}))
	res, convs := runPlan(t, p)
	s := res.Snapshot
	checkFragments(t, convs)
	t.Logf("double_answers %d, burst %+v", s.DoubleAnswers, s.Burst)
	if s.Burst.Bursts == 0 || s.DoubleAnswers == 0 || s.Burst.RepliesPerBurst <= 1 {
		t.Errorf("double_answers %d, burst %+v: want the fragment-answering bot caught", s.DoubleAnswers, s.Burst)
	}
}

// TestDoubleTexts: every thought is followed up while its reply settles;
// the follow-up is in the transcript and counted, and its own answer is
// no double answer.
func TestDoubleTexts(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, attrs{"debounce": `"100ms"`}, attrs{"double_text_rate": "1", "max_turns": "3", "reply_settle": `"300ms"`})
	res, convs := runPlan(t, p)
	s := res.Snapshot
	followed := 0
	for _, c := range convs {
		for _, turn := range c.Turns {
			if turn.Burst.FollowedUp() {
				followed++
			}
		}
	}
	if followed == 0 || s.Burst.DoubleTexts != int64(followed) {
		t.Fatalf("burst.double_texts = %d, transcripts hold %d follow-ups", s.Burst.DoubleTexts, followed)
	}
	if s.DoubleAnswers != 0 || s.Burst.Bursts != 0 {
		t.Errorf("double_answers %d, burst %+v: a follow-up's answer is no double answer", s.DoubleAnswers, s.Burst)
	}
}

// TestBurstsOverHTTP: over a request-response protocol each fragment is a
// request of its own and is answered, as such an API must: the bot's
// answers are all in the turn, and every burst counts as answered more
// than once.
func TestBurstsOverHTTP(t *testing.T) {
	t.Parallel()
	bot, err := protocoltest.NewChatBot(protocoltest.ChatOptions{Options: botOptions()})
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Close()
	p := protocolPlan(t, 2, fmt.Sprintf(`
target "bot" {
  protocol = "http"
  request {
    url     = "%s/chat"
    headers = { Authorization = "Bearer ${env("BOT_TOKEN")}" }
    body    = jsonencode({ conversation_id = conversation.id, message = message })
  }
  response {
    text = "map(filter(body.messages, .type == 'text'), .text)"
  }
}`, bot.URL()))
	p.Conversation.MaxTurns = 4
	p.Conversation.Burst = plan.Burst{Min: 2, Max: 2, Gap: plan.FixedWait(10 * time.Millisecond)}
	res, convs := runPlan(t, p)
	s := res.Snapshot
	bursts := checkFragments(t, convs)
	t.Logf("double_answers %d, burst %+v", s.DoubleAnswers, s.Burst)
	if bursts == 0 || s.Burst.Bursts != int64(bursts) || s.DoubleAnswers != s.Burst.Bursts || s.Burst.RepliesPerBurst != 2 {
		t.Errorf("double_answers %d, burst %+v over %d bursts: want each of a burst's 2 requests answered", s.DoubleAnswers, s.Burst, bursts)
	}
	for _, c := range convs {
		for _, turn := range c.Turns {
			if turn.Burst.Fragmented() && len(turn.Messages) < 2 {
				t.Errorf("turn %d: %d messages, want the answers to both requests", turn.N, len(turn.Messages))
			}
		}
	}
}
