package bonusledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

// Name is the projection's name.
const Name = "bonus_ledger"

// Logical table names: the views queries read.
const (
	tableAccounts = "bonus_accounts"
	tableEntries  = "bonus_ledger_entries"
)

// Projection builds the bonus accounts and ledgers.
type Projection struct{}

var _ projections.Projection = Projection{}

// Name implements projections.Projection.
func (Projection) Name() string { return Name }

// Version implements projections.Projection.
func (Projection) Version() int { return 1 }

// Tables implements projections.Projection.
func (Projection) Tables() []string { return []string{tableAccounts, tableEntries} }

// Schema implements projections.Projection.
func (Projection) Schema(d sqldb.Dialect, t projections.Tables) []string {
	if d == sqldb.SQLite {
		return sqliteSchema(t)
	}
	return []string{
		`CREATE TABLE ` + t[tableAccounts] + ` (
			client_id     uuid PRIMARY KEY,
			balance       bigint NOT NULL,
			accrued       bigint NOT NULL,
			spent         bigint NOT NULL,
			reversed      bigint NOT NULL,
			expired       bigint NOT NULL,
			shortfall     bigint NOT NULL,
			entries       bigint NOT NULL,
			last_entry_at timestamptz NOT NULL
		)`,
		// The primary key serves the ledger query: one client, versions descending.
		`CREATE TABLE ` + t[tableEntries] + ` (
			client_id   uuid NOT NULL,
			seq         bigint NOT NULL,
			kind        text NOT NULL,
			points      bigint NOT NULL,
			delta       bigint NOT NULL,
			shortfall   bigint NOT NULL,
			reason      text,
			ref         text, -- the payment for accruals and reversals, the order for spends
			policy_id   uuid,
			amount_tiyn bigint,
			rate        text,
			as_of       timestamptz,
			at          timestamptz NOT NULL,
			PRIMARY KEY (client_id, seq)
		)`,
	}
}

// rows collects a batch column by column, for unnest. Only plain slices
// are used, which pgx encodes without reflection: IDs as arrays (a
// uuid.UUID goes through its driver.Valuer, as a string), and a field a
// kind does not have as its zero value, which the insert turns into NULL.
type rows struct {
	client, policy                        [][16]byte
	seq, points, delta, shortfall, amount []int64
	kind, reason, ref, rate               []string
	asOf, at                              []time.Time
}

// totals is what a batch adds to one account.
type totals struct {
	balance, accrued, spent, reversed, expired, shortfall, entries int64
	last                                                           time.Time
}

// Apply implements projections.Projection.
func (Projection) Apply(ctx context.Context, tx sqldb.Tx, t projections.Tables, batch []eventstore.RecordedEvent) error {
	var r rows
	accounts := map[uuid.UUID]*totals{}
	var order []uuid.UUID // first-seen order, so the statements are the same on every rebuild
	for _, e := range batch {
		// Types are matched exactly, before decoding: other aggregates' events
		// and bonus events this version does not know are skipped unread.
		switch e.Type {
		case bonus.TypeAccrued, bonus.TypeSpent, bonus.TypeReversed, bonus.TypeExpired:
		default:
			continue
		}
		clientID, err := streamID(e.Stream)
		if err != nil {
			return err
		}
		ev, err := bonus.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
		if err != nil {
			return fmt.Errorf("%s version %d: %w", e.Stream, e.Version, err)
		}
		a := accounts[clientID]
		if a == nil {
			a = &totals{}
			accounts[clientID] = a
			order = append(order, clientID)
		}
		if !r.add(clientID, e.Version, ev, a) {
			continue
		}
		a.entries++
	}
	if len(r.client) == 0 {
		return nil
	}
	if tx.Dialect() == sqldb.SQLite {
		return writeSQLite(ctx, tx, t, &r, order, accounts)
	}
	// No ON CONFLICT on the ledger: the runner applies each event once, and
	// an event applied twice must fail rather than count twice in the totals.
	b := &sqldb.Batch{}
	b.Queue(`INSERT INTO `+t[tableEntries]+` (client_id, seq, kind, points, delta, shortfall, reason, ref,
			policy_id, amount_tiyn, rate, as_of, at)
		SELECT c, s, k, p, d, sf, nullif(re, ''), ref, nullif(po, '00000000-0000-0000-0000-000000000000'),
			CASE WHEN k = 'accrued' THEN am END, nullif(ra, ''), nullif(ao, '0001-01-01 00:00:00Z'), at
		FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[],
			$8::text[], $9::uuid[], $10::bigint[], $11::text[], $12::timestamptz[], $13::timestamptz[])
			AS u(c, s, k, p, d, sf, re, ref, po, am, ra, ao, at)`,
		r.client, r.seq, r.kind, r.points, r.delta, r.shortfall, r.reason,
		r.ref, r.policy, r.amount, r.rate, r.asOf, r.at)
	queueAccounts(b, t[tableAccounts], order, accounts)
	return tx.SendBatch(ctx, b)
}

