// Package datagen draws the personal data of virtual users — names, 13-digit
// Brazilian mobiles, e-mails, CPFs with valid check digits, UUIDs — from a
// seeded source per user, and validates the same formats for the simulator.
// It is pure: no I/O, no global random state.
package datagen
