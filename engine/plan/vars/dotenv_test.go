package vars

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestEnvironWithoutDotEnv(t *testing.T) {
	t.Parallel()
	env, err := Environ(t.TempDir(), []string{"A=1"})
	if err != nil || !reflect.DeepEqual(env, map[string]string{"A": "1"}) {
		t.Errorf("Environ = %v, %v", env, err)
	}
}

func TestEnvironErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"no equals":         "GOOD=1\nJUSTAKEY\n",
		"bad name":          "1ABC=x\n",
		"unterminated":      "A=\"open\n",
		"junk after quotes": "A='x' y\n",
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Environ(dir, nil); err == nil {
				t.Errorf("Environ accepted %q", content)
			}
		})
	}
}