// add appends the ledger row of one event and adds it to the account's
// totals; it reports false for an event type this model does not show.
func (r *rows) add(clientID uuid.UUID, seq int64, ev bonus.Event, a *totals) bool {
	var (
		kind                             Kind
		points, delta, shortfall, amount int64
		reason, ref, rate                string
		policy                           uuid.UUID
		asOf, at                         time.Time
	)
	switch ev := ev.(type) {
	case bonus.Accrued:
		kind, points, delta, at = KindAccrued, ev.Points, ev.Points, ev.AccruedAt
		reason, ref, policy = ev.Reason, ev.PaymentRef, ev.PolicyID
		amount, rate = ev.Amount.Tiyn(), ev.Rate.String()
		a.accrued += ev.Points
	case bonus.Spent:
		kind, points, delta, at = KindSpent, ev.Points, -ev.Points, ev.SpentAt
		ref = ev.OrderRef
		a.spent += ev.Points
	case bonus.Reversed:
		kind, points, delta, shortfall, at = KindReversed, ev.Points, -ev.Points, ev.Shortfall, ev.ReversedAt
		ref = ev.PaymentRef
		a.reversed += ev.Points
		a.shortfall += ev.Shortfall
	case bonus.Expired:
		kind, points, delta, at = KindExpired, ev.Points, -ev.Points, ev.ExpiredAt
		asOf = ev.AsOf
		a.expired += ev.Points
	default:
		return false
	}
	a.balance += delta
	if at.After(a.last) {
		a.last = at
	}
	r.client = append(r.client, [16]byte(clientID))
	r.seq = append(r.seq, seq)
	r.kind = append(r.kind, string(kind))
	r.points = append(r.points, points)
	r.delta = append(r.delta, delta)
	r.shortfall = append(r.shortfall, shortfall)
	r.reason = append(r.reason, reason)
	r.ref = append(r.ref, ref)
	r.policy = append(r.policy, [16]byte(policy))
	r.amount = append(r.amount, amount)
	r.rate = append(r.rate, rate)
	r.asOf = append(r.asOf, asOf)
	r.at = append(r.at, at)
	return true
}

// queueAccounts adds each client's batch totals to their account, one row
// per client (an upsert may not touch a row twice).
func queueAccounts(b *sqldb.Batch, table string, order []uuid.UUID, accounts map[uuid.UUID]*totals) {
	n := len(order)
	ids := make([][16]byte, 0, n)
	cols := make([][]int64, 7)
	last := make([]time.Time, 0, n)
	for _, id := range order {
		a := accounts[id]
		if a.entries == 0 {
			continue
		}
		ids = append(ids, [16]byte(id))
		for i, v := range []int64{a.balance, a.accrued, a.spent, a.reversed, a.expired, a.shortfall, a.entries} {
			cols[i] = append(cols[i], v)
		}
		last = append(last, a.last)
	}
	b.Queue(`INSERT INTO `+table+` AS a (client_id, balance, accrued, spent, reversed, expired, shortfall, entries, last_entry_at)
		SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
			$7::bigint[], $8::bigint[], $9::timestamptz[])
		ON CONFLICT (client_id) DO UPDATE SET
			balance = a.balance + excluded.balance, accrued = a.accrued + excluded.accrued,
			spent = a.spent + excluded.spent, reversed = a.reversed + excluded.reversed,
			expired = a.expired + excluded.expired, shortfall = a.shortfall + excluded.shortfall,
			entries = a.entries + excluded.entries, last_entry_at = greatest(a.last_entry_at, excluded.last_entry_at)`,
		ids, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], last)
}

// streamID is the client ID of a stream "bonus-<client id>".
func streamID(stream string) (uuid.UUID, error) {
	id, err := uuid.Parse(strings.TrimPrefix(stream, bonus.Aggregate+"-"))
	if err != nil {
		return uuid.Nil, fmt.Errorf("bonus stream %q: %w", stream, err)
	}
	return id, nil
}
