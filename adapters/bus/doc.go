// Package bus delivers kabinet's events to its reactions (adapters/reactions)
// over watermill: in-process on a GoChannel by default, or over NATS
// JetStream when several instances share the work. It is the only package
// that imports watermill.
//
// # The relay
//
// A relay reads the global log from its own checkpoint (table
// relay_checkpoints) and publishes each event as a message whose UUID is
// the event ID, whose payload is the event's data and whose metadata carry
// the rest (see NewMessage and EventFromMessage). The checkpoint moves only
// after the publish is acknowledged: by JetStream's publish ack, or, on the
// GoChannel, once every reaction has settled the event. A publish that
// fails is tried again with backoff until it succeeds, so an outage of NATS
// delays events but loses none. Of all instances on one database only one
// relay publishes, the one holding a PostgreSQL advisory lock on a session
// of its own; the others stand by and take over when that session ends. On
// the GoChannel that also means only the instance whose relay is active runs
// reactions: several instances that should share the work need NATS, and
// PostgreSQL. On the embedded SQLite file one process owns the database, the
// locks are that process's own, and the GoChannel is the transport to use.
// With JetStream the event ID is sent as Nats-Msg-Id, so a relay that
// crashed between a publish and its checkpoint publishes again and the
// stream drops the repeat (within its two-minute duplicate window; later
// repeats are caught by the reactions' deduplication).
//
// # Reactions
//
// Each reaction is one watermill handler with a subscription of its own: on
// JetStream a durable consumer with a queue group named after the reaction,
// so that across instances each event reaches each reaction once; on the
// GoChannel a subscriber of the in-process topic. A reaction is given only
// events of its Types, one at a time in log order (on JetStream across
// instances too, while Config.MaxInFlight is 1). A reaction added later
// starts with the events published after it first subscribes; it is never
// handed the history.
//
// # Delivery at least once, effects once
//
// Before it runs a reaction on an event the bus takes a lock on (reaction,
// event ID) (a PostgreSQL advisory lock; in-process on SQLite, see
// internal/sqldb) and reads table reaction_done: an event that
// is already done is skipped, so a redelivery never sends a second SMS.
// The lock makes a redelivery that overlaps the first delivery (an ack that
// came too late, two instances) wait and then skip. Success is written to
// reaction_done before the message is acked. A crash between a reaction's
// effect and that write leads to one more run, which is why every reaction
// must also be idempotent by event ID (its commands derive their IDs from
// it).
//
// # Failures
//
// A failing reaction is retried with exponential backoff (Config.MaxRetries,
// InitialInterval, MaxInterval, Multiplier, with a fifth of jitter); a panic
// counts as a failure, and so does an attempt that runs out of
// Config.HandlerTimeout. When the retries are spent the event goes to the
// poison queue, table reaction_failures, with the error text cut to 1000
// bytes, and is acked, so it never holds other events back.
//
// An outage is not a failure: when a reaction fails because the database or
// a partner is out of reach (reactions.Unavailable: the database unavailable,
// a partner call that timed out), it is tried again with a backoff that
// grows to Config.MaxOutageInterval, for as long as the outage lasts, and
// the try does not count towards MaxRetries; so a short outage puts no good
// event into the poison queue. The event is not acked meanwhile: on the
// GoChannel the relay waits for it, and later events of the reaction wait
// behind it, as they do while the bus cannot reach its own tables; on
// JetStream the delivery ends when AckWait passes and the event comes again,
// to this instance or another, which goes on trying. Only a stop of the bus
// ends the tries, and the event comes again after it.
//
// An event in the poison queue is skipped by later deliveries until an
// operator lists it (Failed, `kabinet reactions failed`) and runs it again
// (Retry, `kabinet reactions retry ID|--all`), which removes the entry on
// success.
//
// # Stopping
//
// Run stops the relay first, then the router: a reaction under way gets
// Config.DrainTimeout to finish before its context is cancelled; no new
// attempt or retry starts. An event that was not settled is not acked and
// comes again: to another instance when JetStream's AckWait expires, or to
// this one when the relay publishes again from its checkpoint after a
// restart.
//
// # Errors and logs
//
// Errors and logs name reactions, event IDs, types, streams and positions,
// never event data. A reaction's own errors must not carry personal data
// either: they are logged and kept in the poison queue.
package bus
