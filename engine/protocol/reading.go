package protocol

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/expr-lang/expr"

	"github.com/voyplan/voyplan/engine/plan/target"
	"github.com/voyplan/voyplan/engine/protocol/widget"
	"github.com/voyplan/voyplan/engine/transcript"
)

// decodeJSON decodes a body for expressions; an empty body is nil.
func decodeJSON(raw []byte) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("the reply is not JSON: %w", err)
	}
	return v, nil
}

// readItems reads a reply's items from raw with r: text items, then media
// items. The zero Reading reads raw as a Voyager callback payload. env
// builds the expressions' environment from the decoded body.
func readItems(r target.Reading, raw []byte, env func(body any) any) ([]transcript.Message, error) {
	if r.IsZero() {
		return widget.ParsePayload(raw)
	}
	body, err := decodeJSON(raw)
	if err != nil {
		return nil, err
	}
	e := env(body)
	texts, err := runStrings(r.Text, e, "text")
	if err != nil {
		return nil, err
	}
	links, err := runStrings(r.Media, e, "media")
	if err != nil {
		return nil, err
	}
	return replyItems(texts, links), nil
}

// replyItems are a reply's text items, then its media items.
func replyItems(texts, links []string) []transcript.Message {
	out := make([]transcript.Message, 0, len(texts)+len(links))
	for _, t := range texts {
		out = append(out, transcript.Message{Role: transcript.RoleAssistant, Type: transcript.TypeText, Text: t})
	}
	for _, l := range links {
		out = append(out, transcript.Message{Role: transcript.RoleAssistant, Type: transcript.TypeMedia, Link: l})
	}
	return out
}

// runStrings runs x (nil: nothing) and returns its non-empty strings.
func runStrings(x *target.Extract, env any, what string) ([]string, error) {
	if x == nil {
		return nil, nil
	}
	v, err := expr.Run(x.Program, env)
	if err != nil {
		return nil, fmt.Errorf("cannot read the reply's %s with %q: %w", what, x.Source, err)
	}
	out, err := stringsOf(v)
	if err != nil {
		return nil, fmt.Errorf("cannot read the reply's %s with %q: %w", what, x.Source, err)
	}
	return out, nil
}

// stringsOf accepts a string, a list of strings (nulls and empty strings
// skipped) or nil.
func stringsOf(v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if v == "" {
			return nil, nil
		}
		return []string{v}, nil
	case []string:
		return stringsOf(toAny(v))
	case []any:
		out := make([]string, 0, len(v))
		for i, e := range v {
			switch e := e.(type) {
			case nil:
			case string:
				if e != "" {
					out = append(out, e)
				}
			default:
				return nil, fmt.Errorf("item %d is %s, want a string", i, jsonKind(e))
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("it yields %s, want a string or a list of strings", jsonKind(v))
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// idString reads an id: a string, or a whole number (ids are often numeric
// in JSON).
func idString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, v != ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	}
	return "", false
}

// jsonKind names a decoded JSON value's kind for an error.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a bool"
	case float64, int:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

// responseEnv builds a ResponseEnv over a decoded body.
func responseEnv(r response) func(body any) any {
	return func(body any) any {
		return target.ResponseEnv{Body: body, Status: r.status, Headers: lowerHeaders(r.header)}
	}
}

func callbackEnv(body any) any { return target.CallbackEnv{Body: body} }

// readUsage runs x (nil: nothing) over env and returns the output tokens
// it yields: a whole number of at least 0, or nil for an event or frame
// that reports none.
func readUsage(x *target.Extract, env any) (*transcript.Usage, error) {
	if x == nil {
		return nil, nil
	}
	v, err := expr.Run(x.Program, env)
	if err != nil {
		return nil, fmt.Errorf("cannot read the reply's usage with %q: %w", x.Source, err)
	}
	var n float64
	switch v := v.(type) {
	case nil:
		return nil, nil
	case float64:
		n = v
	case int:
		n = float64(v)
	case int64:
		n = float64(v)
	default:
		return nil, fmt.Errorf("cannot read the reply's usage with %q: it yields %s, want a number of output tokens", x.Source, jsonKind(v))
	}
	if n < 0 || n != float64(int64(n)) {
		return nil, fmt.Errorf("cannot read the reply's usage with %q: %v is not a number of tokens", x.Source, n)
	}
	return &transcript.Usage{OutputTokens: int64(n)}, nil
}
