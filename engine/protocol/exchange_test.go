package protocol

import "testing"

func TestRedact(t *testing.T) {
	t.Parallel()
	const key = "sk-live-0123456789abcdefABCDEF"
	headers := map[string]string{"Authorization": "Bearer " + key, "X-Short": "abcd", "X-One": "1"}
	tests := []struct{ name, in, want string }{
		{"whole", "key " + key + " revoked", "key [redacted] revoked"},
		{"with its scheme", "got Bearer " + key, "got [redacted]"},
		{"upper-cased", "KEY SK-LIVE-0123456789ABCDEFABCDEF!", "KEY [redacted]!"},
		{"truncated to 12", "starts sk-live-0123 and", "starts [redacted] and"},
		{"truncated and re-cased", "ends 456789ABCDEFabcdef.", "ends [redacted]."},
		{"11 characters stay", "sk-live-012 is not enough", "sk-live-012 is not enough"},
		{"twice", key[:15] + "/" + key[10:], "[redacted]/[redacted]"},
		{"a short value, any case", "ABCD and abcd", "[redacted] and [redacted]"},
		{"shorter than 4: left alone", "1 2 3", "1 2 3"},
		{"text around untouched", "Olá, ação — " + key[3:20] + " ✓", "Olá, ação — [redacted] ✓"},
		{"nothing", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := redact(tt.in, headers); got != tt.want {
				t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
