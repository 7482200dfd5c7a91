// Package policy is the insurance policy aggregate: a contract concluded in
// KIAS as the cabinet shows it (product, term, holder, insured persons and
// drivers with their KBM, vehicle, premium, payment method and installment
// schedule), the money received on it, its renewal and its cancellation.
//
// Streams are "policy-<uuid>". Expiry is not an event: whether a policy is in
// force, expiring or history is a fact of the clock, computed by the reader
// (InForce takes the day to ask about).
//
// # Rules where the requirement is silent
//
//   - Days are Date values (year, month, day; no zone). The term is inclusive
//     at both ends; a cancellation's EffectiveOn is the first day without
//     cover. Callers turn a clock into a day in Asia/Almaty before they ask.
//   - Every payment is a PaymentReceived, and Paid sums those less the
//     PaymentRefunded that pay money back out of them. Paying an
//     installment records PaymentReceived followed by InstallmentPaid with the
//     same reference and amount, so that whatever reacts to money (bonus
//     accrual) reads one event type.
//   - A policy paid by installments takes money only through PayInstallment
//     (ErrPaidByInstallments otherwise), so the schedule and the money agree.
//     Installments are paid in order, exactly their amount, once each: the
//     cabinet offers only "pay the next installment", and paying a later one
//     first would leave an overdue one behind (ErrInstallmentOutOfOrder).
//   - A schedule has at least two installments numbered 1…n with strictly
//     increasing due dates and adds up to the premium; other payment methods
//     have none.
//   - Compulsory motor insurance (ogpo_vts) lists at least one driver unless
//     it covers any driver (UnlimitedDrivers, motor products only); motor
//     products name a vehicle. Drivers need an IIN; an insured person may
//     lack one (a foreigner on a travel policy). KBM is optional data, but if
//     given it has a class, a positive coefficient and an as-of date.
//   - Repeating a fact already recorded is a no-op (no events, no error),
//     contradicting one is refused: a payment reference seen with the same
//     amount, a prolongation to the same new policy, the same document (kind
//     and hash) attached twice. A payment reference is unique per policy
//     (ErrDuplicatePayment, or ErrAmountMismatch for another amount).
//   - After cancellation only documents and refunds are recorded. A
//     prolonged policy still takes payments: its installments may run on.
//   - A refund names the payment it pays back, at most what is left of it,
//     and has a reference unique per policy (repeated with the same payment
//     and amount it is a no-op; otherwise ErrAmountMismatch). An installment
//     is paid back only once the policy is cancelled: a live schedule must
//     keep agreeing with the money.
//   - Refusals name fields and amounts, never a person's name or IIN. Times
//     are stored in UTC at microsecond precision, the precision of the event
//     store, so a decided event equals its stored copy.
package policy
