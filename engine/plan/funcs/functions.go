package funcs

import (
	"math/rand/v2"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/voyplan/voyplan/engine/datagen"
)

// stdlibFunctions is the table of go-cty standard library functions a plan
// may call, under Terraform's names, those taking lists or sets wrapped so
// that a long list costs time linear in its length (lists.go), and those
// whose result can dwarf their arguments bounded (bounds.go).
func stdlibFunctions() map[string]function.Function {
	fns := rawStdlibFunctions()
	for name, fn := range fns {
		fns[name] = linearArgs(fn)
	}
	fns["tolist"] = linearTo(cty.List(cty.DynamicPseudoType))
	fns["toset"] = linearTo(cty.Set(cty.DynamicPseudoType))
	bounded(fns) // bounds.go
	return fns
}

func rawStdlibFunctions() map[string]function.Function {
	return map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
		"log": stdlib.LogFunc, "pow": stdlib.PowFunc, "signum": stdlib.SignumFunc,
		"parseint": stdlib.ParseIntFunc, "min": stdlib.MinFunc, "max": stdlib.MaxFunc,

		"upper": stdlib.UpperFunc, "lower": stdlib.LowerFunc, "title": stdlib.TitleFunc,
		"trimspace": stdlib.TrimSpaceFunc, "trim": stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc,
		"chomp": stdlib.ChompFunc, "indent": stdlib.IndentFunc,
		"format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"join": stdlib.JoinFunc, "split": stdlib.SplitFunc,
		"replace": stdlib.ReplaceFunc, "regex_replace": stdlib.RegexReplaceFunc,
		"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
		"substr": stdlib.SubstrFunc, "strrev": stdlib.ReverseFunc, "strlen": stdlib.StrlenFunc,

		"length": lengthFunc(), "concat": stdlib.ConcatFunc, "coalesce": stdlib.CoalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"contains": stdlib.ContainsFunc, "keys": stdlib.KeysFunc, "values": stdlib.ValuesFunc,
		"lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc, "element": stdlib.ElementFunc,
		"flatten": stdlib.FlattenFunc, "distinct": stdlib.DistinctFunc,
		"reverse": stdlib.ReverseListFunc, "sort": stdlib.SortFunc, "slice": stdlib.SliceFunc,
		"chunklist": stdlib.ChunklistFunc, "range": stdlib.RangeFunc, "zipmap": stdlib.ZipmapFunc,
		"setproduct": stdlib.SetProductFunc, "setunion": stdlib.SetUnionFunc,
		"setintersection": stdlib.SetIntersectionFunc, "setsubtract": stdlib.SetSubtractFunc,

		"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"csvdecode": stdlib.CSVDecodeFunc, "formatdate": stdlib.FormatDateFunc,
		"timeadd": stdlib.TimeAddFunc,

		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
	}
}

// lengthFunc is Terraform's length: the number of characters of a string,
// or of elements of a collection.
func lengthFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Returns the length of a string, list, tuple, map, object or set.",
		Params: []function.Parameter{{
			Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true,
		}},
		Type: function.StaticReturnType(cty.Number),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if args[0].Type() == cty.String {
				return stdlib.Strlen(args[0])
			}
			return stdlib.Length(args[0])
		},
	})
}

// Static are the functions that draw nothing at random: the
// standard library, env and file. They are built once per load and shared,
// read-only, by every evaluation context.
func Static(env map[string]string, files *Files) map[string]function.Function {
	fns := stdlibFunctions()
	fns["env"] = envFunc(env)
	fns["file"] = fileFunc(files)
	return fns
}

// envFunc is env(name): the variable's value, "" when it is unset.
func envFunc(env map[string]string) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the value of an environment variable, or \"\" when it is unset.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(env[args[0].AsString()]), nil
		},
	})
}

// fileFunc is file(path): the contents of a UTF-8 file, relative to the
// plan's directory.
func fileFunc(files *Files) function.Function {
	return function.New(&function.Spec{
		Description: "Reads a UTF-8 file, relative to the plan's directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			s, err := files.read(args[0].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return cty.StringVal(s), nil
		},
	})
}

// generatorFunctions are the data generators, each drawing from r. A
// virtual user gets its own set, bound to its own source.
func generatorFunctions(r *rand.Rand) map[string]function.Function {
	return map[string]function.Function{
		"cpf":       noArgString("Returns a CPF with valid check digits, 000.000.000-00.", func() string { return datagen.CPF(r) }),
		"br_mobile": noArgString("Returns a 13-digit Brazilian mobile number, 55DD9XXXXXXXX.", func() string { return datagen.BRMobile(r) }),
		"name":      noArgString("Returns a Brazilian full name.", func() string { return datagen.Name(r) }),
		"uuid":      noArgString("Returns a version-4 UUID.", func() string { return datagen.UUID(r) }),
		"email":     emailFunc(r),
	}
}

// GeneratorNames are the names generatorFunctions binds.
var GeneratorNames = [...]string{"cpf", "br_mobile", "name", "uuid", "email"}

// IsScoped reports whether name is one of the functions Scoped binds (a
// generator, templatefile), whose results differ from scope to scope.
func IsScoped(name string) bool {
	if name == "templatefile" {
		return true
	}
	for _, g := range GeneratorNames {
		if g == name {
			return true
		}
	}
	return false
}

func noArgString(desc string, gen func() string) function.Function {
	return function.New(&function.Spec{
		Description: desc,
		Type:        function.StaticReturnType(cty.String),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
			return cty.StringVal(gen()), nil
		},
	})
}

func emailFunc(r *rand.Rand) function.Function {
	return function.New(&function.Spec{
		Description: "Returns a random e-mail address at domain.",
		Params:      []function.Parameter{{Name: "domain", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(datagen.Email(r, args[0].AsString())), nil
		},
	})
}

// Scoped returns the functions of one evaluation scope: the
// generators bound to r and templatefile, whose templates see the static
// functions (through parent) and the same generators.
func Scoped(r *rand.Rand, files *Files, parent *hcl.EvalContext) map[string]function.Function {
	fns := generatorFunctions(r)
	tmplFns := make(map[string]function.Function, len(fns))
	for name, fn := range fns {
		tmplFns[name] = fn
	}
	fns["templatefile"] = templateFileFunc(files, parent, tmplFns)
	return fns
}
