package bonusledger_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/bonusledger"
)

var start = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Minute)
	return c.now
}

// env is a database with its event store, the bonus handlers on it and the
// read model.
type env struct {
	t       *testing.T
	db      sqldb.DB
	store   eventstore.Store
	bonuses *commands.Bonuses
	notices *commands.Notices
	last    eventstore.Position // of the last command that wrote
}

// eachEnv runs fn as a subtest on a fresh env of each dialect.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) { fn(t, newEnv(t, b)) })
}

func newEnv(t *testing.T, b dbtest.Backend) *env {
	r := commands.New(b.Store, &clock{now: start})
	bonuses, err := commands.NewBonuses(r, commands.BonusConfig{})
	require.NoError(t, err)
	return &env{t: t, db: b.DB, store: b.Store, bonuses: bonuses, notices: commands.NewNotices(r)}
}

func (e *env) wrote(res commands.Result, err error) {
	e.t.Helper()
	require.NoError(e.t, err)
	if e.last.Less(res.Position) {
		e.last = res.Position
	}
}

// catchUp applies the log up to the last write. CatchUp stops at the visible
// end of the log, which an open transaction elsewhere on the server can hold
// back, so it is repeated until the checkpoint passes the write.
func (e *env) catchUp() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		g, err := projections.CatchUp(ctx, e.db, e.store, bonusledger.Projection{})
		require.NoError(e.t, err)
		if !g.Position.Less(e.last) {
			return
		}
		select {
		case <-ctx.Done():
			e.t.Fatalf("projection stopped at %s before %s", g.Position, e.last)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (e *env) account(clientID uuid.UUID) bonusledger.Summary {
	e.t.Helper()
	a, err := bonusledger.Account(context.Background(), e.db, clientID)
	require.NoError(e.t, err)
	return a
}

func (e *env) ledger(clientID uuid.UUID, limit int, before bonusledger.Cursor) ([]bonusledger.Entry, bonusledger.Cursor) {
	e.t.Helper()
	entries, next, err := bonusledger.Ledger(context.Background(), e.db, clientID, limit, before)
	require.NoError(e.t, err)
	return entries, next
}

// noDrift checks that a fresh replay of the log gives the rows the
// incremental applies gave.
func (e *env) noDrift() {
	e.t.Helper()
	diffs, err := projections.Verify(context.Background(), e.db, e.store, bonusledger.Projection{}, 5)
	require.NoError(e.t, err)
	assert.Empty(e.t, diffs)
}

func TestAccountAndLedger(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		alice, bob, policyID := uuid.New(), uuid.New(), uuid.New()

		// Apply after every step, so the account totals are added up over many batches.
		steps := []func() (commands.Result, error){
			func() (commands.Result, error) {
				return e.bonuses.AccrueBonus(ctx, uuid.New(), alice, "pay-1", money.MustParse("45099.99"), policyID)
			},
			func() (commands.Result, error) {
				return e.notices.Record(ctx, uuid.New(), alice, notice.RecordNotice{NoticeID: uuid.New(), Kind: notice.KindBonus,
					Channels: []notice.Channel{notice.ChannelInbox}, Title: "Бонусы", Body: "Начислено 450 баллов"})
			},
			func() (commands.Result, error) {
				return e.bonuses.AccrueBonus(ctx, uuid.New(), alice, "pay-2", money.MustParse("10000"), uuid.Nil)
			},
			func() (commands.Result, error) { return e.bonuses.SpendBonus(ctx, uuid.New(), alice, "order-1", 300) },
			func() (commands.Result, error) { return e.bonuses.ReverseBonus(ctx, uuid.New(), alice, "pay-1") },
			func() (commands.Result, error) {
				return e.bonuses.AccrueBonus(ctx, uuid.New(), bob, "pay-9", money.MustParse("1000"), policyID)
			},
			func() (commands.Result, error) {
				return e.bonuses.AccrueBonus(ctx, uuid.New(), alice, "pay-3", money.MustParse("5000"), policyID)
			},
			func() (commands.Result, error) {
				return e.bonuses.ExpireBonus(ctx, uuid.New(), alice, 20, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
			},
		}
		for _, step := range steps {
			e.wrote(step())
			e.catchUp()
		}

		a := e.account(alice)
		assert.Equal(t, bonusledger.Summary{
			ClientID: alice, Balance: 30, Accrued: 600, Spent: 300, Reversed: 250, Expired: 20, Shortfall: 200,
			Entries: 6, LastEntryAt: start.Add(8 * time.Minute),
		}, a)
		balance, err := e.bonuses.Balance(ctx, alice)
		require.NoError(t, err)
		assert.Equal(t, balance, a.Balance, "the read model agrees with the aggregate")
		assert.Equal(t, int64(10), e.account(bob).Balance)

		entries, next := e.ledger(alice, 0, 0)
		assert.Zero(t, next, "one page holds it all")
		require.Len(t, entries, 6)
		var kinds []bonusledger.Kind
		var sum int64
		for _, en := range entries {
			kinds = append(kinds, en.Kind)
			sum += en.Delta
		}
		assert.Equal(t, []bonusledger.Kind{
			bonusledger.KindExpired, bonusledger.KindAccrued, bonusledger.KindReversed,
			bonusledger.KindSpent, bonusledger.KindAccrued, bonusledger.KindAccrued,
		}, kinds, "newest first")
		assert.Equal(t, a.Balance, sum, "the balance is the sum of the ledger")

		first := entries[5]
		assert.Equal(t, bonusledger.Entry{
			Seq: 1, Kind: bonusledger.KindAccrued, Points: 450, Delta: 450, Reason: bonus.DefaultAccrualReason,
			PaymentRef: "pay-1", PolicyID: policyID, Amount: money.MustParse("45099.99"),
			Rate: decimal.RequireFromString("0.01"), At: start.Add(time.Minute),
		}, first)
		assert.Equal(t, uuid.Nil, entries[4].PolicyID, "an accrual without a policy")
		assert.Equal(t, bonusledger.Entry{Seq: 3, Kind: bonusledger.KindSpent, Points: 300, Delta: -300, OrderRef: "order-1", At: start.Add(4 * time.Minute)}, entries[3])
		assert.Equal(t, bonusledger.Entry{
			Seq: 4, Kind: bonusledger.KindReversed, Points: 250, Delta: -250, Shortfall: 200,
			PaymentRef: "pay-1", At: start.Add(5 * time.Minute),
		}, entries[2])
		assert.Equal(t, bonusledger.Entry{
			Seq: 6, Kind: bonusledger.KindExpired, Points: 20, Delta: -20,
			AsOf: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), At: start.Add(8 * time.Minute),
		}, entries[0])

		bobs, _ := e.ledger(bob, 0, 0)
		require.Len(t, bobs, 1, "a ledger shows its owner's entries only")
		assert.Equal(t, "pay-9", bobs[0].PaymentRef)

		e.noDrift()
	})
}

