// Package bonusledger is the read model of the bonus account screen: the
// balance of each client's points and the ledger of every movement, newest
// first, with what caused it (payment, order, reason) and when.
//
// It follows the bonus streams ("bonus-<client id>"). The ledger keeps one
// row per event, keyed by the client and the event's version in the bonus
// stream, which is also the paging cursor: versions only grow, so "older than
// this version" pages through a ledger that keeps growing without repeats or
// gaps. A reversal records the points taken back and the shortfall that
// could not be (already spent or expired); the balance moves by the points
// taken only, as in the aggregate.
//
// Apply folds a batch in memory and writes it with two statements in one
// round trip: one multi-row insert of ledger rows and one upsert that adds
// each client's totals to their account row. Nothing is read before it is
// written, and the same log always gives the same rows. On SQLite, which
// has no arrays, the same fold is written with one insert per ledger row
// and one upsert per account in the batch's transaction; points are
// INTEGER there, so totals add up exactly as in PostgreSQL's bigint.
//
// Queries always take the client's ID. A client with no bonus events has an
// empty account (balance 0), not an error: every client has an account.
package bonusledger
