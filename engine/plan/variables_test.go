package plan

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/plan/vars"
)

func TestVariablePrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      Options
		users     int
		spawnRate float64
		channel   string
		label     string
		abort     bool
	}{
		{
			name:  "defaults, required one by -var",
			opts:  Options{Vars: map[string]string{"channel_id": "cli-channel"}},
			users: 1, spawnRate: 1.5, channel: "cli-channel", label: "from-default",
		},
		{
			name: "VOYPLAN_VAR_ over defaults",
			opts: Options{Env: map[string]string{
				"VOYPLAN_VAR_channel_id": "env-channel", "VOYPLAN_VAR_users": "5",
				"VOYPLAN_VAR_label": "from-env", "VOYPLAN_VAR_abort": "true", "VOYPLAN_VAR_spawn_rate": "2.5",
			}},
			users: 5, spawnRate: 2.5, channel: "env-channel", label: "from-env", abort: true,
		},
		{
			name: "-var over VOYPLAN_VAR_",
			opts: Options{
				Vars: map[string]string{"users": "7", "label": "from-cli", "abort": "false"},
				Env:  map[string]string{"VOYPLAN_VAR_channel_id": "env-channel", "VOYPLAN_VAR_users": "5", "VOYPLAN_VAR_label": "from-env", "VOYPLAN_VAR_abort": "true"},
			},
			users: 7, spawnRate: 1.5, channel: "env-channel", label: "from-cli",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustLoad(t, "testdata/valid/variables.hcl", tt.opts)
			s := p.Stages[0]
			if s.Users != tt.users || s.SpawnRate != tt.spawnRate {
				t.Errorf("stage users %d, spawn rate %v; want %d, %v", s.Users, s.SpawnRate, tt.users, tt.spawnRate)
			}
			if p.Target.ChannelID != tt.channel {
				t.Errorf("channel_id = %q, want %q", p.Target.ChannelID, tt.channel)
			}
			if p.Thresholds[0].Abort != tt.abort {
				t.Errorf("abort = %v, want %v", p.Thresholds[0].Abort, tt.abort)
			}
			u, err := p.NewUser(0)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{tt.label}; !reflect.DeepEqual(u.Script, want) {
				t.Errorf("script = %q, want %q", u.Script, want)
			}
		})
	}
}

func TestVariableErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    Options
		summary string
		subject bool // whether the diagnostic points into the file
	}{
		{"required variable missing", Options{}, "No value for required variable", true},
		{"-var not a number", Options{Vars: map[string]string{"channel_id": "c", "users": "many"}}, "Invalid value for variable", true},
		{"env not a bool", Options{Vars: map[string]string{"channel_id": "c"}, Env: map[string]string{"VOYPLAN_VAR_abort": "maybe"}}, "Invalid value for variable", true},
		{"-var undeclared", Options{Vars: map[string]string{"channel_id": "c", "user": "3"}}, "Value for undeclared variable", false},
		// written out as a string it would be ten million digits
		{"-var number out of range", Options{Vars: map[string]string{"channel_id": "c", "spawn_rate": "1e-9999999"}}, "Invalid value for variable", true},
		{"env number out of range", Options{Vars: map[string]string{"channel_id": "c"}, Env: map[string]string{"VOYPLAN_VAR_users": "1e9999999"}}, "Invalid value for variable", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, diags := Load("testdata/valid/variables.hcl", tt.opts)
			if p != nil || len(diags) != 1 || diags[0].Summary != tt.summary || (diags[0].Subject != nil) != tt.subject {
				t.Fatalf("want one %q, got:\n%s", tt.summary, diagsText(diags))
			}
		})
	}
	// The undeclared -var gets a suggestion.
	_, diags := Load("testdata/valid/variables.hcl", Options{Vars: map[string]string{"channel_id": "c", "user": "3"}})
	if want := `Did you mean "users"?`; len(diags) != 1 || !strings.Contains(diags[0].Detail, want) {
		t.Errorf("want a suggestion %s, got:\n%s", want, diagsText(diags))
	}
}

func TestEnviron(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dotenv := `# the old tool's users keep their key here
GOOGLE_API_KEY=from-dotenv
export NGROK_AUTHTOKEN="tok en"  # trailing comment
SINGLE='lit\eral # not a comment'
DOUBLE="line1\nline2 \"q\" end"
BARE = spaced value # comment
EMPTY=
ALREADY_SET=from-dotenv
VOYPLAN_VAR_users=4

`
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(dotenv), 0o600); err != nil {
		t.Fatal(err)
	}
	env, err := vars.Environ(dir, []string{"ALREADY_SET=from-os", "PATH=/bin", "EQUALS=a=b"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"GOOGLE_API_KEY": "from-dotenv", "NGROK_AUTHTOKEN": "tok en", "SINGLE": `lit\eral # not a comment`,
		"DOUBLE": "line1\nline2 \"q\" end", "BARE": "spaced value", "EMPTY": "", "ALREADY_SET": "from-os",
		"PATH": "/bin", "EQUALS": "a=b", "VOYPLAN_VAR_users": "4",
	}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("Environ =\n%q\nwant\n%q", env, want)
	}

	// What env() and VOYPLAN_VAR_ see in a plan.
	src := `
variable "users" { default = 1 }
target "x" {
  url        = "https://example.com/"
  channel_id = env("GOOGLE_API_KEY")
}
persona "p" { script = [env("ALREADY_SET"), env("UNSET_VARIABLE")] }
stage "s" {
  users      = var.users
  spawn_rate = 1
  duration   = "1s"
}
`
	p, diags := LoadSource([]byte(src), filepath.Join(dir, "plan.hcl"), Options{Env: env})
	if diags.HasErrors() {
		t.Fatal(diagsText(diags))
	}
	u, err := p.NewUser(0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Target.ChannelID != "from-dotenv" || p.Stages[0].Users != 4 || !reflect.DeepEqual(u.Script, []string{"from-os", ""}) {
		t.Errorf("channel %q, users %d, script %q", p.Target.ChannelID, p.Stages[0].Users, u.Script)
	}
}
