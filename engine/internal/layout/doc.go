// Package layout holds no code: its test reads the import statements of
// every package in the module and fails when one imports what
// docs/ARCHITECTURE.md says it must not, so the one-way data flow
// (file → Plan → rig → run → metrics → verdict → results → report) cannot
// erode one convenient import at a time.
package layout
