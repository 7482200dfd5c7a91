package policies_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/projections/policies"
)

// bucketCase is one policy on the edge of a bucket, on today = 2 March 2026
// (Almaty) while the UTC date is still 1 March.
type bucketCase struct {
	name     string
	issue    func(kias string, holder uuid.UUID) policy.IssuePolicy
	then     func(t *testing.T, k *kit, holder, id uuid.UUID) // payments, cancellation
	standing policies.Standing
	bucket   policies.Bucket
	next     *policies.NextInstallment // nil: not in Installments
}

func bucketCases() []bucketCase {
	term := func(starts, ends string) func(string, uuid.UUID) policy.IssuePolicy {
		return func(kias string, holder uuid.UUID) policy.IssuePolicy { return motor(kias, holder, starts, ends) }
	}
	next := func(n int, due string, overdue bool) *policies.NextInstallment {
		return &policies.NextInstallment{Number: n, DueOn: policy.MustParseDate(due), Amount: money.MustParse("10000"), Overdue: overdue}
	}
	return []bucketCase{
		{name: "ends today: still in force, expiring", issue: term("2025-03-03", "2026-03-02"),
			standing: policies.InForce, bucket: policies.Expiring},
		{name: "ends in 30 days: expiring", issue: term("2025-04-02", "2026-04-01"),
			standing: policies.InForce, bucket: policies.Expiring},
		{name: "ends in 31 days: active", issue: term("2025-04-03", "2026-04-02"),
			standing: policies.InForce, bucket: policies.Active},
		{name: "ended yesterday: history", issue: term("2025-03-02", "2026-03-01"),
			standing: policies.Ended, bucket: policies.History},
		{name: "cancelled: history", issue: term("2025-06-01", "2026-05-31"),
			then:     func(t *testing.T, k *kit, _, id uuid.UUID) { k.cancel(t, id, "2026-02-15") },
			standing: policies.Cancelled, bucket: policies.History},
		{name: "cancellation taking effect today: history", issue: term("2025-06-01", "2026-05-31"),
			then:     func(t *testing.T, k *kit, _, id uuid.UUID) { k.cancel(t, id, "2026-03-02") },
			standing: policies.Cancelled, bucket: policies.History},
		{name: "cancellation taking effect later: covers until then, expiring", issue: term("2025-06-01", "2026-05-31"),
			then:     func(t *testing.T, k *kit, _, id uuid.UUID) { k.cancel(t, id, "2026-03-10") },
			standing: policies.InForce, bucket: policies.Expiring},
		{name: "cancelled before cover began: history at once", issue: term("2026-04-01", "2027-03-31"),
			then:     func(t *testing.T, k *kit, _, id uuid.UUID) { k.cancel(t, id, "2026-04-01") },
			standing: policies.Cancelled, bucket: policies.History},
		{name: "starts today: in force", issue: term("2026-03-02", "2027-03-01"),
			standing: policies.InForce, bucket: policies.Active},
		{name: "starts tomorrow: upcoming, current", issue: term("2026-03-03", "2027-03-02"),
			standing: policies.Upcoming, bucket: policies.Active},
		{name: "starts tomorrow and ends within 30 days: upcoming, expiring", issue: term("2026-03-03", "2026-03-20"),
			standing: policies.Upcoming, bucket: policies.Expiring},
		{name: "installment due yesterday: overdue",
			issue: func(kias string, holder uuid.UUID) policy.IssuePolicy {
				return installments(kias, holder, "2026-01-01", "2026-12-31", "2026-01-01", "2026-03-01", "2026-05-01")
			},
			then:     func(t *testing.T, k *kit, holder, id uuid.UUID) { k.pay(t, holder, id, 1, "PAY-"+id.String()[:8]) },
			standing: policies.InForce, bucket: policies.Active, next: next(2, "2026-03-01", true)},
		{name: "installment due today: not overdue",
			issue: func(kias string, holder uuid.UUID) policy.IssuePolicy {
				return installments(kias, holder, "2026-01-02", "2026-03-31", "2026-01-02", "2026-03-02")
			},
			then:     func(t *testing.T, k *kit, holder, id uuid.UUID) { k.pay(t, holder, id, 1, "PAY-"+id.String()[:8]) },
			standing: policies.InForce, bucket: policies.Expiring, next: next(2, "2026-03-02", false)},
		{name: "all installments paid: not in installments",
			issue: func(kias string, holder uuid.UUID) policy.IssuePolicy {
				return installments(kias, holder, "2026-01-01", "2026-12-31", "2026-01-01", "2026-02-01")
			},
			then: func(t *testing.T, k *kit, holder, id uuid.UUID) {
				k.pay(t, holder, id, 1, "PAY-A-"+id.String()[:8])
				k.pay(t, holder, id, 2, "PAY-B-"+id.String()[:8])
			},
			standing: policies.InForce, bucket: policies.Active},
		{name: "ended with an installment unpaid: history and installments",
			issue: func(kias string, holder uuid.UUID) policy.IssuePolicy {
				return installments(kias, holder, "2025-03-01", "2026-02-28", "2025-03-01", "2025-09-01")
			},
			standing: policies.Ended, bucket: policies.History, next: next(1, "2025-03-01", true)},
		{name: "cancelled with installments unpaid: history only",
			issue: func(kias string, holder uuid.UUID) policy.IssuePolicy {
				return installments(kias, holder, "2026-01-01", "2026-12-31", "2026-01-01", "2026-06-01")
			},
			then:     func(t *testing.T, k *kit, _, id uuid.UUID) { k.cancel(t, id, "2026-02-01") },
			standing: policies.Cancelled, bucket: policies.History},
	}
}

