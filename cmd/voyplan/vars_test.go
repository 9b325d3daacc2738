package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results"
)

func writeFile(t *testing.T, dir, name, src string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestVarFileFlag: validate and plan take -var-file, repeatable; a later
// file wins over an earlier one, -var over every file.
func TestVarFileFlag(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if code := ta.main([]string{"validate", "../../plans/smoke.hcl", "-var-file", "../../plans/staging.vars.hcl"}); code != exitOK ||
		!strings.Contains(ta.out.String(), "is valid") {
		t.Fatalf("validate with the repository's variable file: exit %d\n%s\n%s", code, ta.out.String(), ta.err.String())
	}

	dir := t.TempDir()
	a := writeFile(t, dir, "a.vars.hcl", "channel_id = \"chan-a\"\npublic_url = \"https://a.example.com\"\n")
	b := writeFile(t, dir, "b.vars.hcl", "channel_id = \"chan-b\"\n")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"one file", []string{"-var-file", a}, []string{"(channel chan-a)", "reached at https://a.example.com"}},
		{"a then b: b wins", []string{"-var-file", a, "-var-file=" + b}, []string{"(channel chan-b)", "reached at https://a.example.com"}},
		{"b then a: a wins", []string{"--var-file", b, "-var-file", a}, []string{"(channel chan-a)"}},
		{"-var wins over both", []string{"-var", "channel_id=chan-cli", "-var-file", a, "-var-file", b}, []string{"(channel chan-cli)", "reached at https://a.example.com"}},
		{"over VOYPLAN_VAR_", []string{"-var-file", b}, []string{"(channel chan-b)", "exposed through ngrok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			ta.environ = append(ta.environ, "VOYPLAN_VAR_channel_id=chan-env")
			if code := ta.main(append([]string{"plan", "../../plans/smoke.hcl"}, tt.args...)); code != exitOK {
				t.Fatalf("exit %d\n%s", code, ta.err.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(ta.out.String(), want) {
					t.Errorf("plan output lacks %q:\n%s", want, ta.out.String())
				}
			}
		})
	}
}

// TestVarFileMistakes: a variable file's mistakes are diagnostics with
// file:line:col and a snippet, which shows no value — not even one that
// failed conversion, described by its type and length instead; a file
// that cannot be read is named.
func TestVarFileMistakes(t *testing.T) {
	t.Parallel()
	const secret = "sk-live-0123456789abcdef"
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.vars.hcl", "chanel_id  = \""+secret+"\"\npublic_url = [\"https://x.example.com\"]\n\nwebhook {\n}\n")
	missing := filepath.Join(dir, "nope.vars.hcl")
	tests := []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"mistakes", []string{"validate", "../../plans/smoke.hcl", "-var-file", bad}, []string{
			bad + ":1:1: error: Undeclared variable", `Did you mean "channel_id"?`, "chanel_id  = ****",
			bad + ":2:1: error: Invalid value for variable", `public_url = [***********************]`,
			"variable \"public_url\" is a string",
			bad + ":4:1: error: Unexpected block in variable file", "webhook {",
			"is not a valid plan: 3 error(s)",
		}},
		{"a missing file", []string{"plan", "../../plans/smoke.hcl", "-var-file", missing}, []string{
			"error: Cannot read variable file", "The variable file " + missing, "does not", "is not a valid plan: 1 error(s)",
		}},
		{"no file name", []string{"validate", "../../plans/smoke.hcl", "-var-file"}, []string{"flag needs an argument: --var-file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			if code := ta.main(tt.args); code != exitError {
				t.Fatalf("exit %d, want 1\n%s\n%s", code, ta.out.String(), ta.err.String())
			}
			for _, want := range tt.stderr {
				if !strings.Contains(ta.err.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, ta.err.String())
				}
			}
			if strings.Contains(ta.out.String()+ta.err.String(), secret) {
				t.Errorf("the misnamed variable's value is shown:\n%s", ta.err.String())
			}
		})
	}
}

func TestVarFileInHelp(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"validate", "plan", "apply"} {
		ta := newTestApp(t)
		if code := ta.main([]string{cmd, "--help"}); code != exitOK || !strings.Contains(ta.out.String(), "-var-file FILE") {
			t.Errorf("%s --help: exit %d, no -var-file FILE:\n%s", cmd, code, ta.out.String())
		}
	}
}

