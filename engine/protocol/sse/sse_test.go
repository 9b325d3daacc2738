package sse

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func readAll(r *Reader) ([]Event, error) {
	var out []Event
	for {
		ev, err := r.Next()
		if err != nil {
			return out, err
		}
		out = append(out, ev)
	}
}

func TestReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []Event
		err  string
	}{
		{"openai", "data: {\"a\":1}\n\ndata: [DONE]\n\n", []Event{{Data: `{"a":1}`}, {Data: "[DONE]"}}, "EOF"},
		{"crlf and comments", ": ping\r\n\r\nevent: delta\r\ndata: a\r\ndata: b\r\nid: 7\r\n\r\n", []Event{{Type: "delta", Data: "a\nb", ID: "7"}}, "EOF"},
		{"event without data", "event: done\n\n", []Event{{Type: "done"}}, "EOF"},
		{"no space", "data:x\n\n", []Event{{Data: "x"}}, "EOF"},
		{"cut inside an event", "data: a\n\ndata: b", []Event{{Data: "a"}}, "EOF"},
		{"malformed line", "data: a\n\n<html>\n", []Event{{Data: "a"}}, `malformed event-stream line 3: "<html>"`},
		{"too large", "data: " + strings.Repeat("x", 2000) + "\n\n", nil, ErrTooLarge.Error()},
		{"too large over lines", strings.Repeat("data: "+strings.Repeat("x", 100)+"\n", 30) + "\n", nil, ErrTooLarge.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := NewReader(strings.NewReader(tt.in), 1024)
			got, err := readAll(r)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("events %+v, want %+v", got, tt.want)
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want %q", err, tt.err)
			}
			if tt.err == "EOF" && r.Bytes() != int64(len(tt.in)) {
				t.Errorf("read %d bytes of %d", r.Bytes(), len(tt.in))
			}
		})
	}
}

// FuzzReader: any input ends in io.EOF, ErrTooLarge or a SyntaxError,
// never a panic or a loop, and no event is larger than the limit.
func FuzzReader(f *testing.F) {
	for _, s := range []string{"data: {\"choices\":[]}\n\ndata: [DONE]\n\n", ": c\r\nevent: x\r\n\r\n", "data", "\n\n\n", "retry: 5\nid\n\n", "<html><body>oops</body></html>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := NewReader(strings.NewReader(in), 256)
		for range len(in) + 1 {
			ev, err := r.Next()
			if err != nil {
				if _, ok := errors.AsType[*SyntaxError](err); !ok && err != io.EOF && err != ErrTooLarge {
					t.Fatalf("unexpected error %v", err)
				}
				if r.Bytes() > int64(len(in)) {
					t.Fatalf("read %d bytes of %d", r.Bytes(), len(in))
				}
				return
			}
			if len(ev.Data)+len(ev.Type)+len(ev.ID) > 256 {
				t.Fatalf("event of %d bytes past the limit", len(ev.Data))
			}
		}
		t.Fatal("more events than bytes")
	})
}
