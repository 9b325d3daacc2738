package run

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// A sensitive variable in the target's URL never reaches a conversation's
// error, though the transport's error names the URL.
func TestSensitiveValueNotInConversationErrors(t *testing.T) {
	t.Parallel()
	const key = "fake-test-secret-0123456789abcdefghijkl"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close() // nothing listens there now: every send is refused
	src := fmt.Sprintf(`
variable "key" { sensitive = true }
target "t" { url = "http://%s/${var.key}/widget" }
webhook { listen = "127.0.0.1:0" }
persona "p" { script = ["Olá"] }
conversation { conversations_per_user = 1 }
stage "s" {
  users      = 2
  spawn_rate = 100
  duration   = "5s"
}
`, closed)
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "redact.hcl"), plan.Options{Vars: map[string]string{"key": key}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, convs := runPlan(t, p)
	if len(convs) != 2 {
		t.Fatalf("%d conversations, want 2", len(convs))
	}
	for _, c := range convs {
		if c.Reason != transcript.ReasonSendError || !strings.Contains(c.Error, "connection refused") {
			t.Errorf("conversation %s: %s %s, want a refused send", c.ID, c.Reason, c.Error)
		}
		if strings.Contains(strings.ToLower(c.Error), strings.ToLower(key)) {
			t.Errorf("conversation %s's error holds the sensitive value: %s", c.ID, c.Error)
		}
	}
}
