package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// A plan file that is not there is said once, in one line, by every
// command that loads a plan — not as a diagnostic, its header, its detail
// and a count of errors.
func TestMissingFileSaidOnce(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"apply", "nosuch.hcl", "--quiet"}, {"validate", "nosuch.hcl"}, {"plan", "nosuch.hcl"},
		{"report", "nosuch"}, {"compare", "nosuch", "nosuch"}, {"merge", "nosuch"}, {"fmt", "nosuch.hcl"},
	} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			if code := ta.main(args); code != exitError {
				t.Fatalf("exit %d, want 1\n%s", code, ta.err.String())
			}
			stderr := ta.err.String()
			if n := strings.Count(stderr, "nosuch"); (n != 1 && args[0] != "compare") || strings.Count(stderr, "\n") != 1 ||
				!strings.Contains(stderr, "no such file or directory") {
				t.Errorf("the missing file is not said once, in one line:\n%s", stderr)
			}
		})
	}
}

// A diagnostic's summary is said once: on the compiler-style line, not
// again in hcl's "Error:" header under it.
func TestDiagnosticSummarySaidOnce(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "bad.hcl")
	if err := os.WriteFile(bad, []byte("plan \"x\" {}\nstage \"s\" {\n  usrs = 1\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ta := newTestApp(t)
	if code := ta.main([]string{"validate", bad}); code != exitError {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(ta.err.String(), "Unsupported argument"); n != 1 || strings.Contains(ta.err.String(), "Error: ") {
		t.Errorf("the summary is said %d times:\n%s", n, ta.err.String())
	}
}

// decodeJSON decodes stdout strictly: every field the document has is one
// the documented shape names.
func decodeJSON(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not the documented JSON: %v\n%s", err, out)
	}
}

func TestValidateJSON(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "bad.hcl")
	if err := os.WriteFile(bad, []byte("plan \"x\" {}\nstage \"s\" {\n  usrs = 1\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("invalid", func(t *testing.T) {
		t.Parallel()
		ta := newTestApp(t)
		if code := ta.main([]string{"validate", "-json", bad}); code != exitError || ta.err.Len() != 0 {
			t.Fatalf("exit %d, stderr %q; want 1 and nothing on stderr", code, ta.err.String())
		}
		var v jsonValidation
		decodeJSON(t, ta.out.String(), &v)
		if v.Valid || v.FormatVersion != 1 || v.File != bad || v.ErrorCount != len(v.Diagnostics) || v.ErrorCount < 2 {
			t.Errorf("document %+v", v)
		}
		want := jsonDiagnostic{Severity: "error", Summary: "Unsupported argument", File: bad, Line: 3, Column: 3, EndLine: 3, EndColumn: 7}
		found := false
		for _, d := range v.Diagnostics {
			if strings.Contains(d.Detail, `Did you mean "users"?`) {
				d.Detail, found = "", true
				if d != want {
					t.Errorf("diagnostic %+v; want %+v", d, want)
				}
			}
		}
		if !found {
			t.Errorf("no diagnostic for usrs: %+v", v.Diagnostics)
		}
	})
	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		ta := newTestApp(t)
		if code := ta.main([]string{"validate", "--json", "../../plans/local.hcl"}); code != exitOK {
			t.Fatalf("exit %d\n%s", code, ta.err.String())
		}
		var v jsonValidation
		decodeJSON(t, ta.out.String(), &v)
		if !v.Valid || v.ErrorCount != 0 || v.Diagnostics == nil {
			t.Errorf("document %+v", v)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		t.Parallel()
		ta := newTestApp(t)
		if code := ta.main([]string{"validate", "--json", "nosuch.hcl"}); code != exitError {
			t.Fatalf("exit %d", code)
		}
		var v jsonValidation
		decodeJSON(t, ta.out.String(), &v)
		if v.Valid || len(v.Diagnostics) != 1 || v.Diagnostics[0].File != "nosuch.hcl" || !strings.Contains(v.Diagnostics[0].Detail, "no such file") {
			t.Errorf("document %+v", v)
		}
	})
}

