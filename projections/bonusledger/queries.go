package bonusledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Querier is what the queries need of a pool, a connection or a transaction.
type Querier = sqldb.Querier

// Ledger page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// ErrInvalidCursor means a ledger cursor that no page handed out.
var ErrInvalidCursor = errors.New("invalid ledger cursor")

// Kind is what moved the points.
type Kind string

// Kinds of ledger entry.
const (
	KindAccrued  Kind = "accrued"
	KindSpent    Kind = "spent"
	KindReversed Kind = "reversed"
	KindExpired  Kind = "expired"
)

// Summary is a client's bonus account (the type cannot share the name of
// the query Account). Points taken back by reversals are
// Reversed; Shortfall is what reversals could not take back.
type Summary struct {
	ClientID    uuid.UUID
	Balance     int64
	Accrued     int64
	Spent       int64
	Reversed    int64
	Expired     int64
	Shortfall   int64
	Entries     int64
	LastEntryAt time.Time // zero for an account with no entries
}

// Entry is one movement of points. Points is what the event moved (never
// negative); Delta is its effect on the balance. Only the fields of its
// kind are set: PaymentRef for accruals and reversals, PolicyID, Reason,
// Amount and Rate for accruals, OrderRef for spends, AsOf for expiries.
type Entry struct {
	Seq        int64 // the entry's place in the client's ledger
	Kind       Kind
	Points     int64
	Delta      int64
	Shortfall  int64
	Reason     string
	PaymentRef string
	PolicyID   uuid.UUID
	OrderRef   string
	Amount     money.KZT
	Rate       decimal.Decimal
	AsOf       time.Time
	At         time.Time
}

// Cursor pages through a ledger from the newest entry back. The zero Cursor
// is the newest end; a page returns the cursor of the next, older page.
type Cursor int64

// Account returns the client's bonus account; a client with no bonus events
// has an empty one.
func Account(ctx context.Context, q Querier, clientID uuid.UUID) (Summary, error) {
	a := Summary{ClientID: clientID}
	err := q.QueryRow(ctx, `SELECT balance, accrued, spent, reversed, expired, shortfall, entries, last_entry_at
		FROM `+tableAccounts+` WHERE client_id = $1`, clientID).
		Scan(&a.Balance, &a.Accrued, &a.Spent, &a.Reversed, &a.Expired, &a.Shortfall, &a.Entries, &a.LastEntryAt)
	if sqldb.IsNoRows(err) {
		return Summary{ClientID: clientID}, nil
	}
	if err != nil {
		return Summary{}, fmt.Errorf("bonus account: %w", err)
	}
	a.LastEntryAt = a.LastEntryAt.UTC()
	return a, nil
}

// Ledger returns up to limit entries of the client's ledger older than
// before (the zero Cursor: from the newest), newest first, and the cursor of
// the next page, which is zero when there is none. A limit out of 1..MaxLimit
// means DefaultLimit or MaxLimit.
func Ledger(ctx context.Context, q Querier, clientID uuid.UUID, limit int, before Cursor) ([]Entry, Cursor, error) {
	if before < 0 {
		return nil, 0, fmt.Errorf("bonus ledger: %w", ErrInvalidCursor)
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	upTo := int64(before)
	if before == 0 {
		upTo = 1<<63 - 1
	}
	// One row more than asked says whether there is a next page.
	rows, err := q.Query(ctx, `SELECT seq, kind, points, delta, shortfall, coalesce(reason, ''), coalesce(ref, ''),
			coalesce(policy_id, '00000000-0000-0000-0000-000000000000'), amount_tiyn, rate, as_of, at
		FROM `+tableEntries+` WHERE client_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, clientID, upTo, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("bonus ledger: %w", err)
	}
	entries, err := sqldb.CollectRows(rows, scanEntry)
	if err != nil {
		return nil, 0, fmt.Errorf("bonus ledger: %w", err)
	}
	if len(entries) <= limit {
		return entries, 0, nil
	}
	entries = entries[:limit]
	return entries, Cursor(entries[limit-1].Seq), nil
}

func scanEntry(row sqldb.Row) (Entry, error) {
	var (
		e      Entry
		ref    string
		amount *int64
		rate   *string
		asOf   *time.Time
	)
	if err := row.Scan(&e.Seq, &e.Kind, &e.Points, &e.Delta, &e.Shortfall, &e.Reason, &ref,
		&e.PolicyID, &amount, &rate, &asOf, &e.At); err != nil {
		return Entry{}, err
	}
	if e.Kind == KindSpent {
		e.OrderRef = ref
	} else {
		e.PaymentRef = ref
	}
	e.At = e.At.UTC()
	if amount != nil {
		e.Amount = money.FromTiyn(*amount)
	}
	if rate != nil {
		r, err := decimal.NewFromString(*rate)
		if err != nil {
			return Entry{}, fmt.Errorf("entry %d: rate: %w", e.Seq, err)
		}
		e.Rate = r
	}
	if asOf != nil {
		e.AsOf = asOf.UTC()
	}
	return e, nil
}
