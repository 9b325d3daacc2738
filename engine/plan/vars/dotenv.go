package vars

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/joho/godotenv"
)

// DotEnvFile is the file Environ loads from the working directory.
const DotEnvFile = ".env"

// Environ returns the environment env() and VOYPLAN_VAR_<name> see: osEnv
// (KEY=VALUE strings, as os.Environ returns them) plus the variables of a
// .env file in workdir, if there is one. A variable already set in osEnv
// wins over the file.
//
// The file is read by github.com/joho/godotenv (the dotenv format of the
// Ruby gem: KEY=VALUE lines, # comments, an `export ` prefix, single-quoted
// values taken literally, double-quoted ones with escapes); it does not
// touch the process environment.
func Environ(workdir string, osEnv []string) (map[string]string, error) {
	env := make(map[string]string, len(osEnv))
	for _, kv := range osEnv {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	path := filepath.Join(workdir, DotEnvFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return env, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", path, err)
	}
	defer f.Close()
	dot, err := godotenv.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	for k, v := range dot {
		if !validEnvName(k) {
			return nil, fmt.Errorf("%s: %q is not a variable name (letters, digits, _ and ., not starting with a digit)", path, k)
		}
		if _, set := env[k]; !set {
			env[k] = v
		}
	}
	return env, nil
}

// validEnvName: godotenv takes any key; a name a shell could not set (one
// that starts with a digit, say) is a mistake in the file, reported.
func validEnvName(k string) bool {
	if k == "" || (k[0] >= '0' && k[0] <= '9') {
		return false
	}
	for _, c := range k {
		if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