// plan -json carries the compiled schedule: with -u 4 -r 2 -t 15 (bare
// seconds), one stage of 15 s whose users start every 500 ms.
func TestPlanJSON(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if code := ta.main([]string{"plan", "../../plans/local.hcl", "--json", "-u", "4", "-r", "2", "-t", "15"}); code != exitOK {
		t.Fatalf("exit %d\n%s", code, ta.err.String())
	}
	var p jsonPlan
	decodeJSON(t, ta.out.String(), &p)
	s := p.Schedule
	if !p.Valid || p.Plan == nil || p.Plan.Name != "local" || s == nil || s.DurationMS != 15000 || s.PeakUsers != 4 || s.Open {
		t.Fatalf("document %+v schedule %+v", p, s)
	}
	if len(s.Stages) != 1 || s.Stages[0] != (jsonStage{Name: "cli", ToMS: 15000, Users: 4, SpawnRate: 2}) {
		t.Errorf("stages %+v", s.Stages)
	}
	want := []jsonStep{{0, 1, "cli"}, {500, 2, "cli"}, {1000, 3, "cli"}, {1500, 4, "cli"}}
	if len(s.Steps) != len(want) {
		t.Fatalf("steps %+v; want %+v", s.Steps, want)
	}
	for i := range want {
		if s.Steps[i] != want[i] {
			t.Errorf("step %d: %+v; want %+v", i, s.Steps[i], want[i])
		}
	}
	if len(p.Personas) != 3 || len(p.Thresholds) == 0 || p.Conversation == nil || p.Expected == nil {
		t.Errorf("personas %+v thresholds %+v conversation %+v expected %+v", p.Personas, p.Thresholds, p.Conversation, p.Expected)
	}
	// An invalid plan: the diagnostics, no schedule, exit 1.
	ta = newTestApp(t)
	if code := ta.main([]string{"plan", "--json", "nosuch.hcl"}); code != exitError {
		t.Fatalf("exit %d", code)
	}
	p = jsonPlan{}
	decodeJSON(t, ta.out.String(), &p)
	if p.Valid || p.Schedule != nil || len(p.Diagnostics) != 1 {
		t.Errorf("document %+v", p)
	}
}

// -t takes bare seconds as Locust's does, and Go durations; anything else
// is refused with what it wants.
func TestRunTimeTakesSeconds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		arg  string
		want time.Duration
		err  string
	}{
		{"15", 15 * time.Second, ""},
		{"1.5", 1500 * time.Millisecond, ""},
		{"1m30s", 90 * time.Second, ""},
		{"2h", 2 * time.Hour, ""},
		{"-3", 0, "want a duration"},
		{"soon", 0, "want a duration such as 15 (seconds)"},
	} {
		var d time.Duration
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		secondsVar(fs, &d, "run-time", "t", 0, "")
		err := fs.Parse([]string{"-t", tt.arg})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("-t %s: error %v; want %q", tt.arg, err, tt.err)
			}
			continue
		}
		if err != nil || d != tt.want {
			t.Errorf("-t %s: %v, %v; want %v", tt.arg, d, err, tt.want)
		}
	}
}

// Every spelling the old command line took still parses: one dash or two
// for long flags, flags before and after the plan, -flag=value.
func TestOldFlagSpellings(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"apply", "p.hcl", "-var", "a=1", "-var-file", "v.hcl", "-out", "d", "-quiet", "-log-level", "debug", "-graceful-stop", "5s"},
		{"apply", "--var=a=1", "--var-file=v.hcl", "--out=d", "--quiet", "--log-level=debug", "--graceful-stop=5s", "p.hcl"},
		{"apply", "-o", "d", "-q", "-L", "debug", "--graceful-stop", "5", "-var=a=1", "--var-file", "v.hcl", "p.hcl"},
		{"apply", "p.hcl", "-u", "3", "-spawn-rate", "2", "-run-time", "1m", "-segment", "1/2", "-exit-code-on-threshold", "0"},
		{"plan", "p.hcl", "--users", "3", "--spawn-rate=2", "-t", "60", "-var", "a=1"},
		{"fmt", "-check", "plans"},
		{"compare", "a", "b", "-max-regression=25%", "-min-ms", "3", "-gate", "all"},
		{"sim", "-listen", "127.0.0.1:0", "-latency", "5ms", "-image-every", "2"},
		{"report", "d", "-max-conversations", "0"},
		{"merge", "-out", "m", "a", "b"},
	} {
		root := (&app{stdout: &strings.Builder{}, stderr: &strings.Builder{}}).rootCmd()
		cmd, rest, err := root.Find(normalizeArgs(root, args))
		if err == nil {
			err = cmd.ParseFlags(rest)
		}
		if err != nil {
			t.Errorf("%q: %v", args, err)
			continue
		}
		if cmd.Name() == "apply" {
			fs := cmd.Flags()
			for name, want := range map[string]string{"out": "d", "log-level": "debug", "var-file": ""} {
				if got := fs.Lookup(name).Value.String(); got != want && !(args[3] == "3" && name != "var-file") {
					t.Errorf("%q: --%s = %q; want %q", args, name, got, want)
				}
			}
		}
	}
}

