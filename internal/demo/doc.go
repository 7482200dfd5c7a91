// Package demo loads the sample data set of `kabinet serve --demo`: four
// clients with cabinets, policies in every tab of "my policies", drivers
// with their KBM, vehicles, claims in every stage with documents missing,
// bonus points accrued and spent, and notifications.
//
// # Through the front door
//
// Everything goes through the API's own operations (cabinet.Service.Invoke)
// with the keys of the website and insurer roles, as the website and KIAS
// would send it: registration with the SMS code, the access code changed to
// the demo's, policies issued and paid, claims reported and moved through
// their stages. The reactions on the bus do the rest, as in production: they
// accrue bonus points for each payment and put a notice in the inbox for
// each step of a claim. Load waits for those effects before it spends points
// and marks notices read, so it needs the bus and its reactions running.
// It writes no SQL of its own, so it does not care which store is under the
// service.
//
// The simulators stand in for KIAS (the client's card, where registration
// finds them) and the SMS gateway (where Load reads the registration code,
// as the client would on their phone). Load refuses to run without them.
//
// # Once
//
// A second Load finds the data and appends nothing. The insurer's operations
// are idempotent by their natural keys (contract, payment reference, claim
// number); every other request carries an idempotency key fixed by the data
// set. The idempotency keys are scoped by the caller's name, so the API keys
// Load is given must keep their names from one run to the next. A client
// whose access code was changed since (a visitor of the demo may well do
// it) gets the demo's code back through the ordinary reset by SMS, which
// is the one case where a repeated Load writes.
//
// # The clock
//
// Dates are laid out around the day of the first Load, in Asia/Almaty: one
// policy ends within 30 days, an installment fell due two weeks ago and is
// not paid, the history holds policies that ended. They stay where they were
// recorded, so the tabs drift as the days pass, as a real client's do; a
// fresh database gets a fresh set. No reminder falls due on the day of the
// load, so that the load leaves nothing behind for the scheduler that day.
package demo
