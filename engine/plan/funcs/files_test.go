package funcs

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readWithin reads path through a Files cache of dir, failing the test
// when the read does not return within a generous bound (the old code hung
// on /dev/zero and on a FIFO while memory grew).
func readWithin(t *testing.T, dir, path string) (string, error) {
	t.Helper()
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := NewFiles(dir, nil).read(path)
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		return r.s, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("reading %s did not return", path)
		return "", nil
	}
}

func TestFileRefusesWhatIsNotASmallRegularFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	exact := filepath.Join(dir, "exact.txt")
	if err := os.WriteFile(exact, []byte(strings.Repeat("a", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       []string // in the error; none: read fine
	}{
		{"a character device", "/dev/zero", []string{`"/dev/zero"`, "not a regular file", "character device", "16 MiB"}},
		{"a named pipe", "fifo", []string{`"fifo"`, "named pipe"}},
		{"a directory", ".", []string{`"."`, "directory"}},
		{"over the limit", "big.txt", []string{`"big.txt"`, "larger than 16 MiB"}},
		{"a regular file", "exact.txt", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := readWithin(t, dir, tt.path)
			if tt.want == nil {
				if err != nil || len(s) != 1000 {
					t.Fatalf("read %d bytes, err %v: want the file", len(s), err)
				}
				return
			}
			if err == nil {
				t.Fatalf("read %d bytes: want an error", len(s))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q: want %q in it", err, w)
				}
			}
		})
	}
}
