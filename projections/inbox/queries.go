package inbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Querier is what the queries need of a pool, a connection or a transaction.
type Querier = sqldb.Querier

// List sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Notice is one notice in a client's inbox.
type Notice struct {
	ID         uuid.UUID
	Kind       notice.Kind
	Channels   []notice.Channel
	Title      string
	Body       string
	PolicyID   uuid.UUID // uuid.Nil when not about a policy
	ClaimID    uuid.UUID // uuid.Nil when not about a claim
	OccurredAt time.Time
	ReadAt     time.Time // zero while unread
}

// IsRead reports whether the client has opened the notice.
func (n Notice) IsRead() bool { return !n.ReadAt.IsZero() }

const (
	listSQL = `SELECT u.n, l.notice_id, l.kind, l.channels, l.title, l.body,
			coalesce(l.policy_id, '00000000-0000-0000-0000-000000000000'),
			coalesce(l.claim_id, '00000000-0000-0000-0000-000000000000'), l.occurred_at, l.read_at
		FROM (SELECT count(*) AS n FROM ` + tableNotices + ` WHERE client_id = $1 AND read_at IS NULL) AS u
		LEFT JOIN LATERAL (
			SELECT * FROM ` + tableNotices + ` WHERE client_id = $1 AND (NOT $2 OR read_at IS NULL)
			ORDER BY seq DESC LIMIT $3) AS l ON true`

	// listLiteSQL is listSQL without LATERAL, which SQLite lacks and the
	// list does not need; the order is stated outside, as a join does not
	// promise to keep its subquery's.
	listLiteSQL = `SELECT u.n, l.notice_id, l.kind, l.channels, l.title, l.body,
			coalesce(l.policy_id, '00000000-0000-0000-0000-000000000000'),
			coalesce(l.claim_id, '00000000-0000-0000-0000-000000000000'), l.occurred_at, l.read_at
		FROM (SELECT count(*) AS n FROM ` + tableNotices + ` WHERE client_id = $1 AND read_at IS NULL) AS u
		LEFT JOIN (
			SELECT * FROM ` + tableNotices + ` WHERE client_id = $1 AND (NOT $2 OR read_at IS NULL)
			ORDER BY seq DESC LIMIT $3) AS l ON true
		ORDER BY l.seq DESC`
)

// List returns up to limit of the client's newest notices, only the unread
// ones when unreadOnly, and the number of unread notices in the whole inbox.
// A limit out of 1..MaxLimit means DefaultLimit or MaxLimit. A client with
// no notices has an empty inbox.
func List(ctx context.Context, q Querier, clientID uuid.UUID, limit int, unreadOnly bool) ([]Notice, int, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	// One statement, so that the count and the list come from one snapshot;
	// the join yields a row of NULLs when nothing is listed.
	rows, err := q.Query(ctx, q.Dialect().Pick(listSQL, listLiteSQL), clientID, unreadOnly, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("inbox: list: %w", err)
	}
	defer rows.Close()
	var (
		notices []Notice
		unread  int
	)
	for rows.Next() {
		n, listed, err := scanNotice(rows, &unread)
		if err != nil {
			return nil, 0, fmt.Errorf("inbox: list: %w", err)
		}
		if listed {
			notices = append(notices, n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("inbox: list: %w", err)
	}
	return notices, unread, nil
}

// scanNotice reads one row of List; listed is false for the row of NULLs.
func scanNotice(row sqldb.Rows, unread *int) (n Notice, listed bool, err error) {
	var (
		id         *uuid.UUID
		kind       *string
		channels   *string
		title      *string
		body       *string
		occurredAt *time.Time
		readAt     *time.Time
	)
	if err := row.Scan(unread, &id, &kind, &channels, &title, &body, &n.PolicyID, &n.ClaimID, &occurredAt, &readAt); err != nil {
		return Notice{}, false, err
	}
	if id == nil {
		return Notice{}, false, nil
	}
	n.ID, n.Kind, n.Title, n.Body, n.OccurredAt = *id, notice.Kind(*kind), *title, *body, occurredAt.UTC()
	if readAt != nil {
		n.ReadAt = readAt.UTC()
	}
	for c := range strings.SplitSeq(*channels, ",") {
		n.Channels = append(n.Channels, notice.Channel(c))
	}
	return n, true, nil
}
