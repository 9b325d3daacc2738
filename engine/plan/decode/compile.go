package decode

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	"github.com/hashicorp/hcl/v2"
)

// ExprKind describes one kind of expr-lang program in diagnostics.
type ExprKind struct {
	Summary string // "Invalid threshold check"
	What    string // "The check"
	Help    string // what the program sees, with an example
}

// Compile compiles source, which attr (nil for a default) evaluated to, as
// an expr-lang program over env with opts. A compile error is reported at
// its position inside the string when the string is written as a plain
// literal in src, the file's bytes; otherwise on rng.
func Compile(src []byte, attr *hcl.Attribute, rng hcl.Range, source string, env any, kind ExprKind, opts ...expr.Option) (*vm.Program, *hcl.Diagnostic) {
	prog, err := expr.Compile(source, append([]expr.Option{expr.Env(env)}, opts...)...)
	if err == nil {
		return prog, nil
	}
	msg := err.Error()
	subject := rng
	var fe *file.Error
	if errors.As(err, &fe) {
		msg = fe.Message
		subject = InString(src, attr, rng, source, fe.From, fe.To)
	}
	return nil, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  kind.Summary,
		Detail:   fmt.Sprintf("%s does not compile: %s.%s %s", kind.What, msg, exprSuggestion(msg, env), kind.Help),
		Subject:  subject.Ptr(),
		Context:  rng.Ptr(),
	}
}

// InString is where the runes [from, to) of source, which attr (nil for a
// default) evaluated to, are in the file: inside the string when it is
// written as a plain literal in src, the file's bytes; otherwise rng.
func InString(src []byte, attr *hcl.Attribute, rng hcl.Range, source string, from, to int) hcl.Range {
	if attr == nil {
		return rng
	}
	return rangeInLiteral(src, attr, source, from, to)
}

// rangeInLiteral maps the runes [from, to) of the string value to its
// place in the file, when the attribute is a quoted string or heredoc
// without escapes or interpolation (its bytes in the file are exactly its
// value); otherwise it returns the attribute's range.
func rangeInLiteral(src []byte, attr *hcl.Attribute, value string, from, to int) hcl.Range {
	rng := attr.Expr.Range()
	start, ok := literalStart(src, rng, value)
	if !ok {
		return rng
	}
	off := runeOffset(value, from)
	end := runeOffset(value, max(to, from+1))
	s := advance(start, value[:off])
	return hcl.Range{Filename: rng.Filename, Start: s, End: advance(s, value[off:end])}
}

// literalStart returns the position where value begins in src, if the
// expression at rng is value written literally.
func literalStart(src []byte, rng hcl.Range, value string) (hcl.Pos, bool) {
	b := rng.Start.Byte
	if b < 0 || b >= len(src) {
		return hcl.Pos{}, false
	}
	start := hcl.Pos{Line: rng.Start.Line, Column: rng.Start.Column + 1, Byte: b + 1}
	switch {
	case src[b] == '"':
	case len(src) > b+2 && src[b] == '<' && src[b+1] == '<' && src[b+2] != '-':
		nl := strings.IndexByte(string(src[b:]), '\n')
		if nl < 0 {
			return hcl.Pos{}, false
		}
		start = hcl.Pos{Line: rng.Start.Line + 1, Column: 1, Byte: b + nl + 1}
	default:
		return hcl.Pos{}, false
	}
	if start.Byte+len(value) > len(src) || string(src[start.Byte:start.Byte+len(value)]) != value {
		return hcl.Pos{}, false
	}
	return start, true
}

// runeOffset is the byte offset of rune n in s (len(s) past the end).
func runeOffset(s string, n int) int {
	i := 0
	for off := range s {
		if i == n {
			return off
		}
		i++
	}
	return len(s)
}

// advance moves p over s.
func advance(p hcl.Pos, s string) hcl.Pos {
	for _, r := range s {
		if r == '\n' {
			p.Line, p.Column = p.Line+1, 1
		} else {
			p.Column++
		}
		p.Byte += utf8.RuneLen(r)
	}
	return p
}

var (
	percentileRe  = regexp.MustCompile(`^p[0-9]+$`)
	unknownNameRe = regexp.MustCompile(`^unknown name (\S+)`)
	noFieldRe     = regexp.MustCompile(`^type (\S+) has no field (\S+)`)
)

// exprSuggestion turns expr-lang's "unknown name" and "has no field" into a
// "Did you mean", or a list of what there is.
func exprSuggestion(msg string, env any) string {
	top, fields := exprNames(reflect.TypeOf(env), env)
	if m := unknownNameRe.FindStringSubmatch(msg); m != nil {
		return DidYouMean(m[1], top)
	}
	if m := noFieldRe.FindStringSubmatch(msg); m != nil {
		names := fields[m[1]]
		if ps := percentiles(names); percentileRe.MatchString(m[2]) && len(ps) > 0 {
			return fmt.Sprintf(" The percentiles recorded are %s.", strings.Join(ps, ", "))
		}
		if s := DidYouMean(m[2], names); s != "" {
			return s
		}
		return fmt.Sprintf(" It has %s.", strings.Join(names, ", "))
	}
	return ""
}

// percentiles are the names among names that look like one (p95).
func percentiles(names []string) []string {
	var ps []string
	for _, n := range names {
		if percentileRe.MatchString(n) {
			ps = append(ps, n)
		}
	}
	return ps
}

// exprNames lists the names an expr-lang environment offers at the top and,
// for every struct type reachable from it, its fields (by expr tag).
func exprNames(t reflect.Type, env any) ([]string, map[string][]string) {
	fields := make(map[string][]string)
	if m, ok := env.(map[string]any); ok {
		for _, v := range m {
			if v != nil {
				structFields(reflect.TypeOf(v), fields)
			}
		}
		return SortedKeys(m), fields
	}
	structFields(t, fields)
	return fields[t.String()], fields
}

// structFields records the expr names of t's fields, and of the structs
// reachable from them, by type name.
func structFields(t reflect.Type, seen map[string][]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t.String()] != nil {
		return
	}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("expr"), ",")
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	seen[t.String()] = names
	for i := range t.NumField() {
		structFields(t.Field(i).Type, seen)
	}
}