// TestFlagsConsistent: across the commands, a flag name is lower-case
// kebab-case and is spelt one way — the same shorthand and type wherever
// it appears — and --help shows each flag once, with its
// shorthand on the same line.
func TestFlagsConsistent(t *testing.T) {
	t.Parallel()
	root := (&app{stdout: &strings.Builder{}, stderr: &strings.Builder{}}).rootCmd()
	kebab := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	seen := map[string]*pflag.Flag{}
	where := map[string]string{}
	for _, c := range root.Commands() {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" {
				return
			}
			if !kebab.MatchString(f.Name) {
				t.Errorf("%s --%s: not kebab-case", c.Name(), f.Name)
			}
			if o, ok := seen[f.Name]; ok && (o.Shorthand != f.Shorthand || o.Value.Type() != f.Value.Type()) {
				t.Errorf("--%s differs between %s and %s: -%s %s / -%s %s", f.Name, where[f.Name], c.Name(),
					o.Shorthand, o.Value.Type(), f.Shorthand, f.Value.Type())
			}
			seen[f.Name], where[f.Name] = f, c.Name()
		})
		ta := newTestApp(t)
		if code := ta.main([]string{c.Name(), "--help"}); code != exitOK {
			t.Errorf("%s --help: exit %d", c.Name(), code)
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			long := regexp.MustCompile(`(?m)^  (-[a-zA-Z], |    )--` + regexp.QuoteMeta(f.Name) + `[ =\n\[]`)
			if n := len(long.FindAllString(ta.out.String(), -1)); n != 1 {
				t.Errorf("%s --help shows --%s %d times:\n%s", c.Name(), f.Name, n, ta.out.String())
			}
			if f.Shorthand != "" && !strings.Contains(ta.out.String(), "-"+f.Shorthand+", --"+f.Name) {
				t.Errorf("%s --help lacks -%s, --%s on one line", c.Name(), f.Shorthand, f.Name)
			}
		})
	}
	apply, _, _ := root.Find([]string{"apply"})
	for _, short := range []string{"u", "r", "t"} { // Locust's
		if apply.Flags().ShorthandLookup(short) == nil {
			t.Errorf("apply has no -%s", short)
		}
	}
}

// A mistyped command or flag gets the nearest name, and exit 1.
func TestDidYouMean(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"aply", "plans/local.hcl"}, `unknown command "aply"; did you mean "apply"?`},
		{[]string{"vaildate"}, `did you mean "validate"?`},
		{[]string{"apply", "p.hcl", "--quite"}, "unknown flag: --quite; did you mean --quiet?"},
		{[]string{"compare", "a", "b", "--gates", "all"}, "did you mean --gate?"},
	} {
		ta := newTestApp(t)
		if code := ta.main(tt.args); code != exitError || !strings.Contains(ta.err.String(), tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want 1 and %q", tt.args, code, ta.err.String(), tt.want)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	t.Parallel()
	a, b := newTestApp(t), newTestApp(t)
	if a.main([]string{"--version"}) != exitOK || b.main([]string{"version"}) != exitOK ||
		a.out.String() != b.out.String() || !strings.HasPrefix(a.out.String(), "voyplan ") {
		t.Errorf("--version %q, version %q", a.out.String(), b.out.String())
	}
}

// TestCompletion: `voyplan completion SHELL` prints a script the shell
// parses (bash here; zsh and fish where installed), and the binary
// answers the script's requests (`voyplan __complete ...`): commands,
// flags, and .hcl files for a plan.
func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		ta := newTestApp(t)
		if code := ta.main([]string{"completion", shell}); code != exitOK || !strings.Contains(ta.out.String(), "voyplan") {
			t.Fatalf("completion %s: exit %d\n%s", shell, code, ta.err.String())
		}
		path, err := exec.LookPath(shell)
		if err != nil || shell == "powershell" {
			continue
		}
		script := filepath.Join(t.TempDir(), "voyplan."+shell)
		if err := os.WriteFile(script, ta.out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(path, "-n", script).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", shell, err, out)
		}
	}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "ap"}, []string{"apply\t", ":4"}},
		{[]string{"__complete", "apply", "--gra"}, []string{"--graceful-stop\t"}},
		{[]string{"__complete", "apply", ""}, []string{"hcl", ":8"}}, // ShellCompDirectiveFilterFileExt
		{[]string{"__complete", "compare", ""}, []string{":16"}},     // ShellCompDirectiveFilterDirs
		{[]string{"__complete", "completion", ""}, []string{"bash", "zsh", "fish"}},
	} {
		ta := newTestApp(t)
		if code := ta.main(tt.args); code != exitOK {
			t.Errorf("%q: exit %d", tt.args, code)
		}
		for _, w := range tt.want {
			if !strings.Contains(ta.out.String(), w) {
				t.Errorf("%q: no %q in\n%s", tt.args, w, ta.out.String())
			}
		}
	}
}
