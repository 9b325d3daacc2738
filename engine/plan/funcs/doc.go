// Package funcs owns the functions a plan may call: the go-cty standard
// library under Terraform's names, env, file, templatefile and the data
// generators (cpf, br_mobile, name, uuid, email) bound to one seeded
// source, with Files, the cache that reads the files they name relative
// to the plan's directory once.
//
// It builds function tables and evaluates nothing of the plan itself. It
// may import engine/datagen and engine/plan/decode, never engine/plan.
package funcs
