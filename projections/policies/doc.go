// Package policies is the read model behind "Мои полисы": the client's policy
// list with its buckets and the policy details screen.
//
// One row per policy holds everything the details screen shows. The nested
// lists are json columns, since the screen always reads them whole: the
// people (holder, insured persons, drivers with their KBM) and the vehicle
// are written once as json; the installment schedule with its paid flags,
// the payments and the documents are jsonb, which SQL can append to and
// merge into. One row per policy keeps Apply to two set-based statements a
// batch: an INSERT of the policies issued in the batch with the rest of the
// batch already folded in, and an UPDATE of older policies that computes
// each new value from the old one in SQL.
//
// On SQLite the same row is kept in SQLite's terms: days as "2006-01-02"
// text, times as Unix microseconds, json as text. With no arrays to unnest,
// Apply writes a statement per policy there, and merges a batch into the
// json of an older policy in Go, encoding the result as one batch holding
// every event would have.
//
// # Buckets
//
// Buckets are facts of the clock, so they are computed at query time from the
// caller's now, on the calendar day it falls on in Asia/Almaty; no job has to
// run at midnight. With today that day and a policy's last day of cover being
// its end date, or the day before a cancellation takes effect if that is
// earlier:
//
//   - history: the term has ended (end < today), or a cancellation has taken
//     effect (effective day ≤ today), or a cancellation took effect before
//     cover ever began;
//   - expiring: not history and the last day of cover ≤ today + 30 days;
//   - active: not history and the last day of cover > today + 30 days;
//   - installments: an installment is unpaid and the policy is not cancelled,
//     whatever its term says: an ended policy may still owe money and the
//     policy aggregate still takes it, while a cancelled one refuses it.
//
// A policy belongs to exactly one of expiring, active and history, and may
// also be in installments.
//
// A policy whose term starts after today (bought ahead, a renewal concluded
// before the old one ends) counts as current, not as history: it is a
// concluded contract, it shows among the client's policies by its end date
// with Standing "upcoming", and HasInForce counts it, because consent to the
// processing of personal data cannot be withdrawn while a contract stands.
//
// A cancellation that takes effect later leaves the policy current until that
// day (it covers until then) with its last day of cover moved forward, so it
// usually shows as expiring.
//
// # What is kept
//
// Names and KBM of the holder, insured persons and drivers are kept as KIAS
// gave them; IINs only masked (kz.IIN.Masked), since the screens need no
// more and a read model should hold as little personal data as it can.
// Amounts are kept in tiyn (bigint) or as money strings in jsonb, never as
// floats.
//
// # Queries
//
// Every query takes the owning client's ID, except FindByNumber, which
// answers whose policy a number is for the phone-change check. Another
// client's policy reads exactly as a missing one: ErrNotFound.
package policies
