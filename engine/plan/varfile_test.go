package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func writeVarFile(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.vars.hcl")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestVarFilePrecedence sets a string and a number variable from every
// subset of the four sources: the highest one present wins, in the order
// default < VOYPLAN_VAR_ < -var-file < -var.
func TestVarFilePrecedence(t *testing.T) {
	t.Parallel()
	file := writeVarFile(t, "label = \"from-file\"\nusers = 3\n")
	type source struct {
		name  string
		label string
		users int
	}
	// Lowest first.
	sources := []source{{"default", "from-default", 1}, {"env", "from-env", 2}, {"file", "from-file", 3}, {"-var", "from-cli", 4}}
	for set := range 1 << len(sources) {
		var names []string
		var want *source
		for i, s := range sources {
			if set&(1<<i) != 0 {
				names = append(names, s.name)
				want = &sources[i]
			}
		}
		t.Run(strings.Join(append(names, "set"), "+"), func(t *testing.T) {
			t.Parallel()
			defaults := ""
			opts := Options{Vars: map[string]string{}, Env: map[string]string{}}
			if set&1 != 0 {
				defaults = "default = "
			}
			if set&2 != 0 {
				opts.Env = map[string]string{"VOYPLAN_VAR_label": "from-env", "VOYPLAN_VAR_users": "2"}
			}
			if set&4 != 0 {
				opts.VarFiles = []string{file}
			}
			if set&8 != 0 {
				opts.Vars = map[string]string{"label": "from-cli", "users": "4"}
			}
			label, users := `"from-default"`, "1"
			if defaults == "" {
				label, users = "null", "null" // a null default: none, the value is required
			}
			src := fmt.Sprintf(`
variable "label" {
  type    = string
  default = %s
}
variable "users" {
  type    = number
  default = %s
}
target "t" { url = "http://localhost:8080/" }
persona "p" { script = [var.label] }
stage "s" {
  users      = var.users
  spawn_rate = 1
  duration   = "1s"
}
`, label, users)
			p, diags := LoadSource([]byte(src), filepath.Join(t.TempDir(), "p.hcl"), opts)
			if want == nil {
				if p != nil || len(diags) != 2 || diags[0].Summary != "No value for required variable" || diags[1].Summary != diags[0].Summary {
					t.Fatalf("no source: want two required-variable errors, got:\n%s", diagsText(diags))
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diagsText(diags))
			}
			u, err := p.NewUser(0)
			if err != nil {
				t.Fatal(err)
			}
			if got := u.Script; !reflect.DeepEqual(got, []string{want.label}) || p.Stages[0].Users != want.users {
				t.Errorf("label %q, users %d; want %q, %d (from %s)", got, p.Stages[0].Users, want.label, want.users, want.name)
			}
		})
	}
}

// TestVarFileLaterWins gives two files: each value comes from the last one
// that sets it, and -var still wins over both.
func TestVarFileLaterWins(t *testing.T) {
	t.Parallel()
	const first, second = "testdata/varfiles/first.vars.hcl", "testdata/varfiles/second.vars.hcl"
	tests := []struct {
		name  string
		opts  Options
		label string
		users int
		abort bool
	}{
		{"first then second", Options{VarFiles: []string{first, second}}, "from-second", 3, true},
		{"second then first", Options{VarFiles: []string{second, first}}, "from-first", 3, true},
		{"first alone", Options{VarFiles: []string{first}}, "from-first", 3, false},
		{"-var over both", Options{VarFiles: []string{first, second}, Vars: map[string]string{"label": "from-cli"}}, "from-cli", 3, true},
		{"files over VOYPLAN_VAR_", Options{VarFiles: []string{first, second},
			Env: map[string]string{"VOYPLAN_VAR_label": "from-env", "VOYPLAN_VAR_spawn_rate": "4"}}, "from-second", 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustLoad(t, "testdata/valid/variables.hcl", tt.opts)
			u, err := p.NewUser(0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(u.Script, []string{tt.label}) || p.Stages[0].Users != tt.users || p.Thresholds[0].Abort != tt.abort {
				t.Errorf("label %q, users %d, abort %v; want %q, %d, %v", u.Script, p.Stages[0].Users, p.Thresholds[0].Abort, tt.label, tt.users, tt.abort)
			}
			if p.Target.ChannelID != "file-channel" { // the required variable, set by first.vars.hcl only
				t.Errorf("channel_id %q, want file-channel", p.Target.ChannelID)
			}
		})
	}
	// The environment still fills what no file sets.
	p := mustLoad(t, "testdata/valid/variables.hcl", tests[4].opts)
	if p.Stages[0].SpawnRate != 4 {
		t.Errorf("spawn_rate %v, want 4 from VOYPLAN_VAR_spawn_rate", p.Stages[0].SpawnRate)
	}
}

// TestVarFileTypes: lists and maps for untyped variables, and conversion to
// the declared type, or to an untyped variable's primitive default's.
func TestVarFileTypes(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/varfiles/types.hcl", Options{VarFiles: []string{"testdata/varfiles/types.vars.hcl"}})
	u, err := p.NewUser(0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Olá", "Quero comprar ingressos", "42"}; !reflect.DeepEqual(u.Script, want) {
		t.Errorf("script %q, want %q (a list, then a number as the declared string)", u.Script, want)
	}
	if p.Target.ChannelID != "map-channel" {
		t.Errorf("channel_id %q, want map-channel from the map", p.Target.ChannelID)
	}
	if s := p.Stages[0]; s.Users != 4 || s.SpawnRate != 2.5 {
		t.Errorf("users %d, spawn rate %v; want 4 and 2.5, converted from strings", s.Users, s.SpawnRate)
	}
}

// TestVarFileDiagnostics loads variables.hcl with the fixtures of
// testdata/varfiles whose lines carry `# ERROR: <summary>` markers: every
// mistake is reported, at its line of the variable file, and nothing else.
func TestVarFileDiagnostics(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"testdata/varfiles/invalid.vars.hcl", "testdata/varfiles/literal.vars.hcl"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			p, diags := Load("testdata/valid/variables.hcl", Options{VarFiles: []string{file}, Vars: map[string]string{"channel_id": "c"}})
			if p != nil {
				t.Error("Load returned a plan along with errors")
			}
			for _, d := range diags {
				if d.Subject != nil && d.Subject.Filename != file {
					t.Errorf("a diagnostic outside the variable file: %s", d.Error())
				}
			}
			if got, want := gotErrors(t, diags), expectedErrors(src); !reflect.DeepEqual(got, want) {
				t.Errorf("errors by line:\n got: %q\nwant: %q\ndiagnostics:\n%s", got, want, diagsText(diags))
			}
		})
	}
	_, diags := Load("testdata/valid/variables.hcl", Options{VarFiles: []string{"testdata/varfiles/invalid.vars.hcl"}})
	var undeclared []string
	for _, d := range diags {
		if d.Summary == "Undeclared variable" {
			undeclared = append(undeclared, d.Detail)
		}
	}
	if len(undeclared) != 2 || !strings.Contains(undeclared[0], `Did you mean "users"?`) || strings.Contains(undeclared[1], "Did you mean") {
		t.Errorf(`want "user" to suggest "users" and "mode" nothing; got %q`, undeclared)
	}
	for _, d := range diags {
		if strings.Contains(d.Detail, "many") {
			t.Errorf("a detail quotes the file's value: %s", d.Detail)
		}
	}
}

