package plan

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckKeysNamesWhatToSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		apiKey string // the api_key line, "" for none
		weight string
		env    map[string]string
		want   string // "" for no error
	}{
		{"env unset", `api_key = env("GOOGLE_API_KEY")`, "1", nil,
			`llm "gemini": api_key is empty — set GOOGLE_API_KEY (the plan reads it with env("GOOGLE_API_KEY")), in the environment or in .env`},
		{"env set", `api_key = env("GOOGLE_API_KEY")`, "1", map[string]string{"GOOGLE_API_KEY": "k"}, ""},
		{"env inside an expression", `api_key = trimspace(env("GEMINI_KEY"))`, "1", nil, "set GEMINI_KEY (the plan reads it with env(\"GEMINI_KEY\"))"},
		{"a variable", `api_key = var.key`, "1", nil, "set the variable key (-var key=... or VOYPLAN_VAR_key)"},
		{"no api_key", ``, "1", nil, `api_key is empty — set it in the llm block at`},
		{"unused block", `api_key = env("GOOGLE_API_KEY")`, "0", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := fmt.Sprintf(`
variable "key" { default = "" }
target "t" { url = "http://127.0.0.1:9/" }
llm "gemini" {
  model = "gemini-2.5-flash"
  %s
}
persona "g" {
  weight = %s
  llm    = "gemini"
  prompt = "Você é um cliente."
}
persona "s" { script = ["Olá"] }
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`, tt.apiKey, tt.weight)
			p, diags := LoadSource([]byte(src), filepath.Join(t.TempDir(), "k.hcl"), Options{Env: tt.env})
			if diags.HasErrors() {
				t.Fatalf("a plan without its key must load (validate passes): %s", diags.Error())
			}
			err := p.CheckKeys()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckKeys = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckKeys = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
