package webhook

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// echoAPI is a protocol's own endpoint: POST /api/<convID> delivers its
// body as one text item to turn 1 of that conversation.
type echoAPI struct{ r *Receiver }

func (a echoAPI) ServeAPI(w http.ResponseWriter, req *http.Request, at time.Time) {
	body, status := a.r.ReadBody(w, req)
	if status != http.StatusOK {
		w.WriteHeader(status)
		return
	}
	conv := strings.TrimPrefix(req.URL.Path, "/api/")
	a.r.Deliver(conv, 1, at, body, []transcript.Message{{Role: "assistant", Type: "text", Text: string(body)}})
	w.WriteHeader(http.StatusOK)
}

// TestAPI: an installed API gets the paths that are not hook paths, reads
// bodies within the receiver's limits and delivers to mailboxes; hook
// paths still reach their mailboxes, and nothing is refused as a wrong
// token.
func TestAPI(t *testing.T) {
	t.Parallel()
	r, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close(context.Background()) }()
	r.SetAPI(echoAPI{r})
	r.SetParser(ParserFunc(func(b []byte) ([]transcript.Message, error) {
		return []transcript.Message{{Type: "text", Text: string(b)}}, nil
	}))
	m := r.Open("conv-1")
	base := "http://" + r.Addr()
	post := func(url, body string) int {
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if s := post(base+"/api/conv-1", "oi"); s != http.StatusOK {
		t.Fatalf("API answered %d", s)
	}
	if s := post(base+"/api/conv-1", strings.Repeat("x", maxBody+1)); s != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversize body: %d, want 413", s)
	}
	reply, err := m.Wait(context.Background(), 1, 5*time.Second, 0)
	if err != nil || len(reply.Messages) != 1 || reply.Messages[0].Text != "oi" {
		t.Fatalf("reply %+v, %v", reply, err)
	}
	if s := post(m.URL(2), "hook"); s != http.StatusOK {
		t.Errorf("a hook path with an API installed: %d", s)
	}
	st := r.Stats()
	if st.Received != 2 || st.Refused.Oversize != 1 || st.Refused.Token != 0 || st.Malformed != 0 {
		t.Errorf("stats %+v: want the API's reply and the callback received, the oversize body refused", st)
	}
}
