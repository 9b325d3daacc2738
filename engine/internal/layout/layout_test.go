package layout

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/voyplan/voyplan/"

// allowed lists, for each package (path below the module), the packages of
// this module it may import: docs/ARCHITECTURE.md in a form a test reads.
// A package missing here fails the test, so a new one is placed on purpose.
var allowed = map[string][]string{
	// Leaves: plain data and small mechanisms, nothing of the engine.
	"engine/transcript":             {},
	"engine/datagen":                {},
	"engine/crosstalk":              {"engine/transcript", "engine/internal/fold"},
	"engine/fdlimit":                {},
	"engine/tunnel":                 {},
	"engine/internal/offstack":      {},
	"engine/internal/fold":          {},
	"engine/internal/wait":          {},
	"engine/internal/wake":          {},
	"engine/internal/backoffpolicy": {},
	"engine/internal/layout":        {},
	"engine/llm/llmtest":            {},

	// file → Plan
	"engine/plan/decode":   {},
	"engine/plan/funcs":    {"engine/datagen", "engine/plan/decode"},
	"engine/plan/vars":     {"engine/plan/decode"},
	"engine/plan/target":   {"engine/plan/decode"},
	"engine/plan/peruser":  {"engine/plan/decode", "engine/plan/funcs"},
	"engine/plan/names":    {"engine/metrics", "engine/plan/decode"},
	"engine/plan/schedule": {},
	"engine/plan": {"engine/datagen", "engine/metrics", "engine/transcript",
		"engine/plan/decode", "engine/plan/funcs", "engine/plan/names", "engine/plan/peruser", "engine/plan/schedule", "engine/plan/target", "engine/plan/vars"},

	// What a conversation talks through.
	"engine/metrics":               {"engine/transcript"},
	"engine/webhook":               {"engine/transcript", "engine/fdlimit", "engine/internal/wake", "engine/internal/offstack"},
	"engine/webhook/webhooktest":   {},
	"engine/protocol/retry":        {"engine/internal/wait", "engine/internal/backoffpolicy"},
	"engine/protocol/sse":          {},
	"engine/protocol/ws":           {},
	"engine/protocol/widget":       {"engine/transcript", "engine/protocol/retry"},
	"engine/protocol/whatsapp":     {"engine/transcript"},
	"engine/protocol/protocoltest": {"engine/sim", "engine/internal/wait"},
	"engine/protocol": {"engine/plan", "engine/plan/target", "engine/transcript", "engine/webhook",
		"engine/protocol/retry", "engine/protocol/sse", "engine/protocol/ws", "engine/protocol/widget", "engine/protocol/whatsapp",
		"engine/internal/offstack", "engine/internal/wait"},
	"engine/llm":     {"engine/plan", "engine/plan/schedule", "engine/transcript", "engine/internal/wait", "engine/internal/backoffpolicy"},
	"engine/persona": {"engine/plan", "engine/datagen", "engine/transcript", "engine/internal/fold"},
	"engine/sim":     {"engine/datagen", "engine/internal/wait"},

	// Plan → rig → run
	"engine/rig": {"engine/plan", "engine/protocol", "engine/protocol/widget", "engine/webhook",
		"engine/tunnel", "engine/sim", "engine/llm", "engine/fdlimit", "engine/tracing"},
	"engine/run": {"engine/plan", "engine/plan/schedule", "engine/rig", "engine/protocol", "engine/webhook", "engine/persona",
		"engine/metrics", "engine/verdict", "engine/transcript", "engine/datagen", "engine/crosstalk", "engine/tracing",
		"engine/internal/offstack", "engine/internal/wait", "engine/internal/wake"},

	// metrics → verdict → results → report
	"engine/verdict":             {"engine/metrics", "engine/plan", "engine/plan/names", "engine/plan/schedule", "engine/transcript"},
	"engine/results":             {"engine/metrics", "engine/plan", "engine/transcript", "engine/verdict"},
	"engine/results/resultstest": {"engine/metrics", "engine/transcript"},
	"engine/report":              {"engine/metrics", "engine/results", "engine/transcript", "engine/verdict"},
	"engine/live":                {"engine/metrics"},
	"engine/live/livetest":       {},
	"engine/tracing":             {},
	"engine/tracing/tracingtest": {},
	"engine/dashboard":           {"engine/metrics", "engine/plan", "engine/report", "engine/results", "engine/run", "engine/transcript", "engine/verdict", "engine/webhook"},

	// The edges: the CLI and the benchmarks may use anything.
	"cmd/voyplan": nil,
	"bench/limit": {}, // the minimal reference program: the standard library only
	"bench":       nil,
}

// TestLayering fails when a package imports a package of this module that
// allowed does not list for it (nil: anything), or when a package is not
// placed in allowed at all.
func TestLayering(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	imports := moduleImports(t, root)
	if len(imports) < 10 {
		t.Fatalf("found only %d packages under %s: the test looks in the wrong place", len(imports), root)
	}
	for _, v := range violations(imports, allowed) {
		t.Error(v)
	}
}

// violations lists what breaks the layout: each import rules does not allow,
// and each package rules does not place.
func violations(imports, rules map[string][]string) []string {
	var out []string
	for pkg, deps := range imports {
		may, placed := rules[pkg]
		if !placed {
			out = append(out, pkg+" is not placed in the layout: add it to allowed (and to docs/ARCHITECTURE.md)")
			continue
		}
		if may == nil {
			continue
		}
		for _, d := range deps {
			if !slices.Contains(may, d) {
				out = append(out, pkg+" imports "+d+", which docs/ARCHITECTURE.md does not allow it")
			}
		}
	}
	sort.Strings(out)
	return out
}

// moduleImports maps each package directory below root (as an import path
// below the module) to the module's packages its non-test files import.
func moduleImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "runs") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		if _, ok := out[pkg]; !ok {
			out[pkg] = []string{}
		}
		for _, im := range f.Imports {
			p := strings.Trim(im.Path.Value, `"`)
			if dep, ok := strings.CutPrefix(p, module); ok && !slices.Contains(out[pkg], dep) {
				out[pkg] = append(out[pkg], dep)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, deps := range out {
		sort.Strings(deps)
	}
	return out
}

// The checker finds what it is for: the receiver importing a payload
// format, run importing the simulator, and a package nobody placed.
func TestViolationsAreFound(t *testing.T) {
	imports := map[string][]string{
		"engine/webhook": {"engine/protocol/widget", "engine/transcript"},
		"engine/run":     {"engine/rig", "engine/sim"},
		"engine/new":     {},
		"cmd/voyplan":    {"engine/sim"},
	}
	got := violations(imports, allowed)
	want := []string{
		"engine/new is not placed in the layout: add it to allowed (and to docs/ARCHITECTURE.md)",
		"engine/run imports engine/sim, which docs/ARCHITECTURE.md does not allow it",
		"engine/webhook imports engine/protocol/widget, which docs/ARCHITECTURE.md does not allow it",
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
