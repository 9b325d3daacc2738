package vars

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DotEnvFile is the file Environ loads from the working directory.
const DotEnvFile = ".env"

// Environ returns the environment env() and VOYPLAN_VAR_<name> see: osEnv
// (KEY=VALUE strings, as os.Environ returns them) plus the variables of a
// .env file in workdir, if there is one. A variable already set in osEnv
// wins over the file.
//
// The file holds KEY=VALUE lines; blank lines and lines starting with # are
// ignored, an `export ` prefix is allowed, and values may be single-quoted
// (taken literally), double-quoted (with \n, \t, \" and \\ escapes) or bare
// (trimmed, and cut at " #", an inline comment).
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
	dot, err := parseDotEnv(f, path)
	if err != nil {
		return nil, err
	}
	for k, v := range dot {
		if _, set := env[k]; !set {
			env[k] = v
		}
	}
	return env, nil
}

// parseDotEnv reads a .env file; name labels its errors.
func parseDotEnv(f *os.File, name string) (map[string]string, error) {
	vars := make(map[string]string)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, err := parseDotEnvLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		vars[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, err)
	}
	return vars, nil
}

func parseDotEnvLine(line string) (string, string, error) {
	line = strings.TrimSpace(strings.TrimPrefix(line, "export "))
	k, v, ok := strings.Cut(line, "=")
	k = strings.TrimSpace(k)
	if !ok || !validEnvName(k) {
		return "", "", fmt.Errorf("expected KEY=VALUE, got %q", line)
	}
	v, err := dotEnvValue(strings.TrimSpace(v))
	return k, v, err
}

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

// dotEnvValue unquotes a value.
func dotEnvValue(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	switch q := v[0]; q {
	case '\'', '"':
		end := closingQuote(v, q)
		if end < 0 {
			return "", fmt.Errorf("unterminated %c-quoted value", q)
		}
		if rest := strings.TrimSpace(v[end+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
			return "", fmt.Errorf("unexpected %q after the quoted value", rest)
		}
		if q == '\'' {
			return v[1:end], nil
		}
		return unescapeDouble(v[1:end]), nil
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v), nil
}

// closingQuote finds the quote that closes v[0], skipping escaped quotes
// inside double quotes.
func closingQuote(v string, q byte) int {
	for i := 1; i < len(v); i++ {
		switch {
		case q == '"' && v[i] == '\\':
			i++
		case v[i] == q:
			return i
		}
	}
	return -1
}

func unescapeDouble(s string) string {
	return strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\r`, "\r", `\"`, `"`, `\\`, `\`, `\$`, `$`).Replace(s)
}
