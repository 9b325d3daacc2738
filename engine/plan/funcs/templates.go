package funcs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// Files reads the files a plan names (file, templatefile) relative to
// the plan's directory, once: every virtual user renders the same bytes, and
// ten thousand users do not mean ten thousand reads and parses.
type Files struct {
	dir string
	// funcs is the set of function names a template may call; read-only.
	funcs map[string]bool

	// mu guards files and templates. Each maps a cleaned path to the file's
	// contents (parsed template); an entry, once stored, never changes.
	mu        sync.Mutex
	files     map[string]string
	templates map[string]hclsyntax.Expression
}

// NewFiles returns a cache of the files under dir; funcs are the functions
// a template may call.
func NewFiles(dir string, funcs map[string]bool) *Files {
	return &Files{
		dir:       dir,
		funcs:     funcs,
		files:     make(map[string]string),
		templates: make(map[string]hclsyntax.Expression),
	}
}

// resolve makes path relative to the plan's directory unless it is absolute.
func (c *Files) resolve(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(c.dir, path)
}

// read returns the UTF-8 contents of the file at path.
func (c *Files) read(path string) (string, error) {
	full := c.resolve(path)
	c.mu.Lock()
	s, ok := c.files[full]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	b, err := readLimited(full, path, c.dir)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("file %q is not valid UTF-8", path)
	}
	c.mu.Lock()
	c.files[full] = string(b)
	c.mu.Unlock()
	return string(b), nil
}

// MaxFileSize is the most file and templatefile read of one file: a plan
// naming a huge file (or a device such as /dev/zero) is refused, not read
// until memory runs out.
const MaxFileSize = 16 << 20

// readLimited reads the regular file at full (path as the plan wrote it,
// relative to dir) if it holds at most MaxFileSize bytes. It checks before
// opening (opening a FIFO would block), again on the open file, and reads
// through a limit anyway: the file can change in between.
func readLimited(full, path, dir string) ([]byte, error) {
	fi, err := os.Stat(full)
	if err != nil {
		return nil, fmt.Errorf("cannot read file %q (paths are relative to the plan's directory, %q): %w", path, dir, err)
	}
	if err := checkReadable(fi, path); err != nil {
		return nil, err
	}
	f, err := os.Open(full)
	if err != nil {
		return nil, fmt.Errorf("cannot read file %q (paths are relative to the plan's directory, %q): %w", path, dir, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("cannot read file %q: %w", path, err)
	}
	if err := checkReadable(fi, path); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read file %q: %w", path, err)
	}
	if len(b) > MaxFileSize {
		return nil, tooLarge(path)
	}
	return b, nil
}

// checkReadable refuses what is not a regular file, or is larger than
// MaxFileSize.
func checkReadable(fi os.FileInfo, path string) error {
	switch {
	case fi.IsDir():
		return fmt.Errorf("%q is a directory; file and templatefile read only regular files", path)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%q is not a regular file (%s); file and templatefile read only regular files, of at most %d MiB",
			path, fileKind(fi.Mode()), MaxFileSize>>20)
	case fi.Size() > MaxFileSize:
		return tooLarge(path)
	}
	return nil
}

func tooLarge(path string) error {
	return fmt.Errorf("file %q is larger than %d MiB, the most file and templatefile read; split it or trim it", path, MaxFileSize>>20)
}

// fileKind names what a non-regular file is.
func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "of another kind: " + m.Type().String()
}

// template returns the parsed template in the file at path. Parse errors and
// calls to functions a template may not use are returned as a
// templateError, so they keep the template file's line and column.
func (c *Files) template(path string) (hclsyntax.Expression, error) {
	full := c.resolve(path)
	c.mu.Lock()
	t, ok := c.templates[full]
	c.mu.Unlock()
	if ok {
		return t, nil
	}
	src, err := c.read(path)
	if err != nil {
		return nil, err
	}
	t, diags := hclsyntax.ParseTemplate([]byte(src), full, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, templateError(diags)
	}
	if t, diags = decode.MeterTemplate(t); diags.HasErrors() {
		return nil, templateError(diags)
	}
	if diags := decode.CheckFunctionNames(t, c.funcs, "a template"); diags.HasErrors() {
		return nil, templateError(diags)
	}
	c.mu.Lock()
	c.templates[full] = t
	c.mu.Unlock()
	return t, nil
}

// templateFileFunc is templatefile(path, vars), as in Terraform: the file at
// path rendered as an HCL template whose variables are vars' attributes and
// whose functions are parent's and fns (templatefile itself excluded).
func templateFileFunc(files *Files, parent *hcl.EvalContext, fns map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Description: "Renders the template file at path with vars, relative to the plan's directory.",
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		// The caller's evaluation budget, which decode.Meter adds to
		// every call of two arguments; a plan cannot write one.
		VarParam: &function.Parameter{Name: "budget", Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true},
		Type:     function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 3 || len(args) == 3 && !decode.IsBudget(args[2]) {
				return cty.NilVal, fmt.Errorf("templatefile takes 2 arguments, path and vars; %d were given", len(args))
			}
			path := args[0].AsString()
			if _, err := files.read(path); err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			t, err := files.template(path)
			if err != nil {
				return cty.NilVal, err
			}
			vars, err := templateVars(args[1])
			if err != nil {
				return cty.NilVal, err
			}
			if vars == nil {
				return cty.UnknownVal(cty.String), nil
			}
			if len(args) == 3 {
				decode.Budgeted(vars, args[2])
			}
			ctx := parent.NewChild()
			ctx.Functions = fns
			ctx.Variables = vars
			return renderTemplate(t, ctx)
		},
	})
}

// templateVars checks templatefile's vars argument and returns its
// attributes; nil (and no error) while vars is not wholly known.
func templateVars(v cty.Value) (map[string]cty.Value, error) {
	if !v.IsWhollyKnown() {
		return nil, nil
	}
	ty := v.Type()
	if v.IsNull() || !(ty.IsObjectType() || ty.IsMapType()) {
		return nil, function.NewArgErrorf(1, "vars must be an object, like { customer = data.customer }")
	}
	vars := make(map[string]cty.Value, v.LengthInt())
	for name, val := range v.AsValueMap() {
		if !hclsyntax.ValidIdentifier(name) {
			return nil, function.NewArgErrorf(1, "template variable name %q is not a valid identifier: use letters, digits, _ and -, starting with a letter", name)
		}
		vars[name] = val
	}
	return vars, nil
}

func renderTemplate(t hclsyntax.Expression, ctx *hcl.EvalContext) (cty.Value, error) {
	val, diags := t.Value(ctx)
	if diags.HasErrors() {
		return cty.NilVal, templateError(diags)
	}
	if !val.IsWhollyKnown() {
		return cty.UnknownVal(cty.String), nil
	}
	s, err := convert.Convert(val, cty.String)
	if err != nil {
		return cty.NilVal, fmt.Errorf("the template's result must be a string: %w", err)
	}
	return s, nil
}

// templateError lists a template's error diagnostics, one a line with its
// place in the template file, for the Detail of the call's diagnostic.
type templateError hcl.Diagnostics

func (e templateError) Error() string {
	var b strings.Builder
	b.WriteString("the template has errors:")
	for _, d := range e {
		if d.Severity != hcl.DiagError {
			continue
		}
		b.WriteString("\n  ")
		if d.Subject != nil {
			fmt.Fprintf(&b, "%s: ", d.Subject)
		}
		fmt.Fprintf(&b, "%s; %s", d.Summary, d.Detail)
	}
	return b.String()
}
