package protocoltest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func do(t *testing.T, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func TestChatBotChecksTokenAndKeepsConversations(t *testing.T) {
	t.Parallel()
	b, err := NewChatBot(ChatOptions{Options: Options{Token: "tk"}, AssignIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	url := b.URL() + ChatPath
	if code, _ := do(t, url, "wrong", `{"message": "Olá"}`); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d, want 401", code)
	}
	if code, _ := do(t, url, "tk", `{"conversation_id": "x"}`); code != http.StatusBadRequest {
		t.Errorf("no message: %d, want 400", code)
	}
	code, first := do(t, url, "tk", `{"conversation_id": "mine", "message": "Olá"}`)
	id, _ := first["conversation_id"].(string)
	if code != http.StatusOK || id == "" || id == "mine" {
		t.Fatalf("first message: %d %v, want a conversation id assigned by the bot", code, first)
	}
	_, second := do(t, url, "tk", `{"conversation_id": "`+id+`", "message": "Pode me chamar de Ana", "customer": {"cpf": "1"}}`)
	if second["conversation_id"] != id || !strings.Contains(toJSON(second), "Ana") {
		t.Errorf("second message: %v, want the same conversation answering the name", second)
	}
	if b.Customer(id)["cpf"] != "1" || b.Conversations() != 1 {
		t.Errorf("customer %v, %d conversations", b.Customer(id), b.Conversations())
	}
	if st := b.Stats(); st.Unauthorized != 1 || st.Rejected != 1 || st.Replies != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestOpenAIBotChecksTheHistory(t *testing.T) {
	t.Parallel()
	b, err := NewOpenAIBot(OpenAIOptions{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	url := b.URL() + CompletionsPath
	code, first := do(t, url, "", `{"model": "m", "messages": [{"role": "user", "content": "Olá"}]}`)
	if code != http.StatusOK {
		t.Fatalf("first turn: %d %v", code, first)
	}
	greeting := first["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"].(string)
	history := func(assistant string) string {
		msgs, _ := json.Marshal([]chatMessage{{"user", "Olá"}, {"assistant", assistant}, {"user", "Me chamo Ana"}})
		return `{"model": "m", "messages": ` + string(msgs) + `}`
	}
	if code, _ := do(t, url, "", history(greeting)); code != http.StatusOK {
		t.Errorf("true history: %d, want 200", code)
	}
	if code, _ := do(t, url, "", history("something else")); code != http.StatusBadRequest {
		t.Errorf("altered history: %d, want 400", code)
	}
	if code, _ := do(t, url, "", `{"model": "other", "messages": [{"role": "user", "content": "Olá"}]}`); code != http.StatusNotFound {
		t.Errorf("unknown model: %d, want 404", code)
	}
	if code, _ := do(t, url, "", `{"model": "m", "messages": [{"role": "assistant", "content": "Olá"}]}`); code != http.StatusBadRequest {
		t.Errorf("no user message: %d, want 400", code)
	}
	if p, c := b.Tokens(); p == 0 || c == 0 {
		t.Errorf("tokens %d/%d, want usage counted", p, c)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
