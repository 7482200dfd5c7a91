// Package kias is kabinet's port to KIAS, the insurer's core system: the
// counterparty card of a client (who they are, their personal data and scans
// of their documents), the policies KIAS knows for an IIN, the print form of
// a contract, and the feed of changes made in KIAS outside the cabinet.
//
// KIAS is the system of record for personal data: kabinet reads it on every
// visit to "my data" and saves changes back, keeping no copy. The Simulator
// stands in for KIAS in tests and in the embedded default; Client talks to a
// real KIAS over HTTP; both offer the same methods, and Simulator.Handler
// serves the simulator over the same HTTP API, so the client is tested
// against it on the wire.
//
// # HTTP API
//
// Paths are relative to the configured base URL. Every request carries the
// header X-API-Key; a request without the right key is answered 401. Bodies
// are JSON (UTF-8), field names snake_case, dates "YYYY-MM-DD", instants
// RFC 3339, amounts strings with two decimals ("36000.00"), binary content
// base64. Writes carry Idempotency-Key: a write repeated with the same key is
// answered as the first time and done once. Errors are answered with a
// status and {"error": {"code": "…", "message": "…"}}, which kabinet does not
// read: the status is the answer.
//
//	GET  /clients/{iin}                 200 Person, 404 when KIAS has no card
//	GET  /clients/{iin}/policies        200 {"policies": [{"number"}]} (empty for an unknown IIN)
//	GET  /clients/{iin}/personal-data   200 PersonalData, 404 when KIAS has no card
//	PUT  /clients/{iin}/personal-data   204; creates the card of an unknown client
//	POST /clients/{iin}/scans           201 Scan without content; body {"kind", "file_name", "content_type", "content"}
//	GET  /clients/{iin}/scans           200 {"scans": [Scan without content]}
//	GET  /clients/{iin}/scans/{id}      200 Scan with content, 404 when the client has no such scan
//	GET  /clients/{iin}/history         200 {"changes": [Change]} (empty for an unknown IIN)
//	GET  /contracts/{id}/print-form     200 {"content_type", "content"}, 404 when KIAS has none
//	GET  /feed?after=CURSOR&limit=N     200 {"changes": [Change], "next": CURSOR}
//
// A malformed IIN in a path is answered 400. Person is {"client_id", "iin",
// "last_name", "first_name", "middle_name", "phone"} with the phone in E.164
// or empty; PersonalData has the fields of the Go type in snake_case; Scan is
// {"id", "kind", "file_name", "content_type", "size", "sha256",
// "uploaded_at", "content"}.
//
// # The feed
//
// KIAS reports what changed outside the cabinet as a feed read by polling.
// GET /feed returns up to limit changes (1 to 500, default 100) that follow
// the opaque cursor after ("" or absent: from the start), oldest first, and
// next, the cursor to ask after next time (after itself when nothing
// followed). Each change is
//
//	{"id": "…", "cursor": "…", "kind": "…", "occurred_at": "…", <kind's payload>}
//
// where id is KIAS's stable ID of the change and the payload is one object
// named by the kind:
//
//	policy_issued              "policy": FeedPolicy (a contract concluded or paid offline)
//	payment_received           "payment": FeedPayment (a policy not paid by installments)
//	installment_paid           "payment": FeedPayment with "installment"
//	policy_cancelled           "cancellation": FeedCancellation
//	claim_reported             "claim": FeedClaim
//	claim_status_changed       "claim_status": FeedClaimStatus
//	claim_documents_requested  "claim_documents": FeedClaimDocuments
//
// FeedPoller turns each change into kabinet's command (see its
// documentation for what makes it resumable and idempotent).
//
// # A client's history
//
// What KIAS recorded before the cabinet existed, or before the feed was
// first read, reaches kabinet when the client registers. GET
// /clients/{iin}/history returns the client's history as changes of the
// feed's shape, oldest first: every policy_issued whose holder has the IIN,
// the payment_received, installment_paid and policy_cancelled of those
// contracts, and the claim_reported on them with their claim_status_changed
// and claim_documents_requested. Each change carries the id and cursor it
// has in the feed. FeedPoller.Import applies the history with the feed's
// commands, whose IDs come from the change's id, so a change read both in
// the history and in the feed is written once, whichever comes first.
package kias
