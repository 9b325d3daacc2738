package funcs

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Convert is convert.Convert, in time linear in the length of a tuple
// converted to a list or a set. go-cty unifies a tuple's element types
// pairwise (convert.unify sorts them with a quadratic comparison), so a
// 50,000-line script written as a list, or built by a for expression,
// took half a minute to load, and a 100,000-line one two minutes. When
// the elements already have one type, or convert one by one to a
// primitive element type, the collection is built directly; any other
// value goes through convert.Convert, whose errors are the ones users see.
func Convert(v cty.Value, ty cty.Type) (cty.Value, error) {
	if cv, ok := fastCollection(v, ty); ok {
		return cv, nil
	}
	return convert.Convert(v, ty)
}

// fastCollection converts a known tuple (or list or set) v to ty, a list
// or set type, element by element; ok is false when it cannot, and the
// caller falls back to convert.Convert.
func fastCollection(v cty.Value, ty cty.Type) (cty.Value, bool) {
	if !ty.IsListType() && !ty.IsSetType() {
		return cty.NilVal, false
	}
	vt := v.Type()
	if !vt.IsTupleType() && !vt.IsListType() && !vt.IsSetType() {
		return cty.NilVal, false
	}
	if !v.IsKnown() || v.IsNull() || v.IsMarked() || v.LengthInt() == 0 {
		return cty.NilVal, false
	}
	elem := ty.ElementType()
	elems := make([]cty.Value, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		elems = append(elems, e)
	}
	if !convertElems(elems, elem) {
		return cty.NilVal, false
	}
	if ty.IsSetType() {
		return cty.SetVal(elems), true
	}
	return cty.ListVal(elems), true
}

// convertElems converts elems in place to elem: a primitive type, each
// element on its own; any type, when they all have the same one.
func convertElems(elems []cty.Value, elem cty.Type) bool {
	switch {
	case elem.IsPrimitiveType():
		for i, e := range elems {
			if e.IsMarked() {
				return false
			}
			if e.Type().Equals(elem) {
				continue
			}
			if !e.Type().IsPrimitiveType() {
				return false
			}
			ce, err := convert.Convert(e, elem)
			if err != nil {
				return false
			}
			elems[i] = ce
		}
		return true
	case elem.Equals(cty.DynamicPseudoType):
		first := elems[0].Type()
		if first.Equals(cty.DynamicPseudoType) {
			return false
		}
		for _, e := range elems {
			if !e.Type().Equals(first) || e.IsMarked() {
				return false
			}
		}
		return true
	}
	return false
}

// linearArgs wraps fn, when it takes a list or a set, so that such an
// argument written as a tuple (a list literal, a for expression) is
// converted by Convert instead of by HCL's call, quadratic in its length.
// The wrapper takes those parameters as any type, converts them, and
// hands the converted arguments to fn, which checks them as before.
func linearArgs(fn function.Function) function.Function {
	params := fn.Params()
	targets := make([]cty.Type, len(params))
	newParams := make([]function.Parameter, len(params))
	wrapped := false
	for i, p := range params {
		var ok bool
		newParams[i], targets[i], ok = looseParam(p)
		wrapped = wrapped || ok
	}
	var varTarget cty.Type
	varParam := fn.VarParam()
	if varParam != nil {
		vp, ty, ok := looseParam(*varParam)
		varParam, varTarget, wrapped = &vp, ty, wrapped || ok
	}
	if !wrapped {
		return fn
	}
	convertArgs := func(args []cty.Value) ([]cty.Value, error) { return convertArgs(args, targets, varTarget) }
	return function.New(&function.Spec{
		Description: fn.Description(),
		Params:      newParams,
		VarParam:    varParam,
		Type: func(args []cty.Value) (cty.Type, error) {
			args, err := convertArgs(args)
			if err != nil {
				return cty.NilType, err
			}
			return fn.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			args, err := convertArgs(args)
			if err != nil {
				return cty.NilVal, err
			}
			return fn.Call(args)
		},
	})
}

// looseParam is p taking any type when it takes a list or a set, with the
// type it took (cty.NilType and false when p is left as it is).
func looseParam(p function.Parameter) (function.Parameter, cty.Type, bool) {
	if !p.Type.IsListType() && !p.Type.IsSetType() {
		return p, cty.NilType, false
	}
	ty := p.Type
	p.Type = cty.DynamicPseudoType
	p.AllowUnknown, p.AllowDynamicType, p.AllowMarked = true, true, true
	return p, ty, true
}

// convertArgs converts each argument to its parameter's list or set type
// (targets by position, varTarget past them; cty.NilType: left as it is)
// with Convert.
func convertArgs(args []cty.Value, targets []cty.Type, varTarget cty.Type) ([]cty.Value, error) {
	out := make([]cty.Value, len(args))
	for i, a := range args {
		ty := varTarget
		if i < len(targets) {
			ty = targets[i]
		}
		out[i] = a
		if ty == cty.NilType {
			continue
		}
		ca, err := Convert(a, ty)
		if err != nil {
			return nil, function.NewArgError(i, err)
		}
		out[i] = ca
	}
	return out, nil
}

// linearTo is tolist or toset (stdlib.MakeToFunc(ty)), converting a tuple
// with Convert first.
func linearTo(ty cty.Type) function.Function {
	fn := stdlib.MakeToFunc(ty)
	fast := func(args []cty.Value) []cty.Value {
		if len(args) == 1 {
			if cv, ok := fastCollection(args[0], ty); ok {
				return []cty.Value{cv}
			}
		}
		return args
	}
	return function.New(&function.Spec{
		Description: fn.Description(),
		Params:      fn.Params(),
		Type: func(args []cty.Value) (cty.Type, error) {
			return fn.ReturnTypeForValues(fast(args))
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return fn.Call(fast(args))
		},
	})
}
