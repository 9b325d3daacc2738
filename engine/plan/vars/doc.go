// Package vars owns a plan's variables: the variable blocks, their types
// and defaults, and their values from -var, -var-file files
// (varfile.go), VOYPLAN_VAR_<name> and the process environment with its
// .env file (Environ, dotenv.go). RedactFile hides a variable file's
// values from a diagnostic's snippet. A variable declared with
// sensitive = true gives its value to Secrets, which the loader hides
// from everything it prints; a value that fails conversion, sensitive or
// not, is described by its type and length (Describe), never quoted.
//
// It turns inputs into the var object and nothing else. It may import
// engine/plan/decode, never engine/plan.
package vars
