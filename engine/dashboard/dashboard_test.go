package dashboard

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/report"
	"github.com/voyplan/voyplan/engine/run"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/webhook"
)

// apiKey is in the plan and must never reach the page.
const apiKey = "AIzaSyTOPSECRET-never-on-the-page"

// testPlan: users repeating a short script against the in-process
// simulator for a minute, with an llm block holding a key.
func testPlan(t *testing.T) *plan.Plan {
	t.Helper()
	src := `
plan "dash" {
  description = "dashboard test"
  seed        = 5
}
simulator { latency = "30ms" }
target "sim" {}
llm "gemini" {
  model   = "gemini-2.5-flash"
  api_key = "` + apiKey + `"
}
persona "p" { script = ["Olá", "Me chamo Ana", "Sim", "Quero comprar ingressos"] }
conversation {
  max_turns              = 4
  reply_settle           = "20ms"
  think_time             = "20ms"
  conversations_per_user = 0
  pacing                 = "50ms"
  complete_when          = "reply matches 'https://pay[.]'"
}
stage "steady" {
  users      = 2
  spawn_rate = 20
  duration   = "1m"
}
threshold "no_send_errors" { check = "send.error_rate == 0" }
`
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "dash.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("plan: %s", diags.Error())
	}
	return p
}

// fixture is a run in progress with its dashboard.
type fixture struct {
	srv    *Server
	runner *run.Runner
	base   string
	token  string
	done   chan *run.Result
}

