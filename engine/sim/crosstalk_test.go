package sim

import (
	"strings"
	"testing"
)

// TestCrosstalkLeaksAnotherConversation: with every reply leaking, a
// conversation's replies carry only another conversation's name or link —
// never its own, and nothing before its customer gave a full name — and
// a link only once its own conversation answered it.
func TestCrosstalkLeaksAnotherConversation(t *testing.T) {
	t.Parallel()
	h := start(t, Options{CrosstalkRate: 1, Seed: 3})
	a := Walkthrough("Felipe Souza Nascimento", "5585991234567", "felipe@example.com", "529.982.247-25")
	b := Walkthrough("Ana Lima Costa", "5511987654321", "ana@example.com", "111.444.777-35")
	var link string
	for i, msg := range append(a, "Obrigada!") { // a alone: no one else to leak; the thank-you reads the link
		reply := h.say(t, "a", msg)
		if strings.Contains(reply, "Pedido registrado em nome de") || strings.Contains(reply, "Seu link de pagamento:") {
			t.Fatalf("a's turn %d leaked with no other conversation: %q", i+1, reply)
		}
		if m := payRe.FindString(reply); m != "" {
			link = m
		}
	}
	if h.sim.Stats().Crosstalk != 0 || link == "" {
		t.Fatalf("crosstalk = %d, link %q: want 0 and a's payment link", h.sim.Stats().Crosstalk, link)
	}
	leaks := 0
	for i, msg := range b {
		reply := h.say(t, "b", msg)
		named, linked := strings.Contains(reply, "em nome de Felipe Souza Nascimento."), strings.Contains(reply, link)
		switch {
		case i < 7 && (named || linked): // before b gave its own full name (the 8th message)
			t.Errorf("b's turn %d leaked before its full name: %q", i+1, reply)
		case i >= 7 && !named && !linked:
			t.Errorf("b's turn %d: no leak at crosstalk_rate 1: %q", i+1, reply)
		case strings.Contains(reply, "em nome de Ana Lima Costa."):
			t.Errorf("b's turn %d leaked b's own name: %q", i+1, reply)
		}
		if named || linked {
			leaks++
		}
	}
	if got := h.sim.Stats().Crosstalk; got != uint64(leaks) || leaks == 0 {
		t.Errorf("Stats.Crosstalk = %d, replies with a leak %d", got, leaks)
	}
}

// TestCrosstalkLinkOnlyOnceRead: a link its conversation has not answered
// yet is not leaked.
func TestCrosstalkLinkOnlyOnceRead(t *testing.T) {
	t.Parallel()
	h := start(t, Options{CrosstalkRate: 1, Seed: 3})
	for _, msg := range Walkthrough("Felipe Souza Nascimento", "5585991234567", "felipe@example.com", "529.982.247-25") {
		h.say(t, "a", msg)
	}
	for _, msg := range Walkthrough("Ana Lima Costa", "5511987654321", "ana@example.com", "111.444.777-35") {
		if reply := h.say(t, "b", msg); strings.Contains(reply, "Seu link de pagamento:") {
			t.Fatalf("a's link leaked before a answered it: %q", reply)
		}
	}
}