func TestNoBonusEventsIsAnEmptyAccount(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		stranger := uuid.New()
		e.wrote(e.bonuses.AccrueBonus(context.Background(), uuid.New(), uuid.New(), "pay-1", money.MustParse("1000"), uuid.Nil))
		e.catchUp()
		assert.Equal(t, bonusledger.Summary{ClientID: stranger}, e.account(stranger))
		entries, next := e.ledger(stranger, 10, 0)
		assert.Empty(t, entries)
		assert.Zero(t, next)
	})
}

func TestLedgerPaging(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		client := uuid.New()
		for i := range 7 {
			e.wrote(e.bonuses.AccrueBonus(ctx, uuid.New(), client, "pay-"+string(rune('a'+i)), money.MustParse("1000"), uuid.Nil))
		}
		e.catchUp()

		tests := []struct {
			name     string
			limit    int
			before   bonusledger.Cursor
			wantSeqs []int64
			wantNext bonusledger.Cursor
		}{
			{"first page", 3, 0, []int64{7, 6, 5}, 5},
			{"second page", 3, 5, []int64{4, 3, 2}, 2},
			{"last page is short", 3, 2, []int64{1}, 0},
			{"a page that ends exactly at the oldest has no next", 4, 5, []int64{4, 3, 2, 1}, 0},
			{"zero limit means the default", 0, 0, []int64{7, 6, 5, 4, 3, 2, 1}, 0},
			{"a cursor past the oldest is an empty page", 3, 1, nil, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				entries, next := e.ledger(client, tt.limit, tt.before)
				var seqs []int64
				for _, en := range entries {
					seqs = append(seqs, en.Seq)
				}
				assert.Equal(t, tt.wantSeqs, seqs)
				assert.Equal(t, tt.wantNext, next)
			})
		}

		_, _, err := bonusledger.Ledger(ctx, e.db, client, 3, -1)
		assert.ErrorIs(t, err, bonusledger.ErrInvalidCursor)
	})
}

