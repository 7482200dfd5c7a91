package main

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/policy"
)

// reactionsOnTheLoad are the reactions the insurer's writes set off, by the
// event type each one handles.
var reactionsOnTheLoad = []struct{ eventType, reaction string }{
	{policy.TypeIssued, reactions.NameRegisterClientOnPolicyIssued},
	{policy.TypeIssued, reactions.NameScheduleRemindersOnPolicyIssued},
	{policy.TypePaymentReceived, reactions.NameAccrueBonusOnPaymentReceived},
}

// undelivered counts the (event, reaction) pairs of the load that no
// reaction has settled yet, and tells whether the relay's checkpoint has
// reached the end of the log.
func undelivered(ctx context.Context, pool *pgxpool.Pool) (pending int, relayAtEnd bool, err error) {
	for _, r := range reactionsOnTheLoad {
		var n int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM events e WHERE e.type = $1
			AND NOT EXISTS (SELECT 1 FROM reaction_done d WHERE d.reaction = $2 AND d.event_id = e.event_id)`,
			r.eventType, r.reaction).Scan(&n)
		if err != nil {
			return 0, false, err
		}
		pending += n
	}
	err = pool.QueryRow(ctx, `SELECT coalesce((SELECT (position_tx, position_seq) >= (e.tx::text::bigint, e.seq)
		FROM relay_checkpoints WHERE name = 'bus'), false)
		FROM events e ORDER BY e.tx DESC, e.seq DESC LIMIT 1`).Scan(&relayAtEnd)
	return pending, relayAtEnd, err
}

// streamsByKey maps a member of the data of every event of a type to the
// streams it occurs in, once per event.
func streamsByKey(t *testing.T, pool *pgxpool.Pool, eventType, member string) map[string][]string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT data->>$2, stream FROM events WHERE type = $1`, eventType, member)
	require.NoError(t, err)
	out := map[string][]string{}
	var key, stream string
	_, err = pgx.ForEachRow(rows, []any{&key, &stream}, func() error {
		out[key] = append(out[key], stream)
		return nil
	})
	require.NoError(t, err)
	return out
}

// assertAnsweredInLog checks that every write answered 200 is in the log,
// once, in the stream of the policy the answer named.
func assertAnsweredInLog(t *testing.T, pool *pgxpool.Pool, ok *answered) {
	t.Helper()
	issued := streamsByKey(t, pool, policy.TypeIssued, "kias_contract_id")
	for contract, id := range ok.policies {
		assert.Equal(t, []string{"policy-" + id}, issued[contract], "policy of contract %s, answered OK", contract)
	}
	paid := streamsByKey(t, pool, policy.TypePaymentReceived, "payment_ref")
	for ref, id := range ok.payments {
		assert.Equal(t, []string{"policy-" + id}, paid[ref], "payment %s, answered OK", ref)
	}
}

// assertEffectsOnce checks that the reactions had their effects once each:
// every payment in the log earned points exactly once, no command was
// recorded twice, every (event, reaction) pair was settled and none was
// given up on.
func assertEffectsOnce(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	paid := streamsByKey(t, pool, policy.TypePaymentReceived, "payment_ref")
	accrued := streamsByKey(t, pool, bonus.TypeAccrued, "payment_ref")
	assert.Len(t, accrued, len(paid), "one accrual for each payment reference, and none for anything else")
	for ref, streams := range paid {
		assert.Len(t, streams, 1, "payment %s is recorded once", ref)
		assert.Len(t, accrued[ref], 1, "payment %s earns points once", ref)
	}

	rows, err := pool.Query(ctx, `SELECT metadata->>'command_id' || ' ' || type FROM events
		WHERE metadata->>'command_id' IS NOT NULL GROUP BY metadata->>'command_id', type HAVING count(*) > 1`)
	require.NoError(t, err)
	repeated, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Empty(t, repeated, "a command recorded its events twice")

	for _, r := range reactionsOnTheLoad {
		var events, done int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*),
			count(*) FILTER (WHERE EXISTS (SELECT 1 FROM reaction_done d WHERE d.reaction = $2 AND d.event_id = e.event_id))
			FROM events e WHERE e.type = $1`, r.eventType, r.reaction).Scan(&events, &done))
		assert.Equal(t, events, done, "%s settled every %s", r.reaction, r.eventType)
	}
	var poisoned int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM reaction_failures`).Scan(&poisoned))
	assert.Zero(t, poisoned, "no reaction gave up on an event")
}
