package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadSource feeds arbitrary bytes to the loader: it may report
// anything, but must never panic, and a plan it accepts must give users.
func FuzzLoadSource(f *testing.F) {
	fixtures, _ := filepath.Glob("testdata/*/*.hcl")
	for _, file := range fixtures {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(""))
	f.Add([]byte(`persona "p" { script = [for i in range(3) : "${i}"] }`))
	f.Add([]byte(`data "d" { x = data.d.x }`))
	f.Add([]byte(`conversation { complete_when = "${"}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		p, diags := LoadSource(src, "testdata/valid/fuzz.hcl", Options{})
		if p == nil {
			if !diags.HasErrors() {
				t.Fatal("no plan and no error")
			}
			return
		}
		if _, err := p.NewUser(1); err != nil {
			t.Logf("NewUser: %v", err) // data may depend on the drawn seed
		}
		_, _ = Format("fuzz.hcl", src)
	})
}

// FuzzPlan feeds whole plans to what validate and `voyplan plan` do:
// Load, then the compiled schedule with its rows, peak and totals, and
// the first users. It may report anything, but must never panic or hang;
// the seeds include the inputs that used to hang it or take the
// machine's memory: file("/dev/zero"), long lists (go-cty's quadratic
// tuple conversion), indent and setproduct of huge sizes, for expressions
// nested over long lists, format widths, numbers of a billion digits.
func FuzzPlan(f *testing.F) {
	const base = `
target "assistant" {
  url = "http://localhost:8080/"
}
persona "p" {
  %s
}
stage "s" {
  users      = 2
  spawn_rate = 1
  duration   = "30s"
}
`
	for _, body := range []string{
		`script = [file("/dev/zero")]`,
		`script = split("\n", file("/dev/zero"))`,
		// range stops at 1024; split("", s) makes a long list of a short plan
		`script = [for c in split("", indent(20000, "\nx")) : c]`,
		`script = tolist([for c in split("", indent(20000, "\nx")) : c])`,
		`script = split(",", join(",", [for c in split("", indent(20000, "\nx")) : c]))`,
		`script = distinct(concat([for c in split("", indent(5000, "\nx")) : c], ["a"]))`,
		`script = [indent(1000000000, "a\nb")]`,
		`script = [jsonencode(setproduct(range(1000), range(1000), range(1000)))]`,
		// what the metered evaluation (decode/budget.go) stops; the first
		// is the input that failed CI, minimised
		`script = [jsonencode(setproduct(range(1), range(1000), range(1000)))]`,
		`script = [for a in split("", indent(20000, "\nx")) : [for b in split("", indent(20000, "\nx")) : b]]`,
		`script = [format("%999999999s", "a"), replace(indent(9999, "\n"), "", indent(9999, "\n"))]`,
		`script = ["${1e9999999}", tonumber("1e-9999999")]`,
		`script = ["Olá", data.c.cpf]`,
	} {
		f.Add([]byte(strings.Replace(base, "%s", body, 1) + `data "c" { cpf = cpf() }`))
	}
	fixtures, _ := filepath.Glob("testdata/*/*.hcl")
	for _, file := range fixtures {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, diags := LoadSource(src, "testdata/valid/fuzz.hcl", Options{})
		if p == nil {
			if !diags.HasErrors() {
				t.Fatal("no plan and no error")
			}
			return
		}
		s := p.Schedule()
		_ = s.Rows(p.Stages)
		_, _ = s.Peak(), s.Started()
		_, _ = s.Conversations(p.Conversation.ConversationsPerUser)
		_ = s.UserTime()
		for n := range 3 {
			if _, err := p.NewUser(n); err != nil {
				t.Logf("NewUser(%d): %v", n, err)
			}
		}
	})
}