// Random histories: after every few commands the read model's balance, the
// aggregate's balance and the sum of the ledger agree, and a rebuild gives
// the same rows.
func TestBalanceFollowsTheAggregate(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(7, 11))
		clients := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
		for i := range 80 {
			c := clients[rng.IntN(len(clients))]
			pay := "pay-" + string(rune('a'+rng.IntN(6)))
			var (
				res commands.Result
				err error
			)
			switch rng.IntN(4) {
			case 0:
				res, err = e.bonuses.AccrueBonus(ctx, uuid.New(), c, pay, money.FromTiyn(rng.Int64N(10_000_000)), uuid.Nil)
			case 1:
				res, err = e.bonuses.SpendBonus(ctx, uuid.New(), c, "order-"+string(rune('a'+rng.IntN(20))), 1+rng.Int64N(400))
			case 2:
				res, err = e.bonuses.ReverseBonus(ctx, uuid.New(), c, pay)
			case 3:
				res, err = e.bonuses.ExpireBonus(ctx, uuid.New(), c, 1+rng.Int64N(300), start.AddDate(0, 0, rng.IntN(5)))
			}
			if err != nil {
				if !errors.Is(err, bonus.ErrInsufficientBalance) {
					require.ErrorIs(t, err, bonus.ErrUnknownPayment, "step %d", i)
				}
				continue
			}
			e.wrote(res, nil)
			if i%9 == 0 {
				e.catchUp()
			}
		}
		e.catchUp()
		var total int64
		for _, c := range clients {
			want, err := e.bonuses.Balance(ctx, c)
			require.NoError(t, err)
			a := e.account(c)
			assert.Equal(t, want, a.Balance)
			assert.GreaterOrEqual(t, a.Balance, int64(0))
			assert.Equal(t, a.Accrued-a.Spent-a.Reversed-a.Expired, a.Balance)
			entries, _ := e.ledger(c, bonusledger.MaxLimit, 0)
			var sum int64
			for _, en := range entries {
				sum += en.Delta
			}
			assert.Equal(t, a.Balance, sum)
			assert.Equal(t, a.Entries, int64(len(entries)))
			total += a.Entries
		}
		assert.Greater(t, total, int64(30), "the history exercised the model")
		e.noDrift()
	})
}

// A bonus event type this version does not know (one added later) is
// skipped, not a reason to stop.
func TestUnknownBonusEventIsSkipped(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		client := uuid.New()
		e.wrote(e.bonuses.AccrueBonus(context.Background(), uuid.New(), client, "pay-1", money.MustParse("1000"), uuid.Nil))
		res, err := e.store.Append(context.Background(), eventstore.StreamName(bonus.Aggregate, client), eventstore.Exactly(1),
			eventstore.Event{ID: uuid.New(), Type: "bonus.gifted", SchemaVersion: 1, Data: []byte(`{"points":5}`), OccurredAt: start})
		require.NoError(t, err)
		e.last = res.Position
		e.catchUp()
		assert.Equal(t, int64(10), e.account(client).Balance)
	})
}
