package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// apiKey stands for an API key: 39 characters, as long as a Google one
// (a made-up value, never a real key).
const apiKey = "fake-test-secret-0123456789abcdefghijkl"

// renderDiags renders diagnostics as the CLI does, with hcl's text writer
// (source snippets and the values of the variables an expression reads).
func renderDiags(t *testing.T, diags hcl.Diagnostics, files map[string][]byte) string {
	t.Helper()
	hf := map[string]*hcl.File{}
	for name, src := range files {
		hf[name] = &hcl.File{Bytes: src}
	}
	var b bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&b, hf, 100, false)
	if err := w.WriteDiagnostics(diags); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

const secretsPlan = `
variable "users" {
  type    = number
  DEFAULT
}

variable "key" {
  sensitive = true
}

target "assistant" {
  url = "http://localhost:8080/?key=${var.key}"
}

persona "p" {
  script = [SCRIPT]
}

stage "s" {
  users      = var.users
  spawn_rate = 1
  duration   = "30s"
}
`

func secretsSource(def, script string) string {
	return strings.NewReplacer("DEFAULT", def, "SCRIPT", script).Replace(secretsPlan)
}

// TestValueThatFailsConversionIsNeverEchoed gives an API key to a
// number-typed variable from every source: the diagnostic describes the
// value by its type and length and never quotes it (it used to, for -var).
func TestValueThatFailsConversionIsNeverEchoed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	varFile := filepath.Join(dir, "keys.vars.hcl")
	if err := os.WriteFile(varFile, []byte("users = \""+apiKey+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"key": "k-0123456789"}
	tests := []struct {
		name string
		def  string
		opts Options
	}{
		{"-var", "", Options{Vars: map[string]string{"users": apiKey, "key": "k-0123456789"}}},
		{"VOYPLAN_VAR_", "", Options{Vars: base, Env: map[string]string{"VOYPLAN_VAR_users": apiKey}}},
		{"-var-file", "", Options{Vars: base, VarFiles: []string{varFile}}},
		{"a default", `default = "` + apiKey + `"`, Options{Vars: base}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".hcl")
			src := secretsSource(tt.def, `"Olá"`)
			_, diags := LoadSource([]byte(src), file, tt.opts)
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			text := diagsText(diags)
			rendered := renderDiags(t, diags, nil)
			if !strings.Contains(text, "a string of 39 characters") || !strings.Contains(text, "a number") {
				t.Errorf("diagnostics %s: want the value described as a string of 39 characters", text)
			}
			if strings.Contains(text+rendered, apiKey[:12]) {
				t.Errorf("diagnostics quote the value:\n%s\n%s", text, rendered)
			}
			for _, d := range diags {
				if d.Subject != nil && d.Subject.Filename == file && strings.Contains(src[d.Subject.Start.Byte:d.Subject.End.Byte], apiKey) {
					t.Errorf("diagnostic %q points at the value, so its snippet shows it", d.Summary)
				}
			}
		})
	}
}

// TestSensitiveVariableNeverInDiagnostics: a sensitive variable's value,
// quoted by a function's error or shown by hcl's text writer as the value
// of the variable an expression reads, is hidden, in any letter case.
func TestSensitiveVariableNeverInDiagnostics(t *testing.T) {
	t.Parallel()
	for _, script := range []string{
		`tonumber(var.key)`,            // "cannot convert "..." to number"
		`parseint(var.key, 10)`,        // "cannot parse "..." as a base 10 integer"
		`parseint(upper(var.key), 10)`, // the same, upper-cased
		`var.key + 1`,                  // hcl's writer: "with var.key as "...""
	} {
		t.Run(script, func(t *testing.T) {
			t.Parallel()
			src := secretsSource("default = 1", script)
			_, diags := LoadSource([]byte(src), "secrets.hcl", Options{Vars: map[string]string{"key": apiKey}})
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			out := diagsText(diags) + renderDiags(t, diags, map[string][]byte{"secrets.hcl": []byte(src)})
			if strings.Contains(strings.ToLower(out), strings.ToLower(apiKey)) {
				t.Errorf("the sensitive value is printed:\n%s", out)
			}
		})
	}
}

// TestPlanRedactsSensitiveValues: the plan's description and whatever
// prints a plan's values through Redact hide a sensitive variable's value.
func TestPlanRedactsSensitiveValues(t *testing.T) {
	t.Parallel()
	src := secretsSource("default = 1", `"Olá"`) + `plan "p" { description = "key ${var.key}" }`
	p, diags := LoadSource([]byte(src), "secrets.hcl", Options{Vars: map[string]string{"key": apiKey}})
	if diags.HasErrors() {
		t.Fatal(diagsText(diags))
	}
	if !strings.Contains(p.Target.URL, apiKey) {
		t.Fatalf("url %q: the key must still be sent", p.Target.URL)
	}
	for _, s := range []string{p.Redact(p.Target.URL), p.Redact(strings.ToUpper(p.Target.URL)), p.Description} {
		if strings.Contains(strings.ToLower(s), strings.ToLower(apiKey)) || !strings.Contains(s, "(sensitive value)") {
			t.Errorf("%q: want the key hidden", s)
		}
	}
}
