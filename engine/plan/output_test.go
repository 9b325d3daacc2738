package plan

import (
	"maps"
	"strings"
	"testing"
	"time"
)

func TestLoadOutputPrometheus(t *testing.T) {
	t.Parallel()
	src := `output "prometheus" {
  url      = "http://127.0.0.1:9090/api/v1/write"
  interval = "2s"
  headers  = { Authorization = env("RW_AUTH"), "X-Scope-OrgID" = "team-a" }
}
` + tunnelRest
	p, diags := LoadSource([]byte(src), "o.hcl", Options{Env: map[string]string{"RW_AUTH": "Bearer fake-test-secret-1"}})
	if len(diags) != 0 {
		t.Fatal(diagsText(diags))
	}
	got := p.Prometheus
	if got == nil || got.URL != "http://127.0.0.1:9090/api/v1/write" || got.Interval != 2*time.Second {
		t.Fatalf("prometheus = %+v", got)
	}
	if want := map[string]string{"Authorization": "Bearer fake-test-secret-1", "X-Scope-OrgID": "team-a"}; !maps.Equal(got.Headers, want) {
		t.Errorf("headers = %v; want %v", got.Headers, want)
	}

	p, diags = LoadSource([]byte(`output "prometheus" { url = "https://rw.example.com/push" }`+tunnelRest), "o.hcl", Options{})
	if len(diags) != 0 {
		t.Fatal(diagsText(diags))
	}
	if p.Prometheus.Interval != DefaultOutputInterval {
		t.Errorf("default interval = %s; want %s", p.Prometheus.Interval, DefaultOutputInterval)
	}
	if p, _ := LoadSource([]byte(tunnelRest), "o.hcl", Options{}); p.Prometheus != nil {
		t.Errorf("a plan without an output block pushes to %+v", p.Prometheus)
	}
}

func TestOutputDiagnostics(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, block, want string }{
		{"unknown kind", `output "promethues" { url = "http://x/" }`, `Unsupported output; "promethues" is not an output. Did you mean "prometheus"?`},
		{"no url", `output "prometheus" {}`, `Missing required argument`},
		{"not a URL", `output "prometheus" { url = "localhost:9090" }`, `url`},
		{"interval too short", `output "prometheus" {
  url      = "http://x/"
  interval = "1ms"
}`, `a duration of 100ms or more`},
		{"bad header name", `output "prometheus" {
  url     = "http://x/"
  headers = { "Bad Header" = "v" }
}`, `Invalid header name`},
		{"two blocks", `output "prometheus" { url = "http://x/" }
output "prometheus" { url = "http://y/" }`, `Duplicate`},
		{"misspelt attribute", `output "prometheus" {
  url     = "http://x/"
  headrs = {}
}`, `Did you mean "headers"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, diags := LoadSource([]byte(tt.block+tunnelRest), "o.hcl", Options{})
			if !diags.HasErrors() {
				t.Fatal("loaded without error")
			}
			if text := diagsText(diags); !strings.Contains(text, tt.want) {
				t.Errorf("diagnostics:\n%s\nwant one containing %q", text, tt.want)
			}
		})
	}
}

func TestLoadOutputOTLP(t *testing.T) {
	t.Parallel()
	src := `output "otlp" {
  endpoint   = "http://127.0.0.1:4318"
  headers    = { Authorization = env("OTLP_AUTH") }
  tracestate = "voyplan=load-test"
}
` + tunnelRest
	p, diags := LoadSource([]byte(src), "o.hcl", Options{Env: map[string]string{"OTLP_AUTH": "Bearer fake-test-secret-1"}})
	if len(diags) != 0 {
		t.Fatal(diagsText(diags))
	}
	got := p.OTLP
	if got == nil || got.Endpoint != "http://127.0.0.1:4318" || got.TraceState != "voyplan=load-test" ||
		!maps.Equal(got.Headers, map[string]string{"Authorization": "Bearer fake-test-secret-1"}) {
		t.Fatalf("otlp = %+v", got)
	}
	p, diags = LoadSource([]byte(`output "otlp" {}`+tunnelRest), "o.hcl", Options{})
	if len(diags) != 0 || p.OTLP == nil || p.OTLP.Endpoint != "" {
		t.Fatalf("an empty block (the environment's endpoint): %+v, %s", p.OTLP, diagsText(diags))
	}
	if p, _ := LoadSource([]byte(tunnelRest), "o.hcl", Options{}); p.OTLP != nil {
		t.Errorf("a plan without an output block traces to %+v", p.OTLP)
	}
}

func TestOutputOTLPDiagnostics(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, block, want string }{
		{"misspelt kind", `output "otpl" {}`, `Did you mean "otlp"?`},
		{"not a URL", `output "otlp" { endpoint = "localhost:4318" }`, `endpoint`},
		{"bad tracestate", `output "otlp" { tracestate = "Not Valid" }`, `Invalid tracestate`},
		{"bad header name", `output "otlp" { headers = { "Bad Header" = "v" } }`, `Invalid header name`},
		{"two blocks", `output "otlp" {}
output "otlp" {}`, `Duplicate`},
		{"misspelt attribute", `output "otlp" { endpont = "http://x/" }`, `Did you mean "endpoint"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, diags := LoadSource([]byte(tt.block+tunnelRest), "o.hcl", Options{})
			if !diags.HasErrors() {
				t.Fatal("loaded without error")
			}
			if text := diagsText(diags); !strings.Contains(text, tt.want) {
				t.Errorf("diagnostics:\n%s\nwant one containing %q", text, tt.want)
			}
		})
	}
}