// TestVarFileSecretNeverRecorded applies the http example with its bearer
// token and URL from a variable file instead of env() and -var: the bot
// accepts the token, so the file's value was sent, and it appears nowhere
// in the output or the results.
func TestVarFileSecretNeverRecorded(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../../plans/examples/http.hcl")
	if err != nil {
		t.Fatal(err)
	}
	personas, err := filepath.Abs("../../personas")
	if err != nil {
		t.Fatal(err)
	}
	plan := strings.NewReplacer(`env("BOT_TOKEN")`, "var.bot_token", `"../../personas/`, `"`+personas+"/").Replace(string(src)) +
		"\nvariable \"bot_token\" {}\n"
	if !strings.Contains(plan, "var.bot_token") {
		t.Fatal("the http example no longer reads env(\"BOT_TOKEN\")")
	}
	dir := t.TempDir()
	planFile := writeFile(t, dir, "http.hcl", plan)
	url, stats := exampleBot(t, "http")
	varFile := writeFile(t, dir, "bot.vars.hcl", "url       = \""+url+"\"\nbot_token = \""+exampleToken+"\"\n")

	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	code := ta.main([]string{"apply", planFile, "-var-file", varFile, "--out", out, "--quiet", "--log-level", "debug"})
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, ta.out.String(), ta.err.String())
	}
	if st := stats(); st.Requests == 0 || st.Unauthorized != 0 {
		t.Fatalf("bot %+v: want requests, every one with the file's token", st)
	}
	checkNoSecret(t, exampleToken, ta.out.Bytes(), ta.err.Bytes(), out)
}

// TestSensitiveNeverPrinted: an API key given to a number-typed variable
// is described, not printed (it was: "-var users=AIza..."); a sensitive
// variable's value, in the target url, is hidden from `voyplan plan`.
func TestSensitiveNeverPrinted(t *testing.T) {
	t.Parallel()
	const key = "fake-test-secret-0123456789abcdefghijkl"
	planFile := writeFile(t, t.TempDir(), "sensitive.hcl", `
plan "sensitive" { description = "key ${var.key}" }
variable "users" { type = number }
variable "key" { sensitive = true }
target "assistant" {
  url = "http://localhost:8080/v1/webhooks/widget?key=${var.key}"
}
persona "p" { script = ["Olá"] }
stage "s" {
  users      = var.users
  spawn_rate = 1
  duration   = "30s"
}
`)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a key given to a number", []string{"validate", planFile, "-var", "users=" + key, "-var", "key=" + key}, exitError, "a string of 39 characters"},
		{"a sensitive variable in plan's output", []string{"plan", planFile, "-var", "users=2", "-var", "key=" + key}, exitOK, "key=(sensitive value)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			if code := ta.main(tt.args); code != tt.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.code, ta.out.String(), ta.err.String())
			}
			out := ta.out.String() + ta.err.String()
			if !strings.Contains(out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
			if strings.Contains(out, key[:12]) {
				t.Errorf("the key is printed:\n%s", out)
			}
		})
	}
}

// run.log never holds a sensitive variable's value, whatever logs it: an
// error naming a URL the value is part of, in another letter case too.
func TestRunLogRedactsSensitiveValues(t *testing.T) {
	t.Parallel()
	const key = "fake-test-secret-0123456789abcdefghijkl"
	dir := t.TempDir()
	planFile := writeFile(t, dir, "sensitive.hcl", `
variable "key" { sensitive = true }
target "assistant" { url = "http://127.0.0.1:1/${var.key}/widget" }
persona "p" { script = ["Olá"] }
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`)
	p, diags := plan.Load(planFile, plan.Options{Vars: map[string]string{"key": key}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	rd, err := results.Create(filepath.Join(dir, "run"), "sensitive", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f, log, err := openRunLog(rd, "info", p.Redact)
	if err != nil {
		t.Fatal(err)
	}
	log.Error("cannot send", "err", "Post http://127.0.0.1:1/"+key+"/widget: connection refused", "upper", strings.ToUpper(key))
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(rd.File(results.RunLogFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(string(b)), strings.ToLower(key)) || !strings.Contains(string(b), "connection refused") {
		t.Errorf("run.log:\n%s", b)
	}
}
