package results

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/voyplan/voyplan/engine/results/resultstest"
)

func TestJSONLConcurrentWritersRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ConversationsFile)
	j, err := CreateJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := j.Write(resultstest.Conversation(fmt.Sprintf("w%d-%d", w, i))); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()

	// Every line is on disk before Close: nothing is buffered.
	got, err := ReadJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each {
		t.Fatalf("read %d conversations; want %d", len(got), writers*each)
	}
	seen := map[string]bool{}
	for _, c := range got {
		seen[c.ID] = true
	}
	if len(seen) != writers*each {
		t.Errorf("%d distinct ids; want %d", len(seen), writers*each)
	}
	want := resultstest.Conversation(got[0].ID)
	if c := got[0]; c.Turns[0].Messages[0].Text != want.Turns[0].Messages[0].Text || *c.Turns[0].ReplyMS != 812.4 ||
		!c.EndedAt.Equal(want.EndedAt) || c.Data["customer"]["cpf"] != "529.982.247-25" {
		t.Errorf("round trip changed the conversation: %+v", c)
	}
}

func TestJSONLLinesAreReadable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ConversationsFile)
	j, err := CreateJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Write(resultstest.Conversation("a")); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	line := string(b)
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
		t.Errorf("want exactly one line: %q", line)
	}
	if !strings.Contains(line, "&c=<2>") {
		t.Errorf("links escaped: %s", line)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644&^umask() {
		t.Errorf("mode = %v", fi.Mode().Perm())
	}
}

func umask() os.FileMode {
	dir, _ := os.MkdirTemp("", "umask")
	defer os.RemoveAll(dir)
	f, _ := os.OpenFile(filepath.Join(dir, "f"), os.O_CREATE|os.O_WRONLY, 0o777)
	defer f.Close()
	fi, _ := f.Stat()
	return 0o777 &^ fi.Mode().Perm()
}

func TestJSONLAppends(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ConversationsFile)
	for _, id := range []string{"a", "b"} {
		j, err := CreateJSONL(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Write(resultstest.Conversation(id)); err != nil {
			t.Fatal(err)
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadJSONL(path)
	if err != nil || len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Fatalf("got %d conversations, %v", len(got), err)
	}
}

func TestJSONLWriteErrorIsReturned(t *testing.T) {
	t.Parallel()
	j, err := CreateJSONL(filepath.Join(t.TempDir(), ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Write(resultstest.Conversation("late")); err == nil {
		t.Fatal("Write after Close returned no error")
	}
}

func TestReadJSONL(t *testing.T) {
	t.Parallel()
	good, _ := encodeLine(resultstest.Conversation("a"))
	tests := []struct {
		name    string
		content string
		want    int
		wantErr string
	}{
		{name: "empty", content: "", want: 0},
		{name: "whole lines", content: string(good) + string(good), want: 2},
		{name: "truncated last line", content: string(good) + string(good) + string(good[:len(good)/2]), want: 2},
		{name: "last line without newline", content: string(good) + strings.TrimSuffix(string(good), "\n"), want: 2},
		{name: "blank lines", content: "\n" + string(good) + "\n", want: 1},
		{name: "bad line in the middle", content: string(good) + "{oops\n" + string(good), wantErr: ":2: invalid conversation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), ConversationsFile)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadJSONL(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != tt.want {
				t.Fatalf("got %d, %v; want %d", len(got), err, tt.want)
			}
		})
	}
}

func TestReadJSONLMissingFile(t *testing.T) {
	t.Parallel()
	if _, err := ReadJSONL(filepath.Join(t.TempDir(), "nope.jsonl")); err == nil {
		t.Fatal("no error for a missing file")
	}
}
