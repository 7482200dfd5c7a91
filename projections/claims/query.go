package claims

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// ErrNotFound answers a claim that does not exist or is another client's:
// the two read the same, so that nobody learns which claims exist.
var ErrNotFound = errors.New("claim not found")

// ErrUnknownFilter refuses a filter that is not one of the constants.
var ErrUnknownFilter = errors.New("unknown claim filter")

// Querier is what the queries need of a database handle: a sqldb.DB or a
// sqldb.Tx.
type Querier = sqldb.Querier

// The summary columns; the two differ only in the name of the JSON array
// length function.
const (
	summarySQL = `SELECT c.claim_id, c.number, c.kind, c.policy_id, coalesce(p.number, ''), c.stage,
	c.reported_at, c.last_change_at, c.closed_at, c.payout_tiyn, jsonb_array_length(c.missing)`
	summaryLiteSQL = `SELECT c.claim_id, c.number, c.kind, c.policy_id, coalesce(p.number, ''), c.stage,
	c.reported_at, c.last_change_at, c.closed_at, c.payout_tiyn, json_array_length(c.missing)`
)

// fromSQL takes the policy number from the policies read model; see the
// package documentation.
const fromSQL = ` FROM claims c LEFT JOIN policies p ON p.policy_id = c.policy_id`

// summaryRow is a Summary as scanned.
type summaryRow struct {
	s        Summary
	stage    string
	closedAt *time.Time
	payout   int64
}

func (r *summaryRow) dest() []any {
	return []any{&r.s.ClaimID, &r.s.Number, &r.s.Kind, &r.s.PolicyID, &r.s.PolicyNumber, &r.stage,
		&r.s.ReportedAt, &r.s.LastChangeAt, &r.closedAt, &r.payout, &r.s.MissingCount}
}

func (r *summaryRow) summary() Summary {
	s := r.s
	s.Stage = claim.Status(r.stage)
	s.Status = s.Stage.ClientFacing()
	s.ReportedAt, s.LastChangeAt = s.ReportedAt.UTC(), s.LastChangeAt.UTC()
	if r.closedAt != nil {
		s.ClosedAt = r.closedAt.UTC()
	}
	s.Payout = money.FromTiyn(r.payout)
	return s
}

// List returns the client's claims that pass filter (the zero Filter is
// All), the most recently changed first.
func List(ctx context.Context, q Querier, clientID uuid.UUID, filter Filter) ([]Summary, error) {
	cond := ""
	switch filter {
	case All, "":
	case InSettlement:
		cond = ` AND NOT c.settled`
	case Settled:
		cond = ` AND c.settled`
	default:
		return nil, fmt.Errorf("list claims: filter %q: %w", filter, ErrUnknownFilter)
	}
	rows, err := q.Query(ctx, q.Dialect().Pick(summarySQL, summaryLiteSQL)+fromSQL+` WHERE c.client_id = $1`+cond+`
		ORDER BY c.last_change_at DESC, c.number, c.claim_id`, clientID)
	if err != nil {
		return nil, fmt.Errorf("list claims: %w", err)
	}
	var (
		out []Summary
		r   summaryRow
	)
	if err := sqldb.ForEachRow(rows, r.dest(), func() error {
		out = append(out, r.summary())
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list claims: %w", err)
	}
	return out, nil
}

// HasOpen reports whether the client has a claim still in settlement.
func HasOpen(ctx context.Context, q Querier, clientID uuid.UUID) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM claims WHERE client_id = $1 AND NOT settled)`,
		clientID).Scan(&ok); err != nil {
		return false, fmt.Errorf("open claim: %w", err)
	}
	return ok, nil
}

// Get returns the client's claim with its timeline and documents;
// ErrNotFound if it is missing or another client's.
func Get(ctx context.Context, q Querier, clientID, claimID uuid.UUID) (Details, error) {
	var (
		r                 summaryRow
		d                 Details
		timeline, missing []byte
	)
	err := q.QueryRow(ctx, q.Dialect().Pick(summarySQL, summaryLiteSQL)+`, c.description, c.decision_ref, c.timeline, c.missing`+fromSQL+`
		WHERE c.claim_id = $1 AND c.client_id = $2`, claimID, clientID).
		Scan(append(r.dest(), &d.Description, &d.DecisionRef, &timeline, &missing)...)
	if sqldb.IsNoRows(err) {
		return Details{}, fmt.Errorf("claim %s: %w", claimID, ErrNotFound)
	}
	if err != nil {
		return Details{}, fmt.Errorf("get claim %s: %w", claimID, err)
	}
	d.Summary = r.summary()
	if d.Timeline, d.Received, err = decodeTimeline(timeline); err != nil {
		return Details{}, fmt.Errorf("claim %s: timeline: %w", claimID, err)
	}
	if d.Missing, err = decodeMissing(missing); err != nil {
		return Details{}, fmt.Errorf("claim %s: missing documents: %w", claimID, err)
	}
	return d, nil
}

// decodeTimeline reads the entries and the documents received. A received
// document is shown with the title it was last asked for under.
func decodeTimeline(raw []byte) ([]Entry, []ReceivedDocument, error) {
	var rows []entryJSON
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, nil, err
	}
	var (
		entries  = make([]Entry, len(rows))
		received []ReceivedDocument
		titles   = map[string]string{}
	)
	for i, r := range rows {
		at, err := time.Parse(time.RFC3339Nano, r.At)
		if err != nil {
			return nil, nil, fmt.Errorf("entry %d: %w", r.Version, err)
		}
		e := Entry{At: at, Kind: EntryKind(r.Type), From: claim.Status(r.From), To: claim.Status(r.To),
			Reason: r.Reason, DecisionRef: r.DecisionRef}
		if r.Payout != "" {
			if e.Payout, err = money.Parse(r.Payout); err != nil {
				return nil, nil, fmt.Errorf("entry %d: %w", r.Version, err)
			}
		}
		for _, doc := range r.Requested {
			e.Requested = append(e.Requested, RequestedDocument{Kind: claim.DocumentKind(doc.Kind), Title: doc.Title})
			titles[doc.Kind] = doc.Title
		}
		if e.Kind == EntryDocumentReceived {
			doc := ReceivedDocument{Kind: claim.DocumentKind(r.DocKind), Title: titles[r.DocKind], BlobRef: r.BlobRef,
				SHA256: r.SHA256, ReceivedAt: at}
			e.Received = &doc
			received = append(received, doc)
		}
		entries[i] = e
	}
	return entries, received, nil
}

func decodeMissing(raw []byte) ([]MissingDocument, error) {
	var rows []missingJSON
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, err
	}
	var out []MissingDocument
	for _, r := range rows {
		at, err := time.Parse(time.RFC3339Nano, r.RequestedAt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Kind, err)
		}
		out = append(out, MissingDocument{Kind: claim.DocumentKind(r.Kind), Title: r.Title, RequestedAt: at})
	}
	return out, nil
}
