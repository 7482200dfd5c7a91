package inbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

// Name is the projection's name.
const Name = "inbox"

// tableNotices is the logical table (the view queries read).
const tableNotices = "inbox_notices"

// Projection builds the notification inboxes.
type Projection struct{}

var _ projections.Projection = Projection{}

// Name implements projections.Projection.
func (Projection) Name() string { return Name }

// Version implements projections.Projection.
func (Projection) Version() int { return 1 }

// Tables implements projections.Projection.
func (Projection) Tables() []string { return []string{tableNotices} }

// Schema implements projections.Projection.
func (Projection) Schema(d sqldb.Dialect, t projections.Tables) []string {
	n := t[tableNotices]
	if d == sqldb.SQLite {
		return []string{liteTable(n)}
	}
	return []string{
		// One index: the primary key serves the list (one client, newest
		// first), the unread count and the lookup of a notice being read
		// (a client's inbox is small); every index more is paid per notice
		// on a rebuild.
		`CREATE TABLE ` + n + ` (
			client_id   uuid NOT NULL,
			seq         bigint NOT NULL,
			notice_id   uuid NOT NULL,
			kind        text NOT NULL,
			channels    text NOT NULL, -- comma-separated, in the order the event lists them
			title       text NOT NULL,
			body        text NOT NULL,
			policy_id   uuid,
			claim_id    uuid,
			occurred_at timestamptz NOT NULL,
			read_at     timestamptz,
			PRIMARY KEY (client_id, seq)
		)`,
	}
}

// liteTable is the same table in SQLite's representation: UUIDs as text,
// times as Unix microseconds. The primary key is the one index, as above.
func liteTable(n string) string {
	return `CREATE TABLE ` + n + ` (
			client_id   TEXT NOT NULL,
			seq         INTEGER NOT NULL,
			notice_id   TEXT NOT NULL,
			kind        TEXT NOT NULL,
			channels    TEXT NOT NULL,
			title       TEXT NOT NULL,
			body        TEXT NOT NULL,
			policy_id   TEXT,
			claim_id    TEXT,
			occurred_at INTEGER NOT NULL,
			read_at     INTEGER,
			PRIMARY KEY (client_id, seq)
		)`
}

// pending is a batch's changes, folded in log order.
type pending struct {
	recorded []row
	read     []readRow
	erased   []uuid.UUID
}

type row struct {
	client uuid.UUID
	seq    int64
	notice.Recorded
}

type readRow struct {
	client uuid.UUID
	notice.Read
}

// Apply implements projections.Projection.
func (Projection) Apply(ctx context.Context, tx sqldb.Tx, t projections.Tables, batch []eventstore.RecordedEvent) error {
	var p pending
	for _, e := range batch {
		// Types are matched exactly, before decoding: everything else is
		// skipped unread, including notice events this version does not know.
		switch {
		case e.Type == client.TypeErased:
			id, err := streamID(e.Stream, client.Aggregate)
			if err != nil {
				return err
			}
			p.erase(id)
		case e.Type == notice.TypeRecorded || e.Type == notice.TypeRead:
			id, err := streamID(e.Stream, notice.Aggregate)
			if err != nil {
				return err
			}
			ev, err := notice.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
			if err != nil {
				return fmt.Errorf("%s version %d: %w", e.Stream, e.Version, err)
			}
			switch ev := ev.(type) {
			case notice.Recorded:
				p.recorded = append(p.recorded, row{client: id, seq: e.Version, Recorded: ev})
			case notice.Read:
				p.read = append(p.read, readRow{client: id, Read: ev})
			}
		}
	}
	b := &sqldb.Batch{}
	n := t[tableNotices]
	if tx.Dialect() == sqldb.SQLite {
		queueLite(b, n, &p)
	} else {
		queuePostgres(b, n, &p)
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b)
}

// queuePostgres queues at most three set-based statements: the deletions,
// the inserts and the reads.
func queuePostgres(b *sqldb.Batch, n string, p *pending) {
	if len(p.erased) > 0 {
		erased := make([][16]byte, len(p.erased))
		for i, id := range p.erased {
			erased[i] = id
		}
		b.Queue(`DELETE FROM `+n+` WHERE client_id = ANY ($1)`, erased)
	}
	if len(p.recorded) > 0 {
		queueRecorded(b, n, p.recorded)
	}
	if len(p.read) > 0 {
		queueRead(b, n, p.read)
	}
}

