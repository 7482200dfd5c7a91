package clientprofile_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/bonusledger"
	"github.com/kabinet/kabinet/projections/clientprofile"
	"github.com/kabinet/kabinet/projections/inbox"
)

// mixedStreams is one client's client, bonus and notice streams, encoded.
func mixedStreams(t testing.TB, n int) map[string][]eventstore.Event {
	id := uuid.New()
	at := start.Add(time.Duration(n) * time.Second)
	rate := decimal.RequireFromString("0.01")
	streams := map[string][]eventstore.Event{}
	add := func(stream string, typ string, data []byte, err error) {
		require.NoError(t, err)
		streams[stream] = append(streams[stream], eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: 1, Data: data, OccurredAt: at})
	}
	for _, e := range benchHistory(id, n) {
		typ, data, err := client.EncodeEvent(e)
		add(eventstore.StreamName(client.Aggregate, id), typ, data, err)
	}
	for _, e := range []bonus.Event{
		bonus.Accrued{PaymentRef: fmt.Sprintf("pay-%d-1", n), PolicyID: uuid.New(), Points: 450, Reason: "purchase", Amount: money.MustParse("45000"), Rate: rate, AccruedAt: at},
		bonus.Spent{OrderRef: fmt.Sprintf("order-%d", n), Points: 300, SpentAt: at},
		bonus.Accrued{PaymentRef: fmt.Sprintf("pay-%d-2", n), Points: 50, Reason: "promo", Amount: money.MustParse("5000"), Rate: rate, AccruedAt: at},
	} {
		typ, data, err := bonus.EncodeEvent(e)
		add(eventstore.StreamName(bonus.Aggregate, id), typ, data, err)
	}
	first := uuid.New()
	for i := range 5 {
		nid := uuid.New()
		if i == 0 {
			nid = first
		}
		typ, data, err := notice.EncodeEvent(notice.Recorded{
			NoticeID: nid, Kind: notice.KindExpiringPolicy, Channels: []notice.Channel{notice.ChannelSMS, notice.ChannelInbox},
			Title: "Полис скоро истекает", Body: fmt.Sprintf("Срок действия полиса ОГПО ВТС № %d-%d истекает 31.03.2025.", n, i),
			PolicyID: uuid.New(), OccurredAt: at,
		})
		add(eventstore.StreamName(notice.Aggregate, id), typ, data, err)
	}
	typ, data, err := notice.EncodeEvent(notice.Read{NoticeID: first, ReadAt: at})
	add(eventstore.StreamName(notice.Aggregate, id), typ, data, err)
	return streams
}

// decodeAny decodes an event with its aggregate's decoder, as a reader of
// the whole log would.
func decodeAny(e eventstore.RecordedEvent) error {
	var err error
	switch {
	case strings.HasPrefix(e.Type, "client."):
		_, err = client.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	case strings.HasPrefix(e.Type, "bonus."):
		_, err = bonus.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	case strings.HasPrefix(e.Type, "notice."):
		_, err = notice.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	}
	return err
}

// BenchmarkRebuildMixed rebuilds the client profile, bonus ledger and inbox
// models, each alone and all three in one pass, over a log that mixes their
// events (per client 10 client, 3 bonus and 6 notice events), and compares
// each with merely reading and decoding the whole log. A real log holds
// policy and claim events too, which these models skip undecoded.
func BenchmarkRebuildMixed(b *testing.B) {
	const clients = 1500
	ctx := context.Background()
	pool, _ := pgtest.New(b)
	store := postgres.New(pool, postgres.Options{})
	b.Cleanup(store.Close)
	for n := range clients {
		for stream, events := range mixedStreams(b, n) {
			_, err := store.Append(ctx, stream, eventstore.NoStream, events...)
			require.NoError(b, err)
		}
	}
	all := []projections.Projection{clientprofile.Projection{}, bonusledger.Projection{}, inbox.Projection{}}
	for _, p := range all {
		_, err := projections.CatchUp(ctx, pool, store, p)
		require.NoError(b, err)
	}
	readAndDecode := func() time.Duration {
		t0 := time.Now()
		var after eventstore.Position
		for {
			batch, err := store.ReadAll(ctx, after, projections.DefaultBatchSize)
			require.NoError(b, err)
			if len(batch) == 0 {
				return time.Since(t0)
			}
			for _, e := range batch {
				require.NoError(b, decodeAny(e))
			}
			after = batch[len(batch)-1].Position
		}
	}
	cases := []struct {
		name string
		ps   []projections.Projection
	}{
		{"client_profile", all[:1]}, {"bonus_ledger", all[1:2]}, {"inbox", all[2:]}, {"all_three", all},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var read, rebuild time.Duration
			for range b.N {
				read += readAndDecode()
				t0 := time.Now()
				_, err := projections.RebuildAll(ctx, pool, store, c.ps, projections.RebuildOptions{})
				require.NoError(b, err)
				rebuild += time.Since(t0)
			}
			b.ReportMetric(read.Seconds()/rebuild.Seconds(), "rebuild/read-speed")
		})
	}
}
