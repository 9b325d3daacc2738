package results

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/voyplan/voyplan/engine/transcript"
)

// LateJSONL appends to late.jsonl the callbacks that arrived after their
// conversation's line was written (conversations.jsonl lines are never
// rewritten), one line each, durable as conversations.jsonl's lines are.
// The file is created on the first one: a run without such callbacks has
// none. Render attaches them to their turns.
type LateJSONL struct{ appender }

// NewLateJSONL returns a writer for path; nothing is created until a write.
func NewLateJSONL(path string) *LateJSONL { return &LateJSONL{appender{path: path}} }

// WriteLate appends c as one line. It is safe for concurrent use.
func (l *LateJSONL) WriteLate(c *transcript.LateCallback) error {
	return l.appendNamed(c, lineName{"a late callback of ", c.Conversation})
}

// ReadLate reads late.jsonl into the late callbacks of each conversation,
// in arrival order. A missing file is no late callbacks.
func ReadLate(path string) (map[string][]transcript.LateCallback, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the late callbacks: %w", err)
	}
	defer f.Close()
	out := map[string][]transcript.LateCallback{}
	err = scanJSONLines(path, "late callback", bufio.NewReader(f), func(c *transcript.LateCallback) error {
		out[c.Conversation] = append(out[c.Conversation], *c)
		return nil
	})
	return out, err
}

// AttachLate adds each late callback's items to its turn's Late; one for a
// turn the conversation does not have goes to its last turn.
func AttachLate(c *transcript.Conversation, late []transcript.LateCallback) {
	if len(c.Turns) == 0 {
		return
	}
	for _, cb := range late {
		i := cb.Turn - 1
		if i < 0 || i >= len(c.Turns) {
			i = len(c.Turns) - 1
		}
		c.Turns[i].Late = append(c.Turns[i].Late, cb.Messages...)
	}
}
