// Package payments is kabinet's port to the payment provider: a link the
// client follows to pay an installment or a premium, and the provider's
// report of the payment, which Callback turns into a RecordPayment or
// PayInstallment command. The Simulator makes links and completes payments
// for tests and the embedded default; Client asks a real provider over HTTP;
// Simulator.Handler serves the simulator over the same API.
//
// # HTTP API of the provider
//
// Paths are relative to the configured base URL; requests carry
// "Authorization: Bearer <API key>" (401 otherwise).
//
//	POST /links   201 {"url", "expires_at"}; 400 for an amount that is not positive
//
// The body is {"policy_id", "policy_number", "installment", "amount"}, with
// installment 0 for a premium paid at once and amount a string such as
// "12000.00". Idempotency-Key is required in spirit: the same key answers
// the same link.
//
// # The callback
//
// When a payment completes, the provider POSTs a Report to kabinet's
// CallbackPath (/payments/callback):
//
//	{"payment_ref", "status", "policy_id", "policy_number", "installment", "amount", "paid_at"}
//
// signed in the header X-Signature: "sha256=" followed by the lower-case hex
// HMAC-SHA256 of the exact body under the secret shared with the provider
// (Sign). kabinet answers 401 to a missing or wrong signature, 400 to a body
// it cannot read, 200 once the payment is recorded (also when it was recorded
// before: the command is idempotent by payment_ref), 200 without recording
// for a status other than "paid", 422 when kabinet refuses the payment for
// good (an unknown policy, a wrong amount) and 503 when the provider should
// deliver again later.
package payments