// erase drops what the batch collected for the client so far; the
// deletion, queued first, removes what earlier batches wrote, and anything
// later in the batch is written after it.
func (p *pending) erase(clientID uuid.UUID) {
	p.erased = append(p.erased, clientID)
	p.recorded = slices.DeleteFunc(p.recorded, func(r row) bool { return r.client == clientID })
	p.read = slices.DeleteFunc(p.read, func(r readRow) bool { return r.client == clientID })
}

// queueRecorded inserts new notices. Only plain slices are used, which pgx
// encodes without reflection: IDs as arrays (a uuid.UUID goes through its
// driver.Valuer, as a string), and a missing policy or claim as the nil
// UUID, which the insert turns into NULL.
func queueRecorded(b *sqldb.Batch, table string, rows []row) {
	n := len(rows)
	var (
		clients, ids     = make([][16]byte, n), make([][16]byte, n)
		policies, claims = make([][16]byte, n), make([][16]byte, n)
		seqs             = make([]int64, n)
		kinds, chans     = make([]string, n), make([]string, n)
		titles, bodies   = make([]string, n), make([]string, n)
		occurred         = make([]time.Time, n)
		names            []string
	)
	for i, r := range rows {
		names = names[:0]
		for _, c := range r.Channels {
			names = append(names, string(c))
		}
		clients[i], ids[i], seqs[i], kinds[i] = r.client, r.NoticeID, r.seq, string(r.Kind)
		chans[i], titles[i], bodies[i] = strings.Join(names, ","), r.Title, r.Body
		policies[i], claims[i], occurred[i] = r.PolicyID, r.ClaimID, r.OccurredAt
	}
	// No ON CONFLICT: the runner applies each event once, and a notice
	// applied twice must stop the projection rather than show twice.
	b.Queue(`INSERT INTO `+table+` (client_id, notice_id, seq, kind, channels, title, body, policy_id, claim_id, occurred_at)
		SELECT c, id, s, k, ch, ti, bo, nullif(po, '00000000-0000-0000-0000-000000000000'),
			nullif(cl, '00000000-0000-0000-0000-000000000000'), oc
		FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
			$8::uuid[], $9::uuid[], $10::timestamptz[]) AS u(c, id, s, k, ch, ti, bo, po, cl, oc)`,
		clients, ids, seqs, kinds, chans, titles, bodies, policies, claims, occurred)
}

func queueRead(b *sqldb.Batch, table string, rows []readRow) {
	var (
		clients, ids [][16]byte
		at           []time.Time
		seen         = make(map[[2]uuid.UUID]bool, len(rows))
	)
	for _, r := range rows {
		// An UPDATE … FROM must not meet a row twice; the first read stands.
		key := [2]uuid.UUID{r.client, r.NoticeID}
		if seen[key] {
			continue
		}
		seen[key] = true
		clients, ids, at = append(clients, r.client), append(ids, r.NoticeID), append(at, r.ReadAt)
	}
	b.Queue(`UPDATE `+table+` AS n SET read_at = u.at
		FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS u(c, id, at)
		WHERE n.client_id = u.c AND n.notice_id = u.id AND n.read_at IS NULL`,
		clients, ids, at)
}

// queueLite queues the same changes as queuePostgres, a statement per
// client, notice or read: SQLite has no arrays, and its statements cost no
// round trip.
func queueLite(b *sqldb.Batch, n string, p *pending) {
	for _, id := range p.erased {
		b.Queue(`DELETE FROM `+n+` WHERE client_id = $1`, id)
	}
	for _, r := range p.recorded {
		names := make([]string, len(r.Channels))
		for i, c := range r.Channels {
			names[i] = string(c)
		}
		// No ON CONFLICT, as in queueRecorded.
		b.Queue(`INSERT INTO `+n+` (client_id, notice_id, seq, kind, channels, title, body, policy_id, claim_id, occurred_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			r.client, r.NoticeID, r.seq, string(r.Kind), strings.Join(names, ","), r.Title, r.Body,
			nullUUID(r.PolicyID), nullUUID(r.ClaimID), r.OccurredAt)
	}
	for _, r := range p.read {
		// A notice read twice keeps its first read, as in queueRead.
		b.Queue(`UPDATE `+n+` SET read_at = $3 WHERE client_id = $1 AND notice_id = $2 AND read_at IS NULL`,
			r.client, r.NoticeID, r.ReadAt)
	}
}

// nullUUID is id, or NULL for the nil UUID.
func nullUUID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

// streamID is the client ID of a stream "<aggregate>-<client id>".
func streamID(stream, aggregate string) (uuid.UUID, error) {
	id, err := uuid.Parse(strings.TrimPrefix(stream, aggregate+"-"))
	if err != nil {
		return uuid.Nil, fmt.Errorf("%s stream %q: %w", aggregate, stream, err)
	}
	return id, nil
}
