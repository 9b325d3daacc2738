// Package peruser evaluates, for one virtual user, the expressions a plan
// keeps for per-user evaluation: the data blocks in file order, then the
// persona's script or prompt, or its rules' say lines and fallback, all in
// a scope whose generators draw from the user's own seeded source. The
// loader fills an Evaluator; Plan.NewUser asks it.
//
// It evaluates what it is given and decodes nothing. It may import
// engine/plan/funcs, never engine/plan.
package peruser
