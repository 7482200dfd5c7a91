// Package reactions holds kabinet's automatic processes: what happens when
// an event is recorded (accrue bonus points on a payment, tell the client a
// claim moved, register a client after an online purchase) and when the
// clock reaches a date (remind before a policy ends). Each reaction is a
// plain function of an event; the bus (adapters/bus) delivers events to it
// at least once, so every reaction is idempotent by the event's ID.
package reactions

import (
	"context"

	"github.com/kabinet/kabinet/eventstore"
)

// Reaction is one automatic process, named <Command>On<Event>.
type Reaction struct {
	// Name is stable: deduplication and the poison queue are keyed by it.
	Name string
	// Types are the event types the reaction is given; others never reach it.
	Types []string
	// Handle carries the reaction out. It must be idempotent by e.ID: the
	// bus may deliver an event again after a crash. An error is retried with
	// backoff, then the event is set aside in the poison queue for an
	// operator, without holding other events back; but an error for which
	// Unavailable holds (the database or a partner out of reach) is retried
	// until it passes, and never sets the event aside. Wrap errors with %w
	// so that the cause stays visible.
	Handle func(ctx context.Context, e eventstore.RecordedEvent) error
}
