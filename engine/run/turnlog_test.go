package run

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/webhook"
)

func TestTrimKeepsOneShortLine(t *testing.T) {
	t.Parallel()
	if got := trim("  Olá,\n  tudo   bem? "); got != "Olá, tudo bem?" {
		t.Errorf("trim = %q", got)
	}
	long := strings.Repeat("ção ", 100)
	got := trim(long)
	if utf8.RuneCountInString(got) != logTrim+1 || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("trim of a long text: %d runes, %q", utf8.RuneCountInString(got), got)
	}
}

func TestReplyTextShowsMediaAsLinks(t *testing.T) {
	t.Parallel()
	r := webhook.Reply{Messages: []transcript.Message{
		{Role: "assistant", Type: "text", Text: "Veja o parque"},
		{Role: "assistant", Type: "media", Link: "https://x.example/foto.jpg"},
	}}
	if got := replyText(r); got != "Veja o parque | [media https://x.example/foto.jpg]" {
		t.Errorf("replyText = %q", got)
	}
}
