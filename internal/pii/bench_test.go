package pii_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/pii"
)

// BenchmarkPersonalData compares sealing and opening a registration (key
// cached) with decoding it, the least a reader does with an event anyway:
//
//	go test -run '^$' -bench PersonalData -count 5 ./internal/pii/
func BenchmarkPersonalData(b *testing.B) {
	ctx := context.Background()
	keys, err := pii.NewKeyring(dbtest.SQLite(b).DB, masterKey(b))
	require.NoError(b, err)
	s := pii.NewSealer(keys, pii.Rules()...)
	id := uuid.New()
	stream := eventstore.StreamName(client.Aggregate, id)
	ev := registered(b, id)
	sealed := ev
	require.NoError(b, s.Seal(ctx, stream, &sealed))

	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := client.DecodeEvent(ev.Type, ev.SchemaVersion, ev.Data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("seal", func(b *testing.B) {
		for b.Loop() {
			e := ev
			if err := s.Seal(ctx, stream, &e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			e := eventstore.RecordedEvent{Event: sealed, Stream: stream}
			if err := s.Open(ctx, &e); err != nil {
				b.Fatal(err)
			}
		}
	})
}
