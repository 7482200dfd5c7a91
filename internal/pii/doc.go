// Package pii protects the personal data kabinet has to keep in its event
// log (IIN, names, phone, e-mail, the people and vehicle of a policy, a
// client's account of a claim) by crypto-shredding.
//
// Every client has a data key of their own (AES-256-GCM), made on first use
// and kept in the client_keys table wrapped by the master key, which comes
// from configuration and never enters the database. Store wraps an event
// store: Append moves the personal members of a payload (named per event
// type by the domain packages' Personal tables) into one sealed member,
// bound to the event's ID and type; every read puts them back.
//
// Erasure destroys the key (Keyring.Destroy). The events stay and their hash
// chains, computed over the sealed bytes, still verify; but the sealed
// members can be read by no one, and every reader sees the events as if
// those members had never been given. Sealing anything more for an erased
// client fails with ErrErased.
//
// Unwrapped keys are cached in memory for a minute; a key destroyed by
// another process may go on opening events here until then, while the
// process that destroyed it forgets it at once.
package pii
