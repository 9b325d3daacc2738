package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// errorMarker is the expected diagnostic written on the offending line of
// an invalid fixture: `# ERROR: <summary>`, possibly several on a line.
var errorMarker = regexp.MustCompile(`# ERROR: ([^#]+)`)

// expectedErrors returns "line: summary" for every marker in src, sorted.
func expectedErrors(src []byte) []string {
	var want []string
	for i, line := range strings.Split(string(src), "\n") {
		for _, m := range errorMarker.FindAllStringSubmatch(line, -1) {
			want = append(want, fmt.Sprintf("%d: %s", i+1, strings.TrimSpace(m[1])))
		}
	}
	sort.Strings(want)
	return want
}

// gotErrors returns "line: summary" for every error diagnostic, sorted.
func gotErrors(t *testing.T, diags hcl.Diagnostics) []string {
	t.Helper()
	var got []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if d.Subject == nil || d.Detail == "" {
			t.Errorf("diagnostic without subject or detail: %s", d.Error())
			continue
		}
		got = append(got, fmt.Sprintf("%d: %s", d.Subject.Start.Line, d.Summary))
	}
	sort.Strings(got)
	return got
}

func TestInvalidFixtures(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/invalid/*.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := expectedErrors(src)
			p, diags := Load(file, Options{})
			if p != nil {
				t.Errorf("Load returned a plan along with errors")
			}
			got := gotErrors(t, diags)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("errors by line:\n got: %q\nwant: %q\ndiagnostics:\n%s", got, want, diagsText(diags))
			}
		})
	}
}

func TestManyMistakesReportedAtOnce(t *testing.T) {
	t.Parallel()
	_, diags := Load("testdata/invalid/many.hcl", Options{})
	if n := len(gotErrors(t, diags)); n < 10 {
		t.Errorf("%d errors reported, want every mistake (at least 10):\n%s", n, diagsText(diags))
	}
}

// TestDidYouMean checks the suggestions of the diagnostics that have one.
func TestDidYouMean(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, summary, suggestion string
	}{
		{"unknown_block.hcl", "Unsupported block type", `Did you mean "stage"?`},
		{"unknown_attribute.hcl", "Unsupported argument", `Did you mean "weight"?`},
		{"unknown_variable.hcl", "Unsupported attribute", `Did you mean "channel_id"?`},
		{"unknown_llm.hcl", "Unknown llm", `Did you mean "gemini"?`},
		{"check_metric.hcl", "Invalid threshold check", `Did you mean "conversations"?`},
		{"complete_when.hcl", "Invalid complete_when", `Did you mean "reply"?`},
		{"data_refs.hcl", "Unsupported attribute", `Did you mean "cpf"?`},
		{"data_refs.hcl", "Call to unknown function", `Did you mean "upper"?`},
		{"persona_file.hcl", "Call to unknown function", `Did you mean "cpf"?`},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.summary, func(t *testing.T) {
			t.Parallel()
			_, diags := Load("testdata/invalid/"+tt.file, Options{})
			for _, d := range diags {
				if d.Summary == tt.summary && strings.Contains(d.Detail, tt.suggestion) {
					return
				}
			}
			t.Errorf("no %q diagnostic suggesting %s:\n%s", tt.summary, tt.suggestion, diagsText(diags))
		})
	}
}

// TestExprErrorPosition checks that an expr-lang compile error points inside
// the string when the string is written literally.
func TestExprErrorPosition(t *testing.T) {
	t.Parallel()
	const base = `
target "x" { url = "https://example.com/" }
persona "p" { script = ["a"] }
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`
	tests := []struct {
		name, src              string
		line, startCol, endCol int
		wantSummary            string
	}{
		{
			name: "quoted check",
			src:  "threshold \"t\" {\n  check = \"reply.p96 < duration('30s')\"\n}\n",
			line: 10, startCol: 18, endCol: 21, // p96
			wantSummary: "Invalid threshold check",
		},
		{
			name: "quoted complete_when",
			src:  "conversation {\n  complete_when = \"turn > 1 && replay == ''\"\n}\n",
			line: 10, startCol: 32, endCol: 38, // replay
			wantSummary: "Invalid complete_when",
		},
		{
			name: "heredoc complete_when",
			src:  "conversation {\n  complete_when = <<EOT\nturn > 1 &&\n  replay == ''\nEOT\n}\n",
			line: 12, startCol: 3, endCol: 9, // replay
			wantSummary: "Invalid complete_when",
		},
		{
			name: "interpolated check: the whole attribute",
			src:  "variable \"m\" {\n  default = 1\n}\nthreshold \"t\" {\n  check = \"cost.usdd < ${var.m}\"\n}\n",
			line: 13, startCol: 11, endCol: 33,
			wantSummary: "Invalid threshold check",
		},
		{
			name: "escaped quote: the whole attribute",
			src:  "threshold \"t\" {\n  check = \"reply.p96 < duration(\\\"30s\\\")\"\n}\n",
			line: 10, startCol: 11, endCol: 42,
			wantSummary: "Invalid threshold check",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, diags := LoadSource([]byte(base+tt.src), "pos.hcl", Options{})
			if len(diags) != 1 || diags[0].Summary != tt.wantSummary {
				t.Fatalf("want one %q, got:\n%s", tt.wantSummary, diagsText(diags))
			}
			s := diags[0].Subject
			if s.Start.Line != tt.line || s.Start.Column != tt.startCol || s.End.Column != tt.endCol {
				t.Errorf("subject %s, want line %d columns %d-%d", s, tt.line, tt.startCol, tt.endCol)
			}
		})
	}
}
