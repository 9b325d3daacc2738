package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// loadWithin loads src, failing the test when the load does not return
// within a generous bound: the inputs here used to hang it.
func loadWithin(t *testing.T, src, filename string) (*Plan, hcl.Diagnostics) {
	t.Helper()
	return loadBounded(t, src, filename, 20*time.Second)
}

func loadBounded(t *testing.T, src, filename string, bound time.Duration) (*Plan, hcl.Diagnostics) {
	t.Helper()
	type result struct {
		p     *Plan
		diags hcl.Diagnostics
	}
	done := make(chan result, 1)
	go func() {
		p, diags := LoadSource([]byte(src), filename, Options{})
		done <- result{p, diags}
	}()
	select {
	case r := <-done:
		return r.p, r.diags
	case <-time.After(bound):
		t.Fatal("the load did not return")
		return nil, nil
	}
}

const limitsPlan = `
target "assistant" {
  url = "http://localhost:8080/"
}

persona "p" {
  %s
}

stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
`

func TestFileOfADeviceIsADiagnostic(t *testing.T) {
	t.Parallel()
	for _, attr := range []string{
		`script = [file("/dev/zero")]`,
		`script = split("\n", file("/dev/zero"))`,
		`prompt = templatefile("/dev/zero", {})` + "\n  llm = \"g\"",
	} {
		t.Run(attr, func(t *testing.T) {
			t.Parallel()
			src := strings.Replace(limitsPlan, "%s", attr, 1) + `llm "g" { model = "gemini-2.5-flash" }`
			_, diags := loadWithin(t, src, "testdata/valid/limits.hcl")
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			got := diagsText(diags)
			for _, want := range []string{`"/dev/zero"`, "not a regular file", "16 MiB"} {
				if !strings.Contains(got, want) {
					t.Errorf("diagnostics %q: want %q in them", got, want)
				}
			}
		})
	}
}

// TestTemplateSpendsItsCallersBudget: a template with a loop, rendered
// in a loop, counts in the loop's evaluation (decode.Meter gives
// templatefile its caller's budget): 1,000 renders of 2,000 turns each
// stop with one diagnostic, where each render had a budget of its own
// and together they went through two million turns (100 renders of 1,000
// are fine). A plan's own
// templatefile call of three arguments is refused, since the third is
// the place of the budget.
func TestTemplateSpendsItsCallersBudget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tmpl := "%{ for l in lines }${l}%{ endfor }"
	if err := os.WriteFile(filepath.Join(dir, "t.tmpl"), []byte(tmpl), 0o600); err != nil {
		t.Fatal(err)
	}
	for attr, want := range map[string]string{
		`script = [for i in range(100) : templatefile("t.tmpl", { lines = range(1000) })]`:                       "",
		`script = [for i in range(1000) : templatefile("t.tmpl", { lines = concat(range(1000), range(1000)) })]`: "Expression too costly",
		`script = [templatefile("t.tmpl", { lines = ["a"] }, null)]`:                                             "takes 2 arguments",
		`script = [templatefile("t.tmpl", { lines = ["a"] }, true)]`:                                             "takes 2 arguments",
	} {
		t.Run(attr, func(t *testing.T) {
			t.Parallel()
			_, diags := loadWithin(t, strings.Replace(limitsPlan, "%s", attr, 1), filepath.Join(dir, "plan.hcl"))
			switch {
			case want == "" && diags.HasErrors():
				t.Fatalf("errors: %s", diagsText(diags))
			case want != "" && (len(diags.Errs()) != 1 || !strings.Contains(diagsText(diags), want)):
				t.Fatalf("want one error saying %q, got %d: %.600s", want, len(diags.Errs()), diagsText(diags))
			}
		})
	}
}

