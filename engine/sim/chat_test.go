package sim

import (
	"regexp"
	"strings"
	"testing"
)

func TestDialogueWalksToThePaymentLink(t *testing.T) {
	t.Parallel()
	s := New(Options{ImageEvery: 2, PaymentDomain: "example.com"})
	d := s.NewDialogue()
	other := s.NewDialogue() // dialogues do not share state
	msgs := Walkthrough("Ana Souza", "5585991234567", "ana@example.com", "529.982.247-25")
	link := regexp.MustCompile(`https://pay\.example\.com/[0-9a-f]{24}`)
	images := 0
	for i, m := range msgs {
		reply := d.Reply(m)
		if len(reply) == 0 {
			t.Fatalf("message %d %q: empty reply", i+1, m)
		}
		var text []string
		for _, it := range reply {
			switch it.Type {
			case "text":
				text = append(text, it.Text)
			case "media":
				images++
				if it.Link == "" || it.Text != "" {
					t.Errorf("media item %+v: want a link and no text", it)
				}
			}
		}
		paid := link.MatchString(strings.Join(text, "\n"))
		if last := i == len(msgs)-1; paid != last {
			t.Errorf("message %d: payment link %v, want it only in the last reply", i+1, paid)
		}
	}
	if images != len(msgs)/2 {
		t.Errorf("%d images in %d replies, want one every 2nd", images, len(msgs))
	}
	if got := other.Reply("Olá"); len(got) == 0 || !strings.Contains(got[0].Text, "Como posso te chamar") {
		t.Errorf("a second dialogue starts at the greeting, got %+v", got)
	}
	if st := s.Stats(); st.Conversations != 2 || st.Completed != 1 {
		t.Errorf("stats %+v: want 2 conversations, 1 completed", st)
	}
}
