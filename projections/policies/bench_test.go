package policies_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/policies"
)

// BenchmarkRebuild compares a rebuild through projections.Rebuild (read,
// decode, apply, checkpoint) with merely reading and decoding the same log.
// "policies-only" is the worst case for this projection, every event its
// own; "mixed" adds the client events a real log holds between them, which
// the projection skips by type. PostgreSQL applies a batch with unnest,
// SQLite a statement per policy. Run with -bench Rebuild -benchtime 5x.
func BenchmarkRebuild(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB, ...*eventstore.Upcasters) dbtest.Backend
	}{{"postgres", dbtest.Postgres}, {"sqlite", dbtest.SQLite}} {
		b.Run(db.name, func(b *testing.B) { benchmarkRebuild(b, db.open) })
	}
}

func benchmarkRebuild(b *testing.B, open func(testing.TB, ...*eventstore.Upcasters) dbtest.Backend) {
	for _, tc := range []struct {
		name         string
		clientEvents int
	}{{"policies-only", 0}, {"mixed", 6}} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			be := open(b)
			s := be.Store
			seedPolicies(b, s, 2000, tc.clientEvents)
			_, err := projections.CatchUp(ctx, be.DB, s, policies.Projection{})
			require.NoError(b, err)

			var read, rebuild time.Duration
			var events int64
			for b.Loop() {
				t0 := time.Now()
				var at eventstore.Position
				for {
					batch, err := s.ReadAll(ctx, at, projections.DefaultBatchSize)
					require.NoError(b, err)
					if len(batch) == 0 {
						break
					}
					for _, e := range batch {
						require.NoError(b, decodeAny(e))
					}
					at = batch[len(batch)-1].Position
				}
				read += time.Since(t0)
				res, err := projections.Rebuild(ctx, be.DB, s, policies.Projection{}, projections.RebuildOptions{})
				require.NoError(b, err)
				rebuild += res.Elapsed
				events += res.Events
			}
			b.ReportMetric(float64(events)/rebuild.Seconds(), "rebuild-events/s")
			b.ReportMetric(read.Seconds()/rebuild.Seconds(), "rebuild/read-speed")
		})
	}
}

func decodeAny(e eventstore.RecordedEvent) error {
	var err error
	if strings.HasPrefix(e.Type, "client.") {
		_, err = client.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	} else {
		_, err = policy.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	}
	return err
}

// seedPolicies appends n policies paid in three installments, each with a
// document and a renewal or a cancellation (7 events a policy), and before
// each policy clientEvents events of its holder's logins.
func seedPolicies(b *testing.B, s eventstore.Store, n, clientEvents int) {
	ctx := context.Background()
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i := range n {
		if clientEvents > 0 {
			logins := make([]eventstore.Event, clientEvents)
			for j := range logins {
				var e client.Event = client.LoginSucceeded{SucceededAt: at}
				if j%2 == 0 {
					e = client.LoginFailed{Attempts: 1, FailedAt: at}
				}
				typ, data, err := client.EncodeEvent(e)
				require.NoError(b, err)
				logins[j] = eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: client.SchemaVersion, Data: data, OccurredAt: at}
			}
			_, err := s.Append(ctx, eventstore.StreamName(client.Aggregate, uuid.New()), eventstore.NoStream, logins...)
			require.NoError(b, err)
		}
		id := uuid.New()
		c := installments(fmt.Sprintf("BENCH-%d", i), uuid.New(), "2026-01-01", "2026-12-31", "2026-01-01", "2026-05-01", "2026-09-01")
		c.PolicyID = id
		evs, err := policy.Decide(policy.State{}, c, at)
		require.NoError(b, err)
		state := policy.Evolve(policy.State{}, evs[0])
		for j := 1; j <= 2; j++ {
			paid, err := policy.Decide(state, policy.PayInstallment{Number: j, PaymentRef: fmt.Sprintf("P-%d-%d", i, j), Amount: money.MustParse("10000")}, at)
			require.NoError(b, err)
			for _, e := range paid {
				state = policy.Evolve(state, e)
			}
			evs = append(evs, paid...)
		}
		evs = append(evs, policy.DocumentAttached{Kind: policy.DocumentPolicyPDF, BlobRef: "blob/" + id.String(), SHA256: strings.Repeat("0f", 32), AttachedAt: at})
		if i%2 == 0 {
			evs = append(evs, policy.Cancelled{Reason: "sold", EffectiveOn: policy.MustParseDate("2026-06-01"), CancelledAt: at})
		} else {
			evs = append(evs, policy.Prolonged{NewPolicyID: uuid.New(), ProlongedAt: at})
		}
		stored := make([]eventstore.Event, len(evs))
		for j, e := range evs {
			typ, data, err := policy.EncodeEvent(e)
			require.NoError(b, err)
			stored[j] = eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: policy.SchemaVersion, Data: data, OccurredAt: at}
		}
		_, err = s.Append(ctx, eventstore.StreamName(policy.Aggregate, id), eventstore.NoStream, stored...)
		require.NoError(b, err)
	}
}
