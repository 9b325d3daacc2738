package plan

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// loadWithin loads src, failing the test when the load does not return
// within a generous bound: the inputs here used to hang it.
func loadWithin(t *testing.T, src, filename string) (*Plan, hcl.Diagnostics) {
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
	case <-time.After(20 * time.Second):
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
			got := diagText(diags)
			for _, want := range []string{`"/dev/zero"`, "not a regular file", "16 MiB"} {
				if !strings.Contains(got, want) {
					t.Errorf("diagnostics %q: want %q in them", got, want)
				}
			}
		})
	}
}

// diagText is every diagnostic's summary and detail, one a line.
func diagText(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "%s: %s\n", d.Summary, d.Detail)
	}
	return b.String()
}
