package plan

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRepositoryPlans loads the plans shipped in plans/: they must validate
// with an empty environment (no API key set).
func TestRepositoryPlans(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../plans/*.hcl")
	if len(files) == 0 {
		t.Skip("no plans/ directory")
	}
	for _, file := range files {
		if strings.HasSuffix(file, ".vars.hcl") {
			continue // a variable file, not a plan: TestRepositoryVarFiles
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			p := mustLoad(t, file, Options{})
			for n := range 50 {
				if _, err := p.NewUser(n); err != nil {
					t.Fatalf("NewUser(%d): %v", n, err)
				}
			}
		})
	}
}
