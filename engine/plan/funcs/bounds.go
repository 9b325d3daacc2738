package funcs

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// MaxProduct is the most elements setproduct may return: three lists
// of range(1000) would otherwise ask for a billion, and take the
// machine's memory with them (found by fuzzing). go-cty's range already
// stops at 1024 values.
const MaxProduct = 1_000_000

// bounded wraps the functions whose result can be far larger than their
// arguments, refusing a call whose result would pass a limit before it
// is built.
func bounded(fns map[string]function.Function) {
	fns["indent"] = guard(fns["indent"], checkIndent)
	fns["setproduct"] = guard(fns["setproduct"], checkProduct)
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
