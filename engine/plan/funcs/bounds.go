package funcs

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// MaxProduct is the most elements setproduct may return: three lists
// of range(1000) would otherwise ask for a billion, and take the
// machine's memory with them, and a million took six seconds (both found
// by fuzzing). go-cty's range already stops at 1024 values.
const MaxProduct = 65_536

// bounded wraps the functions whose result can be far larger than their
// arguments, refusing a call whose result would pass a limit before it
// is built.
func bounded(fns map[string]function.Function) {
	fns["indent"] = guard(fns["indent"], checkIndent)
	fns["setproduct"] = guard(fns["setproduct"], checkProduct)
	fns["split"] = guard(fns["split"], checkSplit)
	fns["replace"] = guard(fns["replace"], checkReplace)
	fns["regex_replace"] = guard(fns["regex_replace"], checkRegexReplace)
	fns["join"] = guard(fns["join"], checkJoin)
	fns["format"] = guard(fns["format"], checkFormat)
	fns["formatlist"] = guard(fns["formatlist"], checkFormat)
}

// known reports whether every argument is known and not null: a check
// only judges calls it can size, and go-cty answers the others.
func known(args []cty.Value) bool {
	for _, a := range args {
		if !a.IsWhollyKnown() || a.IsNull() || a.IsMarked() {
			return false
		}
	}
	return true
}

func resultTooLarge(n int64) error {
	if n == math.MaxInt64 {
		return fmt.Errorf("the result would be larger than %d MiB", MaxFileSize>>20)
	}
	return fmt.Errorf("the result would be about %d MiB, larger than %d MiB", n>>20, MaxFileSize>>20)
}

// MaxSplit is the most parts split returns: a quarter of an evaluation's
// decode.Limit, since what takes a list apart goes through it again.
const MaxSplit = decode.Limit / 4

// checkSplit refuses split(sep, s) of more than MaxSplit parts:
// split("", s) makes a string of a character for each of s's.
func checkSplit(args []cty.Value) error {
	if len(args) != 2 || !known(args) || args[0].Type() != cty.String || args[1].Type() != cty.String {
		return nil
	}
	if n := strings.Count(args[1].AsString(), args[0].AsString()) + 1; n > MaxSplit {
		return fmt.Errorf("the result would have %d parts; split returns at most %d", n, MaxSplit)
	}
	return nil
}

// checkReplace refuses replace(s, old, new) whose result would pass
// MaxFileSize: replace(s, "", new) puts new between every two characters.
func checkReplace(args []cty.Value) error {
	if len(args) != 3 || !known(args) || !allStrings(args) {
		return nil
	}
	s, old, repl := args[0].AsString(), args[1].AsString(), args[2].AsString()
	if len(repl) <= len(old) {
		return nil
	}
	n := int64(len(s)) + int64(strings.Count(s, old))*int64(len(repl)-len(old))
	if n > MaxFileSize {
		return resultTooLarge(n)
	}
	return nil
}

// checkRegexReplace refuses regex_replace(s, pattern, new) whose result
// would pass MaxFileSize, counting the matches (an empty pattern matches
// at every character) until their replacements alone would.
func checkRegexReplace(args []cty.Value) error {
	if len(args) != 3 || !known(args) || !allStrings(args) {
		return nil
	}
	s, repl := args[0].AsString(), args[2].AsString()
	if len(repl) == 0 || int64(len(s))+int64(len(s)+1)*int64(len(repl)) <= MaxFileSize {
		return nil
	}
	re, err := regexp.Compile(args[1].AsString())
	if err != nil {
		return nil // regex_replace says what is wrong with it
	}
	most := (MaxFileSize - int64(len(s))) / int64(len(repl))
	var matches int64
	for at := 0; at <= len(s); {
		loc := re.FindStringIndex(s[at:])
		if loc == nil {
			break
		}
		if matches++; matches > most {
			return resultTooLarge(int64(len(s)) + matches*int64(len(repl)))
		}
		at += max(loc[1], loc[0]+1)
	}
	return nil
}

