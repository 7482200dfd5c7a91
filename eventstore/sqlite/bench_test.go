package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/sqlite"
)

func benchEvent() eventstore.Event {
	return eventstore.Event{
		ID: uuid.New(), Type: "policy.payment_received", SchemaVersion: 1,
		Data:       []byte(`{"payment_ref":"PAY-1234567","amount":"12500.00","paid_at":"2026-03-01T10:00:00+05:00"}`),
		Metadata:   eventstore.Metadata{CorrelationID: "c0ffee", CommandID: uuid.NewString(), Actor: "website"},
		OccurredAt: time.Now(),
	}
}

// BenchmarkAppend measures appends of one writer to its own stream, one
// transaction per iteration. Each commit waits for an fsync
// (synchronous=FULL), so the figures depend on the disk under TMPDIR.
func BenchmarkAppend(b *testing.B) {
	for _, perTx := range []int{1, 100} {
		b.Run(map[int]string{1: "1event", 100: "100events"}[perTx], func(b *testing.B) {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "events.db"), sqlite.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			stream := eventstore.StreamName("bench", uuid.New())
			events := make([]eventstore.Event, perTx)
			version := int64(0)
			for b.Loop() {
				for i := range events {
					events[i] = benchEvent()
				}
				if _, err := s.Append(ctx, stream, eventstore.Exactly(version), events...); err != nil {
					b.Fatal(err)
				}
				version += int64(perTx)
			}
			b.ReportMetric(float64(b.N*perTx)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
