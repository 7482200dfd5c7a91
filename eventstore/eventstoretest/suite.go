// Package eventstoretest is the conformance suite every event store backend
// must pass: Run(t, factory). It checks each guarantee in package eventstore's
// documentation, including the one the design exists for: a reader that tails
// the global log under concurrent writers, held-open and rolled-back
// transactions sees every committed event exactly once, in an order that
// never goes backwards.
package eventstoretest

import (
	"context"
	"testing"

	"github.com/kabinet/kabinet/eventstore"
)

// Backend is one fresh, empty store and the hooks the suite needs beyond the contract.
type Backend struct {
	Store eventstore.Store

	// BeginAppend performs an append inside a write transaction and leaves it
	// open: nothing may be visible to readers until commit is called; rollback
	// discards it. Backends with one writer may run the append at commit.
	BeginAppend func(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (commit, rollback func() error, err error)

	// Tamper changes stored rows behind the store's back.
	Tamper Tamperer
}

// Tamperer mutates stored rows directly, as someone with database access could.
type Tamperer interface {
	SetData(stream string, version int64, data []byte) error
	Delete(stream string, version int64) error
	// Swap exchanges the contents of two events of a stream, keeping their versions.
	Swap(stream string, v1, v2 int64) error
}

// Factory makes a fresh backend for one test, using the given upcasters.
type Factory func(t *testing.T, upcasters *eventstore.Upcasters) Backend

// Run runs the whole suite.
func Run(t *testing.T, newBackend Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, Factory)
	}{
		{"RoundTrip", testRoundTrip},
		{"LoadFrom", testLoadFrom},
		{"ExpectedVersion", testExpectedVersion},
		{"InvalidAppend", testInvalidAppend},
		{"ConcurrentSameVersion", testConcurrentSameVersion},
		{"Idempotent", testIdempotent},
		{"ContextCancelled", testContextCancelled},
		{"ReadAllOrderAndLimit", testReadAllOrderAndLimit},
		{"LateCommitNotSkipped", testLateCommitNotSkipped},
		{"RollbackInvisible", testRollbackInvisible},
		{"SubscribeWakes", testSubscribeWakes},
		{"NoSkippedEvents", testNoSkippedEvents},
		{"LoadAsOf", testLoadAsOf},
		{"Upcasting", testUpcasting},
		{"VerifyIntact", testVerifyIntact},
		{"VerifyTampered", testVerifyTampered},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newBackend) })
	}
}