// checkJoin refuses join(sep, lists...) whose result would pass
// MaxFileSize: the separator is repeated between every two elements.
func checkJoin(args []cty.Value) error {
	if len(args) < 2 || !known(args) || args[0].Type() != cty.String {
		return nil
	}
	sep := int64(len(args[0].AsString()))
	var n, elems int64
	for _, list := range args[1:] {
		if !list.CanIterateElements() {
			return nil
		}
		b, e := stringBytes(list)
		n, elems = n+b, elems+e
	}
	if n += max(elems-1, 0) * sep; n > MaxFileSize {
		return resultTooLarge(n)
	}
	return nil
}

// formatWidth finds the widths and precisions of a format string's verbs.
var formatWidth = regexp.MustCompile(`%[-+# 0]*([0-9]*)(?:\.([0-9]*))?`)

// checkFormat refuses format(spec, args...) and formatlist(spec,
// args...) whose result would pass MaxFileSize: format("%999999999s",
// "a") is a gigabyte of spaces. The estimate is the spec's length with
// every verb's width and precision, and the arguments' own lengths, once
// for each element of formatlist's longest list.
func checkFormat(args []cty.Value) error {
	if len(args) < 1 || !known(args) || args[0].Type() != cty.String {
		return nil
	}
	spec := args[0].AsString()
	per := int64(len(spec))
	for _, m := range formatWidth.FindAllStringSubmatch(spec, -1) {
		for _, digits := range m[1:] {
			if w, err := strconv.ParseInt(digits, 10, 64); err == nil {
				per += w
			} else if digits != "" {
				return resultTooLarge(math.MaxInt64) // more digits than an int64
			}
		}
	}
	rows := int64(1)
	var n int64
	for _, a := range args[1:] {
		switch {
		case a.Type() == cty.String:
			per += int64(len(a.AsString()))
		case a.CanIterateElements():
			b, elems := stringBytes(a)
			rows, n = max(rows, elems), n+b
		}
	}
	if per > MaxFileSize || rows*per+n > MaxFileSize {
		return resultTooLarge(rows*per + n)
	}
	return nil
}

// stringBytes is the length of the strings among list's elements, and
// how many elements it has.
func stringBytes(list cty.Value) (bytes, elems int64) {
	for it := list.ElementIterator(); it.Next(); {
		if _, e := it.Element(); e.Type() == cty.String {
			bytes += int64(len(e.AsString()))
		}
		elems++
	}
	return bytes, elems
}

func allStrings(args []cty.Value) bool {
	for _, a := range args {
		if a.Type() != cty.String {
			return false
		}
	}
	return true
}

// guard returns fn, with check run on the arguments of a call first.
func guard(fn function.Function, check func(args []cty.Value) error) function.Function {
	return function.New(&function.Spec{
		Description: fn.Description(),
		Params:      fn.Params(),
		VarParam:    fn.VarParam(),
		Type:        fn.ReturnTypeForValues,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if err := check(args); err != nil {
				return cty.NilVal, err
			}
			return fn.Call(args)
		},
	})
}

// checkIndent refuses indent(spaces, s) whose result would pass
// MaxFileSize: indent(1000000000, "a\nb") is 30 bytes of plan.
func checkIndent(args []cty.Value) error {
	if len(args) != 2 || !args[0].IsKnown() || !args[1].IsKnown() || args[0].IsNull() || args[1].IsNull() {
		return nil
	}
	spaces, _ := args[0].AsBigFloat().Int(nil)
	lines := big.NewInt(int64(strings.Count(args[1].AsString(), "\n")))
	if spaces.Sign() > 0 && new(big.Int).Mul(spaces, lines).Cmp(big.NewInt(MaxFileSize)) > 0 {
		return function.NewArgErrorf(0, "indenting by %s spaces would make a string larger than %d MiB", spaces, MaxFileSize>>20)
	}
	return nil
}

// checkProduct refuses setproduct(...) of more than MaxProduct elements.
func checkProduct(args []cty.Value) error {
	n := big.NewInt(1)
	for _, a := range args {
		if !a.IsKnown() || a.IsNull() || !a.CanIterateElements() {
			return nil
		}
		n.Mul(n, big.NewInt(int64(a.LengthInt())))
	}
	if n.Cmp(big.NewInt(MaxProduct)) > 0 {
		return fmt.Errorf("the product has %s elements; setproduct returns at most %d", n, MaxProduct)
	}
	return nil
}
