package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/voyplan/voyplan/engine/datagen"
	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/plan/funcs"
	"github.com/voyplan/voyplan/engine/plan/peruser"
	"github.com/voyplan/voyplan/engine/plan/vars"
)

// Options are the inputs of a load that do not come from the plan file.
type Options struct {
	// Vars are the -var NAME=VALUE flags. They win over VarFiles, over
	// VOYPLAN_VAR_<name> and over the variable's default.
	Vars map[string]string
	// VarFiles are the -var-file paths, in the order given: files of
	// name = value lines whose values win over VOYPLAN_VAR_<name> and the
	// default, a later file over an earlier one (vars/varfile.go).
	VarFiles []string
	// Env is what env() and VOYPLAN_VAR_<name> see, usually Environ's
	// answer. Load never reads the process environment itself: nil means
	// an empty environment.
	Env map[string]string
}

// Load reads and loads the plan file at filename. See LoadSource.
func Load(filename string, opts Options) (*Plan, hcl.Diagnostics) {
	src, err := os.ReadFile(filename)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read plan file",
			Detail:   fmt.Sprintf("cannot read plan file: %s. Check the path and that the file is readable.", err),
		}}
	}
	return LoadSource(src, filename, opts)
}

// LoadSource loads a plan from src, read from filename (which names it in
// diagnostics, gives the plan its default name and the directory relative
// paths are resolved against). It reports every mistake it can find at once.
// The Plan is nil whenever the diagnostics hold an error; warnings may come
// with a usable Plan.
func LoadSource(src []byte, filename string, opts Options) (*Plan, hcl.Diagnostics) {
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	// Bound every evaluation before the first (decode/budget.go).
	if diags = append(diags, decode.Meter(f.Body.(*hclsyntax.Body))...); diags.HasErrors() {
		return nil, diags
	}
	l := newLoader(src, filename, opts)
	l.diags = diags
	l.load(f.Body)
	l.plan.secrets.redactDiags(l.diags)
	if l.diags.HasErrors() {
		return nil, l.diags
	}
	return l.plan, l.diags
}

// loader carries one load's state from phase to phase.
type loader struct {
	src  []byte
	opts Options
	plan *Plan

	files     *funcs.Files
	funcNames map[string]bool // every function a plan expression may call
	// funcsCtx holds the static functions and no variables: the parent of
	// templates. rootCtx adds var: the parent of every other context.
	// ctx is the context of attributes evaluated once per plan.
	funcsCtx *hcl.EvalContext
	rootCtx  *hcl.EvalContext
	ctx      *hcl.EvalContext

	vars      *vars.Set
	data      []*dataBlock
	personas  []peruser.Persona // aligned with plan.Personas
	convAttrs hcl.Attributes    // the conversation block's, for the open-stage warnings

	diags hcl.Diagnostics
}

func newLoader(src []byte, filename string, opts Options) *loader {
	sum := sha256.Sum256(src)
	l := &loader{
		src:  src,
		opts: opts,
		plan: &Plan{
			Name: strings.TrimSuffix(filepath.Base(filename), filepath.Ext(filename)),
			File: filename,
			Dir:  filepath.Dir(filename),
			Hash: hex.EncodeToString(sum[:]),
			LLMs: make(map[string]*LLM),
		},
		vars: vars.New(vars.Inputs{Vars: opts.Vars, Files: opts.VarFiles, Env: opts.Env}),
	}
	l.buildFunctions()
	return l
}

// buildFunctions sets up the function tables and the context that holds the
// static ones.
func (l *loader) buildFunctions() {
	tmplNames := make(map[string]bool)
	for _, name := range funcs.GeneratorNames {
		tmplNames[name] = true
	}
	l.files = funcs.NewFiles(l.plan.Dir, tmplNames)
	static := funcs.Static(l.opts.Env, l.files)
	for name := range static {
		tmplNames[name] = true
	}
	l.funcNames = make(map[string]bool, len(tmplNames)+1)
	for name := range tmplNames {
		l.funcNames[name] = true
	}
	l.funcNames["templatefile"] = true
	l.funcsCtx = &hcl.EvalContext{Functions: static}
}

// scopeContext returns a child of parent whose generators draw from the
// given user's source of the plan's seed.
func (l *loader) scopeContext(parent *hcl.EvalContext, seed uint64, user int) *hcl.EvalContext {
	ctx := parent.NewChild()
	ctx.Functions = funcs.Scoped(datagen.ForUser(seed, user), l.files, l.funcsCtx)
	return ctx
}

