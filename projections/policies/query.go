package policies

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/internal/sqldb"
)

// ErrNotFound answers a policy that does not exist or is another client's:
// the two read the same, so that nobody learns which policies exist.
var ErrNotFound = errors.New("policy not found")

// ErrUnknownBucket refuses a bucket that is not one of the constants.
var ErrUnknownBucket = errors.New("unknown policy bucket")

// Querier is what the queries need of a database handle; a sqldb.DB and a
// sqldb.Tx of either dialect satisfy it.
type Querier = sqldb.Querier

// List returns the client's policies in bucket (the zero Bucket is All),
// sorted for that tab, and the count of every bucket, all on the day now
// falls on in Asia/Almaty.
func List(ctx context.Context, q Querier, clientID uuid.UUID, now time.Time, bucket Bucket) ([]Summary, Counts, error) {
	if bucket == "" {
		bucket = All
	}
	switch bucket {
	case All, Expiring, Active, Installments, History:
	default:
		return nil, Counts{}, fmt.Errorf("list policies: bucket %q: %w", bucket, ErrUnknownBucket)
	}
	today, err := Today(now)
	if err != nil {
		return nil, Counts{}, err
	}
	// A client holds tens of policies, and the counts need every one of them
	// anyway, so the buckets are worked out here rather than in SQL.
	rows, err := q.Query(ctx, `SELECT `+summaryColumns+` FROM policies WHERE client_id = $1`, clientID)
	if err != nil {
		return nil, Counts{}, fmt.Errorf("list policies: %w", err)
	}
	var (
		out    []Summary
		counts Counts
		r      row
	)
	err = sqldb.ForEachRow(rows, r.summaryDest(), func() error {
		s, _, err := r.summary(today)
		if err != nil {
			return err
		}
		counts.add(s)
		if s.in(bucket) {
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		return nil, Counts{}, fmt.Errorf("list policies: %w", err)
	}
	slices.SortFunc(out, order(bucket))
	return out, counts, nil
}

func (c *Counts) add(s Summary) {
	c.All++
	switch s.Bucket {
	case Expiring:
		c.Expiring++
	case Active:
		c.Active++
	case History:
		c.History++
	}
	if s.Next != nil {
		c.Installments++
	}
}

// Get returns the client's policy as the details screen shows it on the day
// now falls on in Asia/Almaty; ErrNotFound if it is missing or another client's.
func Get(ctx context.Context, q Querier, clientID, policyID uuid.UUID, now time.Time) (Details, error) {
	today, err := Today(now)
	if err != nil {
		return Details{}, err
	}
	var r row
	err = q.QueryRow(ctx, `SELECT `+detailColumns+` FROM policies WHERE policy_id = $1 AND client_id = $2`,
		policyID, clientID).Scan(r.detailDest()...)
	if sqldb.IsNoRows(err) {
		return Details{}, fmt.Errorf("policy %s: %w", policyID, ErrNotFound)
	}
	if err != nil {
		return Details{}, fmt.Errorf("get policy %s: %w", policyID, err)
	}
	return r.details(today)
}

// ByNumber returns the ID of the client's policy with this number, compared
// without spaces and case; ErrNotFound if the client holds none. Should KIAS
// have issued the number twice, the latest policy wins.
func ByNumber(ctx context.Context, q Querier, clientID uuid.UUID, number string) (uuid.UUID, error) {
	key := numberKey(number)
	if key == "" {
		return uuid.Nil, fmt.Errorf("policy number: %w", ErrNotFound)
	}
	var id uuid.UUID
	err := q.QueryRow(ctx, `SELECT policy_id FROM policies WHERE client_id = $1 AND number_key = $2
		ORDER BY issued_at DESC, policy_id LIMIT 1`, clientID, key).Scan(&id)
	if sqldb.IsNoRows(err) {
		return uuid.Nil, fmt.Errorf("policy number: %w", ErrNotFound)
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("policy by number: %w", err)
	}
	return id, nil
}

// FindByNumber answers whose policy a number is, for checks made before
// anyone is logged in (a phone change proven with a policy number). found is
// false when no policy has the number, or when policies of different holders
// share it: an ambiguous number proves nothing. Of one holder's policies
// with the number, the latest is returned.
func FindByNumber(ctx context.Context, q Querier, number string) (policyID, holderID uuid.UUID, found bool, err error) {
	key := numberKey(number)
	if key == "" {
		return uuid.Nil, uuid.Nil, false, nil
	}
	rows, err := q.Query(ctx, `SELECT policy_id, client_id FROM policies WHERE number_key = $1
		ORDER BY issued_at DESC, policy_id`, key)
	if err != nil {
		return uuid.Nil, uuid.Nil, false, fmt.Errorf("find policy by number: %w", err)
	}
	var pid, cid uuid.UUID
	err = sqldb.ForEachRow(rows, []any{&pid, &cid}, func() error {
		switch {
		case !found:
			policyID, holderID, found = pid, cid, true
		case cid != holderID:
			return errAmbiguous
		}
		return nil
	})
	if errors.Is(err, errAmbiguous) {
		return uuid.Nil, uuid.Nil, false, nil
	}
	if err != nil {
		return uuid.Nil, uuid.Nil, false, fmt.Errorf("find policy by number: %w", err)
	}
	return policyID, holderID, found, nil
}

var errAmbiguous = errors.New("policy number held by more than one client")

// HasInForce reports whether the client holds a policy that is not history
// on the day now falls on in Asia/Almaty: in force, or concluded and starting
// later (see the package documentation). It is the SQL twin of the bucket
// rules, so that it reads no more than one row.
func HasInForce(ctx context.Context, q Querier, clientID uuid.UUID, now time.Time) (bool, error) {
	today, err := Today(now)
	if err != nil {
		return false, err
	}
	var ok bool
	err = q.QueryRow(ctx, q.Dialect().Pick(hasInForceSQL, liteHasInForceSQL), clientID, today.String()).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("policy in force: %w", err)
	}
	return ok, nil
}

const hasInForceSQL = `SELECT EXISTS (SELECT 1 FROM policies WHERE client_id = $1 AND ends_on >= $2::date
		AND (cancelled_on IS NULL OR (cancelled_on > $2::date AND cancelled_on > starts_on)))`

// liteHasInForceSQL is hasInForceSQL on SQLite, where days are
// "2006-01-02" text and compare as text.
const liteHasInForceSQL = `SELECT EXISTS (SELECT 1 FROM policies WHERE client_id = $1 AND ends_on >= $2
		AND (cancelled_on IS NULL OR (cancelled_on > $2 AND cancelled_on > starts_on)))`
