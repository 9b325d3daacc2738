package sim

import (
	"regexp"
	"strings"
	"testing"
)

// TestRewordFrom: the replies before RewordFrom are the usual ones, the
// n-th and later ones say Reworded's sentence, the payment link kept, and
// the flow is the same (the dialogue still ends paid).
func TestRewordFrom(t *testing.T) {
	t.Parallel()
	msgs := Walkthrough("Ana Souza", "5585991234567", "ana@example.com", "529.982.247-25")
	plain := New(Options{PaymentDomain: "example.com"}).NewDialogue()
	reworded := New(Options{PaymentDomain: "example.com", RewordFrom: 3}).NewDialogue()
	link := regexp.MustCompile(`https://pay\.example\.com/[0-9a-f]{24}`)
	for i, m := range msgs {
		a, b := plain.Reply(m), reworded.Reply(m)
		if len(a) != len(b) {
			t.Fatalf("reply %d: %d items, reworded %d", i+1, len(a), len(b))
		}
		for j := range a {
			switch {
			case i+1 < 3 && b[j].Text != a[j].Text:
				t.Errorf("reply %d reworded before turn 3: %q", i+1, b[j].Text)
			case i+1 >= 3 && !strings.HasPrefix(b[j].Text, rewordedText):
				t.Errorf("reply %d not reworded: %q", i+1, b[j].Text)
			case link.MatchString(a[j].Text) != link.MatchString(b[j].Text):
				t.Errorf("reply %d: the payment link was not kept: %q", i+1, b[j].Text)
			}
		}
	}
}