// load runs the phases in dependency order: variables, then the plan block
// (the seed), then everything else, then a probe virtual user.
func (l *loader) load(body hcl.Body) {
	content, diags := body.Content(rootSchema)
	l.add(diags)
	blocks := content.Blocks.ByType()
	l.rootCtx = l.funcsCtx.NewChild()
	varObj, diags := l.vars.Decode(blocks["variable"], decode.Scope{
		Ctx:   l.scopeContext(l.funcsCtx, 0, -1), // functions, but no variables
		Check: l.scope().Check,
	})
	l.add(diags)
	l.rootCtx.Variables = map[string]cty.Value{"var": varObj}
	l.plan.secrets = newSecrets(l.vars.Secrets(varObj))
	l.decodePlanBlock(l.single(blocks, "plan", false))
	l.ctx = l.scopeContext(l.rootCtx, l.plan.Seed, -1)
	l.collectData(blocks["data"])
	l.decodeLLMs(blocks["llm"])
	l.plan.Simulator, diags = l.decodeSimulator(l.single(blocks, "simulator", false))
	l.add(diags)
	l.decodeTarget(l.single(blocks, "target", true))
	l.plan.Webhook, diags = l.decodeWebhook(l.single(blocks, "webhook", false))
	l.add(diags)
	l.decodeConversation(l.single(blocks, "conversation", false))
	l.decodePersonas(blocks["persona"])
	if c := l.single(blocks, "capacity", false); c != nil {
		l.decodeCapacity(c, blocks["stage"])
		l.plan.Stages = l.plan.Capacity.WorstStages()
	} else {
		l.decodeStages(blocks["stage"])
	}
	l.decodeAssistant(l.single(blocks, "assistant", false))
	l.decodeThresholds(blocks["threshold"])
	l.decodeOutputs(blocks["output"])
	l.plan.eval = l.userEval()
	l.probe()
}

// scope is where the attributes evaluated once per plan are: in l.ctx,
// their references and calls checked first.
func (l *loader) scope() decode.Scope {
	return decode.Scope{Ctx: l.ctx, Check: func(e hcl.Expression) hcl.Diagnostics { return l.checkExpr(e, noData) }}
}

// content decodes b's body against schema and returns its attributes.
func (l *loader) content(b *hcl.Block, schema *hcl.BodySchema) *decode.Attrs {
	a, _ := l.contentBlocks(b, schema)
	return a
}

// contentBlocks decodes b's body against schema and returns its attributes
// and nested blocks.
func (l *loader) contentBlocks(b *hcl.Block, schema *hcl.BodySchema) (*decode.Attrs, hcl.Blocks) {
	return decode.Content(b, schema, l.scope(), &l.diags)
}

func (l *loader) add(diags hcl.Diagnostics) {
	l.diags = append(l.diags, diags...)
}

// single returns the first block of a type that may appear at most once,
// reporting the others, and reports a missing required one.
func (l *loader) single(blocks map[string]hcl.Blocks, typ string, required bool) *hcl.Block {
	list := blocks[typ]
	if len(list) == 0 {
		if required {
			l.add(hcl.Diagnostics{l.missingBlock(typ)})
		}
		return nil
	}
	l.add(decode.DuplicateBlocks("plan", typ, list))
	return list[0]
}

// missingBlock reports a required block type the plan lacks, at the top of
// the file.
func (l *loader) missingBlock(typ string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Missing %s block", typ),
		Detail:   fmt.Sprintf("A plan needs at least one %s block, for example:\n\n%s", typ, blockExamples[typ]),
		Subject:  l.fileStart().Ptr(),
	}
}

func (l *loader) fileStart() hcl.Range {
	return hcl.Range{Filename: l.plan.File, Start: hcl.InitialPos, End: hcl.InitialPos}
}

// blockExamples show, in diagnostics, what a missing required block looks like.
var blockExamples = map[string]string{
	"target":  "target \"assistant\" {\n  url = \"https://assistant.example.com/v1/webhooks/widget\"\n}",
	"persona": "persona \"edman\" {\n  script = [\"Olá\", \"Quero comprar ingressos\"]\n}",
	"stage":   "stage \"steady\" {\n  users      = 10\n  spawn_rate = 2\n  duration   = \"5m\"\n}",
}

// userEval gathers what NewUser needs, built once.
func (l *loader) userEval() *peruser.Evaluator {
	e := &peruser.Evaluator{
		Root:     l.rootCtx,
		Funcs:    l.funcsCtx,
		Files:    l.files,
		Personas: l.personas,
	}
	for _, b := range l.data {
		e.Data = append(e.Data, peruser.Data{Name: b.name, Attrs: b.attrs, Skip: !b.ok})
	}
	total := 0.0
	for _, p := range l.plan.Personas {
		total += p.Weight
		e.Cum = append(e.Cum, total)
	}
	return e
}

// probe evaluates one virtual user, and every persona with its data, so a
// mistake in a per-user expression is a load-time diagnostic.
func (l *loader) probe() {
	e := l.plan.eval
	r := datagen.ForUser(l.plan.Seed, 0)
	ctx, _, diags := e.EvalData(r)
	l.add(diags)
	l.add(e.Probe(ctx))
}
