// Package plan turns a voyplan plan file (HCL) into a typed, validated Plan
// and its schedule. It is the loader: it owns the block schema and runs
// the decoding phases in dependency order (variables, the plan block and
// its seed, data, llm, simulator, target, webhook, conversation, personas,
// stages, thresholds, then a probe virtual user). It compiles the
// expr-lang programs written in the plan (complete_when, rule conditions,
// threshold checks; CompileCheck for a check read back from results),
// hands its stages to engine/plan/schedule (Plan.Schedule: steps of closed
// stages, arrivals of open ones, with what `voyplan plan` and the dashboard
// show of them), applies the -u/-r/-t overrides (Plan.Override), and
// instantiates virtual users (Plan.NewUser).
// Plan.CheckKeys reports, for apply, the llm blocks in use without an
// api_key.
// Plan.Redact hides the values of the variables declared sensitive = true,
// which the loader also keeps out of its diagnostics.
//
// What is not the loader lives in packages under it, which never import
// plan:
//
//   - decode: the attribute getters, duration parsing, expr-lang
//     compilation with in-string positions and the "Did you mean"
//     suggestions every decoder shares;
//   - funcs: the functions plans may call (env, file, templatefile, the
//     generators cpf, br_mobile, email, name, uuid and the go-cty standard
//     library) and the cache of the files they read;
//   - vars: variables (-var, -var-file, VOYPLAN_VAR_<name>, defaults) and
//     Environ, the process environment with its .env file;
//   - target: the http, webhook and openai targets, their request templates
//     (Request.Render, evaluated per turn) and reply expressions (Extract);
//   - names: resolving the names a check or predicate reads, and what a
//     check reads;
//   - schedule: the stages compiled into steps or arrivals, and what the
//     schedule amounts to (peak, rows, expected conversations);
//   - peruser: the per-virtual-user evaluation of data blocks and persona
//     prompts, scripts and rule lines.
//
// Generators called in a data block or a persona's script or prompt draw
// from the virtual user's own source, datagen.ForUser(seed, n); called
// anywhere else they draw from the source of user -1 (of seed 0 in variable
// defaults and the plan block, which are evaluated before the seed is
// known), so a fixed seed reproduces them too.
//
// Every mistake in a plan is reported as an hcl.Diagnostic with a summary, a
// detail saying how to fix it and a subject range; rendering them is the
// CLI's job. The package reads the plan file and the files it names and
// nothing else: it never starts a server, a goroutine or a run, and never
// touches the network.
package plan