// TestBuckets gives each case its own client, so that the list shows that
// one policy and HasInForce answers for it alone.
func TestBuckets(t *testing.T) {
	ctx := context.Background()
	eachKit(t, func(t *testing.T, k *kit) {
		cases := bucketCases()
		clients := make([]uuid.UUID, len(cases))
		for i, c := range cases {
			clients[i] = uuid.NewSHA1(uuid.NameSpaceOID, []byte(c.name))
			id := k.issue(t, c.issue(fmt.Sprintf("B-%02d", i), clients[i]))
			if c.then != nil {
				c.then(t, k, clients[i], id)
			}
		}
		k.catchUp(t)
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				all, counts, err := policies.List(ctx, k.db, clients[i], now, policies.All)
				require.NoError(t, err)
				require.Len(t, all, 1)
				s := all[0]
				assert.Equal(t, c.standing, s.Standing)
				assert.Equal(t, c.bucket, s.Bucket)
				assert.Equal(t, c.next, s.Next)

				want := policies.Counts{All: 1}
				switch c.bucket {
				case policies.Expiring:
					want.Expiring = 1
				case policies.Active:
					want.Active = 1
				case policies.History:
					want.History = 1
				}
				if c.next != nil {
					want.Installments = 1
				}
				assert.Equal(t, want, counts)

				for _, b := range []policies.Bucket{policies.Expiring, policies.Active, policies.Installments, policies.History} {
					got, _, err := policies.List(ctx, k.db, clients[i], now, b)
					require.NoError(t, err)
					in := b == c.bucket || (b == policies.Installments && c.next != nil)
					assert.Equal(t, in, len(got) == 1, "in bucket %s", b)
				}

				inForce, err := policies.HasInForce(ctx, k.db, clients[i], now)
				require.NoError(t, err)
				assert.Equal(t, c.bucket != policies.History, inForce, "HasInForce agrees with the buckets")
			})
		}
	})
}

func TestListCountsAndOrder(t *testing.T) {
	ctx := context.Background()
	eachKit(t, func(t *testing.T, k *kit) {
		holder, other := uuid.New(), uuid.New()
		id := func(kias, starts, ends string) uuid.UUID { return k.issue(t, motor(kias, holder, starts, ends)) }
		endsToday := id("L-1", "2025-03-03", "2026-03-02")
		endsIn30 := id("L-2", "2025-04-02", "2026-04-01")
		endsIn31 := id("L-3", "2025-04-03", "2026-04-02")
		endsLater := id("L-4", "2025-09-01", "2026-08-31")
		endedYesterday := id("L-5", "2025-03-02", "2026-03-01")
		endedLongAgo := id("L-6", "2024-01-01", "2024-12-31")
		cancelled := id("L-7", "2025-06-01", "2026-05-31")
		k.cancel(t, cancelled, "2026-02-15")
		split := k.issue(t, installments("L-8", holder, "2026-01-01", "2026-12-31", "2026-01-01", "2026-03-01", "2026-05-01"))
		k.catchUp(t) // the payment below lands in a later batch than its policy
		k.pay(t, holder, split, 1, "PAY-L-8-1")
		splitSoon := k.issue(t, installments("L-9", holder, "2026-02-10", "2026-03-20", "2026-02-10", "2026-03-10"))
		k.issue(t, motor("L-10", other, "2025-04-03", "2026-04-02"))
		k.catchUp(t)

		list := func(b policies.Bucket) []uuid.UUID {
			got, counts, err := policies.List(ctx, k.db, holder, now, b)
			require.NoError(t, err)
			assert.Equal(t, policies.Counts{All: 9, Expiring: 3, Active: 3, Installments: 2, History: 3}, counts)
			ids := make([]uuid.UUID, len(got))
			for i, s := range got {
				ids[i] = s.PolicyID
			}
			return ids
		}
		assert.Equal(t, []uuid.UUID{endsToday, splitSoon, endsIn30}, list(policies.Expiring), "end date ascending")
		assert.Equal(t, []uuid.UUID{endsIn31, endsLater, split}, list(policies.Active))
		assert.Equal(t, []uuid.UUID{splitSoon, split}, list(policies.Installments), "next due date ascending")
		assert.Equal(t, []uuid.UUID{endedYesterday, cancelled, endedLongAgo}, list(policies.History), "most recent first")
		assert.Equal(t, []uuid.UUID{endsToday, splitSoon, endsIn30, endsIn31, endsLater, split, endedYesterday, cancelled, endedLongAgo},
			list(""), "the zero bucket is All: current first, then history")

		_, _, err := policies.List(ctx, k.db, holder, now, "lapsed")
		assert.ErrorIs(t, err, policies.ErrUnknownBucket)

		none, counts, err := policies.List(ctx, k.db, uuid.New(), now, policies.All)
		require.NoError(t, err)
		assert.Empty(t, none)
		assert.Equal(t, policies.Counts{}, counts)
	})
}
