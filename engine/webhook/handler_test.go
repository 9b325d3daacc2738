package webhook

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHandler feeds the handler arbitrary paths, methods and bodies. It must
// never panic, must answer only with the documented statuses, must keep 404s
// empty, and its counters must add up. "TOKEN" in a path stands for the
// receiver's token, so seeds reach the mailbox.
func FuzzHandler(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{"POST", "/hooks/TOKEN/conv/1", `{"messages":[{"text":"Oi"}]}`},
		{"POST", "/hooks/TOKEN/conv/2", `{"messages":[{"media":{"type":"image","link":"https://x/a.png"}}]}`},
		{"POST", "/hooks/TOKEN/conv/1", `{"text":"Oi"}`},
		{"POST", "/hooks/TOKEN/other/1", `{"content":"Oi"}`},
		{"POST", "/hooks/TOKEN/conv/x", `{"text":"Oi"}`},
		{"POST", "/hooks/TOKEN//1", `{"text":"Oi"}`},
		{"POST", "/hooks/TOKEN/a/b/c/1", `{"text":"Oi"}`},
		{"POST", "/hooks/TOKEN/", ``},
		{"POST", "/hooks/TOKEN", ``},
		{"POST", "/hooks/", ``},
		{"POST", "/hooks/bad/conv/1", `{"text":"Oi"}`},
		{"GET", "/hooks/TOKEN/conv/1", ``},
		{"PUT", "/", `{}`},
		{"POST", "/hooks/TOKEN/conv/99999999999999999999", `{"text":"Oi"}`},
		{"POST", "/hooks/TOKEN/conv/-3", `{"text":"Oi"}`},
		{"POST", "/hooks/TOKEN/conv/1", `{"messages":[{`},
		{"POST", "/hooks/TOKEN/conv/1", `null`},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, []byte(s.body))
	}
	r := withWidget(newReceiver())
	r.Open("conv")
	allowed := map[int]bool{200: true, 400: true, 404: true, 405: true, 413: true}
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		req.Method = method
		req.URL.Path = strings.ReplaceAll(path, "TOKEN", r.token)
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if !allowed[rec.Code] {
			t.Errorf("%s %q answered %d", method, path, rec.Code)
		}
		if rec.Code == 404 && rec.Body.Len() != 0 {
			t.Errorf("404 with a body %q", rec.Body)
		}
		s := r.Stats()
		if s.Malformed+s.Unmatched+s.Duplicates+s.Late > s.Received {
			t.Errorf("counters do not add up: %+v", s)
		}
	})
}

// TestBodyLimitWhateverTheLength: the 1 MiB limit holds for a body read
// as it is (its Content-Length within the limit: no MaxBytesReader) even
// when the body is longer than it says, as it can be for a handler called
// directly; and a body of exactly the limit is taken.
func TestBodyLimitWhateverTheLength(t *testing.T) {
	t.Parallel()
	r := withWidget(newReceiver())
	m := r.Open("conv")
	pad := func(n int) string { // a valid body of n bytes
		b := `{"text":"x"}`
		return strings.Repeat(" ", n-len(b)) + b
	}
	tests := []struct {
		name          string
		body          string
		contentLength int64
		want          int
	}{
		{"exactly the limit", pad(maxBody), maxBody, http.StatusOK},
		{"over the limit, said to be small", pad(maxBody + 1), 10, http.StatusRequestEntityTooLarge},
		{"over the limit, length unknown", pad(maxBody + 1), -1, http.StatusRequestEntityTooLarge},
		{"over the limit, said so", pad(maxBody + 1), maxBody + 1, http.StatusRequestEntityTooLarge},
		{"within the limit, length unknown", pad(100), -1, http.StatusOK},
	}
	for turn, tt := range tests {
		req := httptest.NewRequest(http.MethodPost, m.URL(turn), strings.NewReader(tt.body))
		req.ContentLength = tt.contentLength
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, rec.Code, tt.want)
		}
	}
	if got := r.Stats().Refused.Oversize; got != 3 {
		t.Errorf("Refused.Oversize = %d, want 3", got)
	}
}
