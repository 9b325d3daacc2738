package target

import "testing"

func TestChatCompletionsURL(t *testing.T) {
	t.Parallel()
	for base, want := range map[string]string{
		"http://h:1":                         "http://h:1/v1/chat/completions",
		"http://h:1/":                        "http://h:1/v1/chat/completions",
		"https://gw.example.com/openai":      "https://gw.example.com/openai/v1/chat/completions",
		"https://api.example.com/v1":         "https://api.example.com/v1/chat/completions",
		"https://api.example.com/v1/":        "https://api.example.com/v1/chat/completions",
		"http://h:1/v1/chat/completions":     "http://h:1/v1/chat/completions",
		"http://h:1/x/v1?api-version=2024":   "http://h:1/x/v1/chat/completions?api-version=2024",
		"http://h:1/deploy/chat/completions": "http://h:1/deploy/chat/completions",
	} {
		if got := chatCompletionsURL(base); got != want {
			t.Errorf("chatCompletionsURL(%q) = %q, want %q", base, got, want)
		}
	}
}
