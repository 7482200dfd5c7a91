// Package claim is the insured-event (claim) aggregate: a client's claim
// against one of their policies, mirrored from the claim file in KIAS, with
// its settlement stage and the documents the insurer still needs.
//
// Streams are "claim-<uuid>". The command handler checks that the policy
// belongs to the reporting client before it calls Decide; this package only
// records the IDs it is given.
//
// # Stages
//
//	reported → documents_requested ⇄ documents_complete → appraisal → payout_decision → paid | refused
//	appraisal, payout_decision → documents_requested   (the insurer needs more)
//	any open stage → withdrawn
//
// paid, refused and withdrawn are terminal: every command on a closed claim is
// refused with ErrClaimClosed. The client sees two states only, derived by
// Status.ClientFacing: "in_settlement" while open, "settled" once closed.
//
// # Rules where the requirement is silent
//
//   - Stages and documents are independent facts. RequestClaimDocuments does
//     not move the stage and receiving the last missing document does not move
//     it to documents_complete: KIAS owns the stage and the handler mirrors it
//     with ChangeClaimStatus. Documents can be requested in any open stage.
//   - Repeating a fact already recorded is a no-op (Decide returns no events
//     and no error), contradicting one is refused: a status change to the
//     current status, a request for a document already missing, the same
//     document (kind and hash) received twice.
//   - A document nobody asked for is refused (ErrDocumentNotRequested): the
//     claim file holds what the insurer reviews, and a scan the insurer did not
//     ask for would sit unreviewed. A document received earlier can be asked
//     for again and then received again; the earlier receipt stays on record.
//   - A payout amount belongs to "paid" only (ErrPayoutRequired without a
//     positive one, ErrUnexpectedPayout on any other stage); "refused" needs a
//     reason, because the client is owed one (ErrReasonRequired).
//   - Events carry a blob reference and the SHA-256 of a scan, never its
//     content. Times are stored in UTC at microsecond precision, the precision
//     of the event store, so a decided event equals its stored copy.
package claim
