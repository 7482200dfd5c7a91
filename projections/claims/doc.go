// Package claims is the read model behind "Мои страховые события": the
// client's claims with the status they are shown ("в процессе
// урегулирования" / "урегулировано") and the finer stage, and for each claim
// its timeline (every stage change, document request and receipt, with its
// time and reason) and the documents the insurer still needs.
//
// # Storage
//
// One row per claim holds the summary, the timeline (one entry per claim
// event, in stream order) and the documents still missing, both as jsonb:
// the screen reads them whole, and one row per claim keeps Apply to two
// set-based statements a batch, an INSERT of the claims reported in the
// batch with the rest of the batch folded in, and an UPDATE of older claims
// that appends to the timeline and recomputes the missing list in SQL. The
// missing list follows the claim aggregate: a kind asked for again moves to
// the end, a kind received leaves it. On SQLite, where the JSON columns are
// text and a statement costs no round trip, each claim gets its own
// statements, and an older claim's timeline and missing list are extended
// in Go (see apply_sqlite.go).
//
// The policy number a claim shows comes from the policies read model (the
// "policies" view) at query time, so this projection reads no policy events
// and stays fast to rebuild; a claim whose policy that model does not hold
// shows an empty number. List and Get therefore need the policies
// projection installed beside this one. A received document is shown with the title it
// was last asked for under, worked out from the timeline when read.
//
// # Queries
//
// Every query takes the owning client's ID; another client's claim reads
// exactly as a missing one (ErrNotFound). Get reads one row, so the
// summary, timeline and missing documents always agree.
package claims
