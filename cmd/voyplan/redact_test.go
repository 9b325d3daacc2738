package main

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// leaksRun reports the first run of 12 or more consecutive characters of
// secret found in text, in any letter case, or "".
func leaksRun(text, secret string) string {
	lt, ls := strings.ToLower(text), strings.ToLower(secret)
	for i := 0; i+12 <= len(ls); i++ {
		if strings.Contains(lt, ls[i:i+12]) {
			return secret[i : i+12]
		}
	}
	return ""
}

// TestEchoedHeaderNeverRecorded runs an http target whose assistant
// echoes the Authorization header back truncated and upper-cased, in a
// reply and in an error body: neither conversations.jsonl nor any other
// result file nor the terminal holds 12 consecutive characters of it.
func TestEchoedHeaderNeverRecorded(t *testing.T) {
	t.Parallel()
	const token = "tok-0123456789abcdefghijklmnopqrstuvwxyz"
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Message string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		auth := r.Header.Get("Authorization") // "Bearer tok-..."
		if req.Message == "Olá" {
			_ = json.NewEncoder(w).Encode(map[string]string{"text": "Sua chave: " + strings.ToUpper(auth[7:30]) + "…"})
			return
		}
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"error": "revoked: `+strings.ToUpper(auth[:25])+`"}`)
	}))
	t.Cleanup(bot.Close)
	dir := t.TempDir()
	planFile := writeFile(t, dir, "echo.hcl", `
plan "echo" { seed = 1 }
target "bot" {
  protocol = "http"
  request {
    url     = "`+bot.URL+`/chat"
    headers = { Authorization = "Bearer ${env("BOT_TOKEN")}" }
    body    = { message = message }
  }
  response { text = "body.text" }
}
persona "p" { script = ["Olá", "De novo"] }
conversation {
  max_turns              = 3
  reply_timeout          = "5s"
  conversations_per_user = 1
  complete_when          = "reply matches 'never'"
}
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "10s"
}
`)
	ta := newTestApp(t)
	ta.environ = append(ta.environ, "BOT_TOKEN="+token)
	out := filepath.Join(dir, "out")
	code := ta.main([]string{"apply", planFile, "--out", out, "--log-level", "debug"})
	if code == exitError {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, ta.out.String(), ta.err.String())
	}
	conv, err := os.ReadFile(filepath.Join(out, "conversations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(conv), "Sua chave: [redacted]") || !strings.Contains(string(conv), "revoked: [redacted]") {
		t.Errorf("conversations.jsonl: want the reply and the error, the key redacted:\n%s", conv)
	}
	for name, b := range map[string][]byte{"stdout": ta.out.Bytes(), "stderr": ta.err.Bytes()} {
		if run := leaksRun(string(b), token); run != "" {
			t.Errorf("%s holds %q of the token:\n%s", name, run, b)
		}
	}
	err = filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if run := leaksRun(string(b), token); run != "" {
			t.Errorf("%s holds %q of the token", path, run)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
