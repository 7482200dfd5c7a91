// Package bonus is the client's bonus account: points accrued on purchases and
// spent on later ones.
//
// There is one stream per client, "bonus-<client id>", so the stream ID is the
// client ID and events do not repeat it. Points are whole numbers (int64).
//
// Rules the decisions keep:
//   - The balance never goes below zero. Spending more than the balance is
//     refused; reversing or expiring more than the balance takes what is there,
//     and a reversal records the shortfall so that it can be settled by hand.
//   - Accrual is idempotent per payment reference, spending per order
//     reference, reversal per payment reference and expiry per as-of date: a
//     reaction delivered twice decides nothing the second time.
//   - The accrual rate is an input of the command, not a constant here: the
//     marketing rule changes, and a replay must not recompute old accruals.
//     Points are the paid amount times the rate, rounded down to whole points.
//   - A payment that earned no points leaves no trace, so reversing it is
//     ErrUnknownPayment; the refund handler may treat that as done.
//   - Expiry is computed by the caller from the ledger (which points are how
//     old is a policy decision); this package only caps it at the balance, since
//     points may have been spent between the computation and the decision.
package bonus
