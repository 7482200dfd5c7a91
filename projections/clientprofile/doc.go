// Package clientprofile is the read model of what the cabinet itself knows
// about a client: how and when they registered, the KIAS card they map to,
// their IIN, mobile phone and name as registered, their settings, consents,
// login lock and last login, and the state of an erasure request. It also
// answers the logins by phone number (Directory).
//
// Personal data is KIAS's: the screen "Мои данные" reads it from KIAS on
// view. The name and IIN here are only what the registration event carried,
// kept so that support can find the client and the SMS texts can greet them.
//
// Erasure: on client.erased the row keeps the client ID and the dates
// (registration, erasure requested, erased) and nothing else, consents
// included, as the client aggregate does. Get still answers for an erased
// client, so that the API can say the account was erased; Settings and the
// Directory do not find them.
//
// Apply folds a batch in memory into one row per client and writes it with
// at most two statements in one round trip: one multi-row insert of the
// clients registered in the batch (their later events already folded in)
// and one multi-row update of the others. Nothing is read before it is
// written: an update says per column "unchanged" (NULL) or the new value,
// and consents merge into the row's jsonb by purpose. Event types that
// change nothing shown here (access codes, failed logins) are skipped
// before decoding.
//
// On SQLite, which has no arrays, the same fold is written with one
// statement per client in the batch's transaction. Consents there are JSON
// text that Go merges and encodes whole (keys sorted), after reading the
// row's consents in the same transaction, so that a row reads the same
// however the batches fell.
//
// Queries always take the client's ID, except the Directory, which exists to
// turn a login by phone number into one.
package clientprofile
