// Package schedule compiles a plan's stages into plain data before
// anything runs, as k6 does: closed stages into Steps (from At on, Users
// virtual users), open stages into Arrivals (conversation k due at
// Start + offset(k), ramped or steady), and says what a schedule amounts
// to — Peak, Started, Conversations, UserTime — and how it is shown (Rows,
// Columns), so no caller but the run's walker asks whether stages are
// open or closed. A capacity block compiles to Capacity, whose Next
// gives each step's load from the steps so far (doubling, then
// bisecting), and whose worst case stands for the stages it replaces.
//
// It is pure arithmetic on Stage values: no I/O, no clock, no HCL. It must
// not import engine/plan (the loader decodes stage blocks into Stage).
package schedule
