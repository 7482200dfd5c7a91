package clientprofile_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

// benchHistory is ten events of one client, the kinds a cabinet sees most.
func benchHistory(id uuid.UUID, n int) []client.Event {
	at := start.Add(time.Duration(n) * time.Second)
	phone := kz.MustParsePhone(fmt.Sprintf("+7701%07d", n))
	s := client.DefaultSettings()
	s.Email, s.AutoProlongation = "client@example.kz", true
	return []client.Event{
		client.Registered{ClientID: id, IIN: iinA, FirstName: "Айгерим", LastName: "Сапарова", Phone: phone,
			Source: client.SourceKIAS, KIASClientID: "EKK-1", Settings: client.DefaultSettings(), RegisteredAt: at},
		client.AccessCodeIssued{Kind: client.CodeOneTime, Hash: fmt.Sprintf("%064x", n), ExpiresAt: at.Add(time.Hour), IssuedAt: at},
		client.LoginFailed{Attempts: 1, FailedAt: at},
		client.LoginSucceeded{SucceededAt: at},
		client.SettingsChanged{Settings: s, ChangedAt: at},
		client.ConsentGiven{Purpose: client.PurposePersonalData, Scope: []string{"iin", "phone"}, GivenAt: at},
		client.ConsentGiven{Purpose: client.PurposeMarketing, Scope: []string{"phone"}, GivenAt: at},
		client.ConsentWithdrawn{Purpose: client.PurposeMarketing, WithdrawnAt: at},
		client.PhoneChanged{Old: phone, New: phoneA2, ChangedAt: at},
		client.LoginLocked{Until: at.Add(time.Hour), LockedAt: at},
	}
}

// BenchmarkRebuild compares a rebuild of the model with merely reading and
// decoding the same log, which holds client events only: the worst case,
// since a real log holds many events this model skips undecoded. The
// speed metric is the rebuild's speed as a share of the read's (the target
// is at least 0.6).
func BenchmarkRebuild(b *testing.B) {
	const clients = 3000
	ctx := context.Background()
	pool, _ := pgtest.New(b)
	store := postgres.New(pool, postgres.Options{})
	b.Cleanup(store.Close)
	for n := range clients {
		id := uuid.New()
		history := benchHistory(id, n)
		events := make([]eventstore.Event, len(history))
		for i, e := range history {
			typ, data, err := client.EncodeEvent(e)
			require.NoError(b, err)
			events[i] = eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: client.SchemaVersion, Data: data, OccurredAt: start}
		}
		_, err := store.Append(ctx, eventstore.StreamName(client.Aggregate, id), eventstore.NoStream, events...)
		require.NoError(b, err)
	}
	_, err := projections.CatchUp(ctx, pool, store, clientprofile.Projection{})
	require.NoError(b, err)

	b.ResetTimer()
	var read, rebuild time.Duration
	var events int64
	for range b.N {
		t0 := time.Now()
		var after eventstore.Position
		for {
			batch, err := store.ReadAll(ctx, after, projections.DefaultBatchSize)
			require.NoError(b, err)
			if len(batch) == 0 {
				break
			}
			for _, e := range batch {
				_, err := client.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
				require.NoError(b, err)
			}
			after = batch[len(batch)-1].Position
		}
		read += time.Since(t0)
		res, err := projections.Rebuild(ctx, pool, store, clientprofile.Projection{}, projections.RebuildOptions{})
		require.NoError(b, err)
		rebuild += res.Elapsed
		events += res.Events
	}
	b.ReportMetric(float64(events)/rebuild.Seconds(), "rebuild-events/s")
	b.ReportMetric(read.Seconds()/rebuild.Seconds(), "rebuild/read-speed")
}
