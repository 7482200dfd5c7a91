// Package domain is the root of kabinet's pure domain layer: the aggregates
// (client, policy, claim, bonus) and the value types they share (kz for IIN,
// BIN and phone numbers, money for KZT amounts).
//
// Everything under domain decides from its inputs alone: no I/O, no database,
// no bus, no logging, no clock, no randomness and no context. Handlers pass in
// the time and any new IDs; Decide returns events or a named refusal, and
// Evolve folds events into state. That is what lets a stream be replayed years
// later with the same result, and what doc_test.go enforces on the import graph.
package domain
