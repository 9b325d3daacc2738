// Package plan turns a voyplan plan file (HCL) into a typed, validated Plan:
// the block schema, variables (-var, VOYPLAN_VAR_<name>, defaults), the
// functions plans may call (env, file, templatefile, the generators cpf,
// br_mobile, email, name, uuid and the go-cty standard library), the
// expr-lang programs compiled at load time (complete_when, rule conditions,
// threshold checks),
// the target's protocol (voyager, http, webhook, openai) with its request
// templates, evaluated per turn by Request.Render, and reply expressions,
// and the per-virtual-user evaluation of data blocks and persona prompts,
// scripts and rule lines (Plan.NewUser). Plan.CheckKeys reports, for apply,
// the llm blocks in use without an api_key.
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
