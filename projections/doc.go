// Package projections builds kabinet's read models from the global event log
// and keeps them current.
//
// A Projection is a name, a version and a handler that applies batches of
// events to its tables. Each build of a projection is a generation with its
// own physical tables, "<table>_g<N>"; queries read views named "<table>"
// that point at the live generation. So:
//
//   - The runner applies each batch and moves the generation's checkpoint in
//     one database transaction: a crash loses or repeats nothing. The
//     checkpoint moves with a compare-and-set on the old position, so two
//     runners on one database can never both apply a batch; a session
//     advisory lock per projection keeps the second one idle instead of
//     wasting work.
//   - A rebuild (blue/green) builds generation N+1 beside the live N, catches
//     up, and then, in one transaction that holds the projection's apply lock,
//     applies the last events, points the views at N+1 and retires N. Queries
//     see N until that commit and N+1 after it, never a mix.
//   - A projection whose code version differs from its live generation's is
//     rebuilt, not patched: read models are derived data.
//
// Read models are queried only through functions that take the owning
// client's ID; there is no query without an owner.
package projections
