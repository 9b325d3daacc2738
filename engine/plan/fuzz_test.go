package plan

import (
	"os"
	"path/filepath"
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
