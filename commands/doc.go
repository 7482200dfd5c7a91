// Package commands runs the domain's decisions against the event store.
//
// Every command goes the same way: Load the aggregate's stream and fold its
// events with Evolve; call Decide(state, command, now) with the time from
// the runner's Clock; encode the events and Append them with the version
// that was loaded (eventstore.Exactly). If another writer got there first the
// store refuses with ErrConcurrencyConflict; the runner then reloads and
// decides again on the new state, a bounded number of times (Runner.MaxRetries),
// and after that returns the conflict wrapped. A domain refusal is returned
// as is, so callers match it with errors.Is, and nothing is written.
//
// # Idempotency
//
// Every command carries an ID chosen by the caller (for the API, from the
// request's idempotency key). The runner puts it into every event's metadata
// and derives the event IDs from it (EventID), so the same command run twice
// writes once. Before deciding, the runner looks for events of this command
// in the loaded stream; if it finds them it returns the first run's result
// with Duplicate set and decides nothing, even if the state has moved on and
// Decide would now answer differently. A retry whose first attempt committed
// therefore sees its own events, not a conflict. A command that decided
// nothing leaves no trace and is decided again when repeated.
//
// # Metadata
//
// Correlation ID, causation ID, actor and trace travel in ctx (WithMetadata)
// from the edge that received the request; the runner copies them into every
// event and adds the command ID. Events are written with the aggregate's
// schema version and OccurredAt set to the decision's now.
//
// # Result
//
// Execute returns the stream's new version and the global position of the
// last event, so that an API can wait for read models to reach that position
// before answering (read-your-writes).
package commands