// TestVarFileUnusable: a file that cannot be read or parsed is one clear
// error naming it, and the required variable it may have set is not
// reported on top of it.
func TestVarFileUnusable(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "staging.vars.hcl")
	tests := []struct {
		name, file, summary, detail string
		line                        int // of the subject in the file; 0: none
	}{
		{"missing", missing, "Cannot read variable file", missing + " given by -var-file does not exist", 0},
		{"a directory", t.TempDir(), "Cannot read variable file", "is a directory", 0},
		{"a syntax error", "testdata/varfiles/syntax.vars.hcl", "Invalid expression", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, diags := Load("testdata/valid/variables.hcl", Options{VarFiles: []string{tt.file}})
			if p != nil || len(diags) != 1 || diags[0].Summary != tt.summary || !strings.Contains(diags[0].Detail, tt.detail) {
				t.Fatalf("want one %q mentioning %q, got:\n%s", tt.summary, tt.detail, diagsText(diags))
			}
			s := diags[0].Subject
			if tt.line == 0 && s != nil || tt.line != 0 && (s == nil || s.Filename != tt.file || s.Start.Line != tt.line) {
				t.Errorf("subject %v, want line %d of %s", s, tt.line, tt.file)
			}
		})
	}
}

// TestVarFileReportedWithPlanErrors: a variable file's mistakes come with
// the plan's own, in one load.
func TestVarFileReportedWithPlanErrors(t *testing.T) {
	t.Parallel()
	const planFile = "testdata/invalid/wrong_type.hcl"
	src, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	file := writeVarFile(t, "colour = \"blue\"\n")
	_, diags := Load(planFile, Options{VarFiles: []string{file}})
	var inPlan, inFile []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError || d.Subject == nil {
			t.Fatalf("unexpected diagnostic %s", d.Error())
		}
		line := fmt.Sprintf("%d: %s", d.Subject.Start.Line, d.Summary)
		if d.Subject.Filename == file {
			inFile = append(inFile, line)
		} else {
			inPlan = append(inPlan, line)
		}
	}
	if want := []string{"1: Undeclared variable"}; !reflect.DeepEqual(inFile, want) {
		t.Errorf("variable file errors %q, want %q", inFile, want)
	}
	if want := expectedErrors(src); len(inPlan) != len(want) {
		t.Errorf("plan errors %q, want %q", inPlan, want)
	}
}

// TestRepositoryVarFiles loads the variable file of plans/ with the plans
// it is written for (TestRepositoryPlans skips it: it is not a plan).
func TestRepositoryVarFiles(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"smoke", "load", "simple"} {
		p := mustLoad(t, "../../plans/"+name+".hcl", Options{VarFiles: []string{"../../plans/staging.vars.hcl"}})
		if p.Webhook.PublicURL != "https://hooks.staging.example.com" || p.Target.ChannelID == "" {
			t.Errorf("%s: public_url %q, channel_id %q", name, p.Webhook.PublicURL, p.Target.ChannelID)
		}
	}
}