// longScript writes an n-line file in a temporary directory and returns a
// plan in that directory (as the name of its file) whose script is built
// from it as form says, FILE standing for file("lines.txt"), or written
// out as a list literal ("literal").
func longScript(t testing.TB, n int, form string) (src, filename string) {
	t.Helper()
	dir := t.TempDir()
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "lines.txt"), []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	script := strings.ReplaceAll(form, "FILE", `file("lines.txt")`)
	if form == "literal" {
		script = "[\n    \"" + strings.Join(lines, "\",\n    \"") + "\"\n  ]"
	}
	return strings.Replace(limitsPlan, "%s", "script = "+script, 1), filepath.Join(dir, "long.hcl")
}

// longScriptForms are the ways a plan writes a long script: a function's
// list, a for expression's tuple, a list literal, a tuple through a
// function taking a list.
var longScriptForms = map[string]string{
	"split":   `split("\n", FILE)`,
	"for":     `[for l in split("\n", FILE) : trimspace(l)]`,
	"literal": "literal",
	"join":    `split("\n", join("\n", [for l in split("\n", FILE) : l]))`,
	"tolist":  `tolist([for l in split("\n", FILE) : l])`,
}

// TestLongScriptLoadsWhole loads a 100,000-line script written every way:
// it used to take minutes (go-cty unifies a tuple's element types in
// quadratic time, once at load and again per user); the bound here is a
// guard against that, not a timing.
func TestLongScriptLoadsWhole(t *testing.T) {
	t.Parallel()
	const n = 100_000
	for name, form := range longScriptForms {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, filename := longScript(t, n, form)
			p, diags := loadBounded(t, src, filename, 2*time.Minute)
			if diags.HasErrors() {
				t.Fatal(diagsText(diags))
			}
			u0, err := p.NewUser(0)
			if err != nil {
				t.Fatal(err)
			}
			u1, err := p.NewUser(1)
			if err != nil {
				t.Fatal(err)
			}
			if len(u0.Script) != n || u0.Script[0] != "line 0" || u0.Script[n-1] != fmt.Sprintf("line %d", n-1) {
				t.Fatalf("script of %d lines, from %q to %q: want %d, line 0 to line %d",
					len(u0.Script), u0.Script[0], u0.Script[len(u0.Script)-1], n, n-1)
			}
			if &u0.Script[0] != &u1.Script[0] {
				t.Error("two users evaluated a script that reads nothing of them twice: want it evaluated once, shared")
			}
		})
	}
}

// TestScriptReadingDataIsPerUser: a script that reads data or calls a
// generator is still evaluated for each user.
func TestScriptReadingDataIsPerUser(t *testing.T) {
	t.Parallel()
	for _, script := range []string{
		`script = ["Olá", data.customer.cpf]`,
		`script = [for i in range(2) : cpf()]`,
	} {
		t.Run(script, func(t *testing.T) {
			t.Parallel()
			src := strings.Replace(limitsPlan, "%s", script, 1) + `data "customer" { cpf = cpf() }`
			p, diags := loadWithin(t, src, "testdata/valid/perUser.hcl")
			if diags.HasErrors() {
				t.Fatal(diagsText(diags))
			}
			u0, _ := p.NewUser(0)
			u1, _ := p.NewUser(1)
			if u0.Script[1] == u1.Script[1] {
				t.Errorf("users 0 and 1 both say %q: want each its own", u0.Script[1])
			}
		})
	}
}

// BenchmarkLongScript loads a plan with an n-line script and makes its
// first user, as validate and apply do (BENCH.md).
func BenchmarkLongScript(b *testing.B) {
	for _, n := range []int{50_000, 100_000} {
		for _, form := range []string{"split", "for", "literal"} {
			b.Run(fmt.Sprintf("%s/%d", form, n), func(b *testing.B) {
				src, filename := longScript(b, n, longScriptForms[form])
				for b.Loop() {
					p, diags := LoadSource([]byte(src), filename, Options{})
					if diags.HasErrors() {
						b.Fatal(diagsText(diags))
					}
					if u, err := p.NewUser(0); err != nil || len(u.Script) != n {
						b.Fatalf("user 0: %v", err)
					}
				}
			})
		}
	}
}