func start(t *testing.T) *fixture {
	t.Helper()
	p := testPlan(t)
	insp := webhook.NewInspector(InspectorSize)
	r := run.New(p, run.Options{Live: 100, Inspector: insp, GracefulStop: 5 * time.Second})
	srv, err := Start(Options{Addr: "127.0.0.1:0", Plan: p, Runner: r, Inspector: insp})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: srv, runner: r, base: "http://" + srv.Addr(), token: srv.token, done: make(chan *run.Result, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	go func() {
		res, err := r.Run(ctx)
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		f.done <- res
	}()
	t.Cleanup(func() {
		r.Stop()
		<-f.done
		cancel()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return f
}

// do sends a request with the given headers and returns the status and body.
func (f *fixture) do(t *testing.T, method, path, body string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func (f *fixture) auth() map[string]string { return map[string]string{TokenHeader: f.token} }

func TestEveryRouteButAssetsNeedsTheToken(t *testing.T) {
	t.Parallel()
	f := start(t)
	if !strings.HasPrefix(f.srv.URL(), f.base+"/?token=") || !f.srv.Loopback() {
		t.Errorf("URL %s, loopback %v", f.srv.URL(), f.srv.Loopback())
	}
	for _, path := range []string{"/", "/events", "/api/state", "/api/callbacks", "/api/conversations/x"} {
		if code, _ := f.do(t, "GET", path, "", nil); code != http.StatusForbidden {
			t.Errorf("GET %s without the token: %d; want 403", path, code)
		}
		if code, _ := f.do(t, "GET", path+"?token=0123", "", nil); code != http.StatusForbidden {
			t.Errorf("GET %s with a wrong token: %d; want 403", path, code)
		}
	}
	code, page := f.do(t, "GET", "/?token="+f.token, "", nil)
	if code != 200 || !strings.Contains(page, `src="assets/dashboard.js"`) {
		t.Errorf("the page with its token: %d", code)
	}
	code, js := f.do(t, "GET", "/assets/report.js", "", nil)
	if code != 200 || js != report.ReportJS() {
		t.Errorf("report.js: %d, the report's own script: %v", code, js == report.ReportJS())
	}
	for _, path := range []string{"/api/users", "/api/stop"} {
		body := `{"users": 5}`
		cases := []struct {
			name    string
			path    string
			headers map[string]string
		}{
			{"no token", path, nil},
			{"the token in the query only", path + "?token=" + f.token, nil},
			{"a wrong token", path, map[string]string{TokenHeader: strings.Repeat("0", 32)}},
			{"a page of another site", path, map[string]string{TokenHeader: f.token, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}},
			{"another origin without fetch metadata", path, map[string]string{TokenHeader: f.token, "Origin": "http://evil.example"}},
		}
		for _, c := range cases {
			if code, _ := f.do(t, "POST", c.path, body, c.headers); code != http.StatusForbidden {
				t.Errorf("POST %s with %s: %d; want 403", path, c.name, code)
			}
		}
	}
	if f.runner.Stopping() || len(f.runner.Steering()) != 0 {
		t.Fatal("a refused request steered the run")
	}
}

// events reads a Server-Sent Events stream.
type events struct {
	resp *http.Response
	br   *bufio.Reader
}

func (f *fixture) follow(t *testing.T) *events {
	t.Helper()
	resp, err := http.Get(f.base + "/events?token=" + f.token)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &events{resp: resp, br: bufio.NewReader(resp.Body)}
}

// next returns the next event's raw data and decoded state.
func (e *events) next(t *testing.T) (string, state) {
	t.Helper()
	var name, data string
	for {
		line, err := e.br.ReadString('\n')
		if err != nil {
			t.Fatalf("events ended: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case line == "" && data != "":
			if name != "state" {
				t.Fatalf("event %q", name)
			}
			var st state
			if err := json.Unmarshal([]byte(data), &st); err != nil {
				t.Fatalf("event data: %v\n%s", err, data)
			}
			return data, st
		}
	}
}

func TestLiveStateSteeringAndStop(t *testing.T) {
	t.Parallel()
	f := start(t)
	ev := f.follow(t)
	var raw []string
	var st state
	samples, callbacks := 0, 0
	// Each user rests ~50 ms between conversations, so one snapshot can catch
	// both at rest: read on until one shows a conversation in flight.
	for i := 0; i < 5 || st.Metrics.Conversations.Started == 0 || callbacks == 0 || st.Live.InFlight == 0; i++ {
		if i > 30 {
			t.Fatalf("nothing moved after %d events: %+v", i, st.Metrics.Conversations)
		}
		var data string
		data, st = ev.next(t)
		raw = append(raw, data)
		if st.History.From != samples {
			t.Errorf("event %d resends the history from %d; the page has %d samples", i, st.History.From, samples)
		}
		samples += len(st.History.Samples)
		if st.Callbacks == nil {
			t.Fatal("no inspector in the state")
		}
		callbacks += len(st.Callbacks.Items)
	}
	if st.Plan.Name != "dash" || st.Phase != phaseRunning || st.Target != 2 || st.Metrics.Users != 2 || len(st.Thresholds) != 1 || samples == 0 {
		t.Errorf("state: plan %+v, phase %s, target %d, users %d, thresholds %+v, %d samples", st.Plan, st.Phase, st.Target, st.Metrics.Users, st.Thresholds, samples)
	}
	if len(st.Live.Conversations) == 0 || st.Live.InFlight == 0 {
		t.Errorf("live conversations %+v", st.Live)
	}
	code, body := f.do(t, "GET", "/api/conversations/"+st.Live.Conversations[0].ID, "", f.auth())
	if code != 200 || !strings.Contains(body, `"persona":"p"`) {
		t.Errorf("a live transcript: %d %s", code, body)
	}

	code, body = f.do(t, "POST", "/api/users", `{"users": 4}`, f.auth())
	if code != 200 || !strings.Contains(body, `"from":2`) || !strings.Contains(body, `"to":4`) {
		t.Fatalf("raise the users: %d %s", code, body)
	}
	if code, _ := f.do(t, "POST", "/api/users", `{"users": -3}`, f.auth()); code != http.StatusBadRequest {
		t.Errorf("negative users: %d", code)
	}
	if code, _ := f.do(t, "POST", "/api/users", `{"people": 3}`, f.auth()); code != http.StatusBadRequest {
		t.Errorf("a body without users: %d", code)
	}
	for i := 0; st.Metrics.Users != 4; i++ {
		if i > 20 {
			t.Fatalf("users %d after raising to 4", st.Metrics.Users)
		}
		_, st = ev.next(t)
	}
	if st.Target != 4 || len(st.Steering) != 1 || st.Steering[0].To != 4 {
		t.Errorf("after raising: target %d, steering %+v", st.Target, st.Steering)
	}

	if code, body := f.do(t, "POST", "/api/stop", "", f.auth()); code != 200 {
		t.Fatalf("stop: %d %s", code, body)
	}
	if code, _ := f.do(t, "POST", "/api/stop", "", f.auth()); code != http.StatusConflict {
		t.Errorf("a second stop: %d; want 409", code)
	}
	res := <-f.done
	f.done <- res // for the cleanup
	if !res.Interrupted {
		t.Error("the run stopped from the dashboard is not interrupted")
	}
	f.srv.Finish(Final{Verdict: "pass", Line: "PASS", Interrupted: true, Results: "runs/x"})
	for i := 0; st.Final == nil; i++ {
		if i > 10 {
			t.Fatal("no final event")
		}
		var data string
		data, st = ev.next(t)
		raw = append(raw, data)
	}
	if st.Phase != phaseOver || len(st.Steering) != 2 || st.Steering[1].Action != transcript.SteerStop {
		t.Errorf("final: phase %s, steering %+v", st.Phase, st.Steering)
	}
	if _, err := ev.br.ReadString('\n'); !errors.Is(err, io.EOF) {
		t.Errorf("the stream goes on after the final event: %v", err)
	}
	for _, data := range raw {
		for _, secret := range []string{apiKey, "/hooks/", f.srv.token} {
			if strings.Contains(data, secret) {
				t.Errorf("an event carries %q", secret)
			}
		}
	}
}
