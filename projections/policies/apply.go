package policies

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

const streamPrefix = policy.Aggregate + "-"

// fresh is a policy issued in this batch together with what the rest of
// the batch changes on it: it is inserted once, whole, instead of inserted
// and then updated.
type fresh struct {
	id uuid.UUID
	e  policy.Issued
	d  delta
}

// delta is what a batch changes on one policy, in event order.
type delta struct {
	paid        int64
	payments    []paymentJSON
	marks       map[int]markJSON // by installment number; the last payment wins
	docs        []documentJSON
	renewedBy   uuid.UUID
	cancelled   bool
	cancelledOn policy.Date
	reason      string
	cancelledAt time.Time
}

type folded struct {
	fresh  []*fresh
	byID   map[uuid.UUID]*fresh
	order  []uuid.UUID // policies issued before the batch that it changes, in order of first change
	deltas map[uuid.UUID]*delta
}

// fold decodes each policy event once and gathers the batch's effect. Events
// of other aggregates and policy events this version does not know are
// skipped without decoding.
func fold(batch []eventstore.RecordedEvent) (*folded, error) {
	f := &folded{byID: map[uuid.UUID]*fresh{}, deltas: map[uuid.UUID]*delta{}}
	for i := range batch {
		e := &batch[i]
		if !strings.HasPrefix(e.Type, "policy.") || !known(e.Type) {
			continue
		}
		id, err := uuid.Parse(strings.TrimPrefix(e.Stream, streamPrefix))
		if err != nil {
			return nil, fmt.Errorf("policies: stream %q: %w", e.Stream, err)
		}
		ev, err := policy.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
		if err != nil {
			return nil, fmt.Errorf("policies: %s version %d: %w", e.Stream, e.Version, err)
		}
		f.add(id, ev)
	}
	return f, nil
}

func known(eventType string) bool {
	switch eventType {
	case policy.TypeIssued, policy.TypePaymentReceived, policy.TypeInstallmentPaid,
		policy.TypeProlonged, policy.TypeCancelled, policy.TypeDocumentAttached, policy.TypePaymentRefunded:
		return true
	}
	return false
}

// delta returns where the batch's changes to policy id gather.
func (f *folded) delta(id uuid.UUID) *delta {
	if p, ok := f.byID[id]; ok {
		return &p.d
	}
	d, ok := f.deltas[id]
	if !ok {
		d = &delta{}
		f.deltas[id] = d
		f.order = append(f.order, id)
	}
	return d
}

func (f *folded) add(id uuid.UUID, ev policy.Event) {
	switch e := ev.(type) {
	case policy.Issued:
		p := &fresh{id: id, e: e}
		f.fresh = append(f.fresh, p)
		f.byID[id] = p
	case policy.PaymentReceived:
		d := f.delta(id)
		d.paid += e.Amount.Tiyn()
		d.payments = append(d.payments, paymentJSON{Ref: e.PaymentRef, Amount: e.Amount.String(), PaidAt: stamp(e.PaidAt)})
	case policy.PaymentRefunded:
		f.delta(id).paid -= e.Amount.Tiyn()
	case policy.InstallmentPaid:
		d := f.delta(id)
		if d.marks == nil {
			d.marks = map[int]markJSON{}
		}
		d.marks[e.Number] = markJSON{PaymentRef: e.PaymentRef, PaidAt: stamp(e.PaidAt)}
	case policy.Prolonged:
		f.delta(id).renewedBy = e.NewPolicyID
	case policy.Cancelled:
		d := f.delta(id)
		d.cancelled, d.cancelledOn, d.reason, d.cancelledAt = true, e.EffectiveOn, e.Reason, e.CancelledAt
	case policy.DocumentAttached:
		d := f.delta(id)
		d.docs = append(d.docs, documentJSON{Kind: string(e.Kind), BlobRef: e.BlobRef, SHA256: e.SHA256, AttachedAt: stamp(e.AttachedAt)})
	}
}

// insertSQL adds the batch's new policies, each with the rest of the batch
// already applied. A policy is issued once, so the conflict clause only
// makes a repeated apply harmless.
const insertSQL = `INSERT INTO %[1]s AS p (policy_id, client_id, number, number_key, product, kias_contract_id, insurer,
	starts_on, ends_on, people, vehicle, installments, unlimited_drivers, premium_tiyn,
	payment_method, renewed_from, issued_at, paid_tiyn, payments, documents, renewed_by, cancelled_on, cancel_reason,
	cancelled_at)
SELECT u.id, u.client, u.number, u.key, u.product, u.kias, u.insurer, u.starts::date, u.ends::date,
	u.people::json, NULLIF(u.vehicle, '')::json, u.plan::jsonb, u.unlimited,
	u.premium, u.method, NULLIF(u.renewed_from, '')::uuid, u.issued_at, u.paid, u.payments::jsonb, u.docs::jsonb,
	NULLIF(u.renewed_by, '')::uuid, NULLIF(u.cancelled_on, '')::date, CASE WHEN u.cancelled THEN u.reason END,
	CASE WHEN u.cancelled THEN u.cancelled_at END
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
	$10::text[], $11::text[], $12::text[], $13::bool[], $14::bigint[], $15::text[], $16::text[],
	$17::timestamptz[], $18::bigint[], $19::text[], $20::text[], $21::text[], $22::bool[], $23::text[], $24::text[],
	$25::timestamptz[])
	AS u(id, client, number, key, product, kias, insurer, starts, ends, people, vehicle, plan,
	     unlimited, premium, method, renewed_from, issued_at, paid, payments, docs, renewed_by, cancelled,
	     cancelled_on, reason, cancelled_at)
` + upsertSQL

// upsertSQL ends the insert of a new policy in both dialects.
const upsertSQL = `ON CONFLICT (policy_id) DO UPDATE SET client_id = excluded.client_id, number = excluded.number,
	number_key = excluded.number_key, product = excluded.product, kias_contract_id = excluded.kias_contract_id,
	insurer = excluded.insurer, starts_on = excluded.starts_on, ends_on = excluded.ends_on, people = excluded.people,
	vehicle = excluded.vehicle,
	installments = excluded.installments, unlimited_drivers = excluded.unlimited_drivers,
	premium_tiyn = excluded.premium_tiyn, payment_method = excluded.payment_method,
	renewed_from = excluded.renewed_from, issued_at = excluded.issued_at, paid_tiyn = excluded.paid_tiyn,
	payments = excluded.payments, documents = excluded.documents, renewed_by = excluded.renewed_by,
	cancelled_on = excluded.cancelled_on, cancel_reason = excluded.cancel_reason, cancelled_at = excluded.cancelled_at`

// updateSQL applies the deltas of policies issued before the batch in SQL,
// so nothing is read first. Installment marks are an object keyed by
// number, merged into the matching element of the schedule.
const updateSQL = `UPDATE %[1]s AS p SET
	paid_tiyn = p.paid_tiyn + u.paid,
	payments = p.payments || u.payments::jsonb,
	installments = CASE WHEN u.marks = '' THEN p.installments ELSE (
		SELECT coalesce(jsonb_agg(CASE WHEN u.marks::jsonb ? (i->>'number') THEN i || (u.marks::jsonb -> (i->>'number')) ELSE i END
		                          ORDER BY o), '[]'::jsonb)
		FROM jsonb_array_elements(p.installments) WITH ORDINALITY AS x(i, o)) END,
	documents = p.documents || u.docs::jsonb,
	renewed_by = coalesce(NULLIF(u.renewed_by, '')::uuid, p.renewed_by),
	cancelled_on = CASE WHEN u.cancelled THEN NULLIF(u.cancelled_on, '')::date ELSE p.cancelled_on END,
	cancel_reason = CASE WHEN u.cancelled THEN u.reason ELSE p.cancel_reason END,
	cancelled_at = CASE WHEN u.cancelled THEN u.cancelled_at ELSE p.cancelled_at END
FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::text[],
	$9::text[], $10::timestamptz[])
	AS u(id, paid, payments, marks, docs, renewed_by, cancelled, cancelled_on, reason, cancelled_at)
WHERE p.policy_id = u.id`

// queue adds the batch's statements to b; none when the batch held no policy events.
func (f *folded) queue(b *sqldb.Batch, table string) error {
	if err := f.queueInsert(b, table); err != nil {
		return err
	}
	n := len(f.order)
	if n == 0 {
		return nil
	}
	c := newDeltaColumns(n)
	for _, id := range f.order {
		d, err := f.deltas[id].encode()
		if err != nil {
			return err
		}
		c.add(d)
	}
	b.Queue(fmt.Sprintf(updateSQL, table), f.order, c.paid, c.payments, c.marks, c.docs, c.renewedBy,
		c.cancelled, c.cancelledOn, c.reason, c.cancelledAt)
	return nil
}

func (f *folded) queueInsert(b *sqldb.Batch, table string) error {
	n := len(f.fresh)
	if n == 0 {
		return nil
	}
	var (
		ids, clients                                      = make([]uuid.UUID, n), make([]uuid.UUID, n)
		number, key, product, kias, insurer, starts, ends = strs(n), strs(n), strs(n), strs(n), strs(n), strs(n), strs(n)
		people, vehicle, plan, method, rf                 = strs(n), strs(n), strs(n), strs(n), strs(n)
		unlimited                                         = make([]bool, n)
		premium                                           = make([]int64, n)
		issuedAt                                          = make([]time.Time, n)
		c                                                 = newDeltaColumns(n)
	)
	for i, p := range f.fresh {
		e := p.e
		j, err := p.encode()
		if err != nil {
			return err
		}
		people[i], vehicle[i], plan[i] = j.people, j.vehicle, j.plan
		if e.RenewedFrom != uuid.Nil {
			rf[i] = e.RenewedFrom.String()
		}
		ids[i], clients[i] = p.id, e.Holder.ClientID
		number[i], key[i], product[i], kias[i], insurer[i] = e.Number, numberKey(e.Number), string(e.Product), e.KIASContractID, e.Insurer
		starts[i], ends[i], unlimited[i], premium[i] = e.StartsOn.String(), e.EndsOn.String(), e.UnlimitedDrivers, e.Premium.Tiyn()
		method[i], issuedAt[i] = string(e.PaymentMethod), e.IssuedAt
		d, err := p.d.encode()
		if err != nil {
			return err
		}
		c.add(d)
	}
	b.Queue(fmt.Sprintf(insertSQL, table), ids, clients, number, key, product, kias, insurer, starts, ends,
		people, vehicle, plan, unlimited, premium, method, rf, issuedAt,
		c.paid, c.payments, c.docs, c.renewedBy, c.cancelled, c.cancelledOn, c.reason, c.cancelledAt)
	return nil
}

// freshJSON is the json columns of a new policy; vehicle is empty when the
// policy insures none.
type freshJSON struct {
	people, vehicle, plan string
}

// encode writes the json columns of p, with the installments the batch
// marks paid already marked.
func (p *fresh) encode() (freshJSON, error) {
	e := p.e
	schedule := make([]installmentJSON, len(e.Installments))
	for j, in := range e.Installments {
		schedule[j] = installmentJSON{Number: in.Number, DueOn: in.DueOn.String(), Amount: in.Amount.String()}
		if m, ok := p.d.marks[in.Number]; ok {
			schedule[j].PaymentRef, schedule[j].PaidAt = m.PaymentRef, m.PaidAt
		}
	}
	var (
		out freshJSON
		err error
	)
	if !e.Vehicle.IsZero() {
		if out.vehicle, err = jsonText(e.Vehicle); err != nil {
			return freshJSON{}, err
		}
	}
	if out.people, err = jsonText(peopleJSON{
		Holder:  personOf(e.Holder.Name, e.Holder.IIN, e.Holder.KBM),
		Insured: peopleOf(e.InsuredPersons),
		Drivers: peopleOf(e.Drivers),
	}); err != nil {
		return freshJSON{}, err
	}
	if out.plan, err = jsonArray(schedule); err != nil {
		return freshJSON{}, err
	}
	return out, nil
}

// deltaColumns are deltas column by column, for unnest.
type deltaColumns struct {
	paid                                                  []int64
	payments, marks, docs, renewedBy, cancelledOn, reason []string
	cancelled                                             []bool
	cancelledAt                                           []time.Time
}

func newDeltaColumns(n int) *deltaColumns {
	return &deltaColumns{
		paid: make([]int64, 0, n), payments: make([]string, 0, n), marks: make([]string, 0, n),
		docs: make([]string, 0, n), renewedBy: make([]string, 0, n), cancelledOn: make([]string, 0, n),
		reason: make([]string, 0, n), cancelled: make([]bool, 0, n), cancelledAt: make([]time.Time, 0, n),
	}
}

// deltaRow is a delta as the SQL takes it: lists as json arrays, marks as
// a json object keyed by installment number (empty when none), absent
// values as empty strings.
type deltaRow struct {
	paid                                                  int64
	payments, marks, docs, renewedBy, cancelledOn, reason string
	cancelled                                             bool
	cancelledAt                                           time.Time
}

func (d *delta) encode() (deltaRow, error) {
	payments, err := jsonArray(d.payments)
	if err != nil {
		return deltaRow{}, err
	}
	docs, err := jsonArray(d.docs)
	if err != nil {
		return deltaRow{}, err
	}
	var marks string
	if len(d.marks) > 0 {
		byNumber := make(map[string]markJSON, len(d.marks))
		for n, m := range d.marks {
			byNumber[strconv.Itoa(n)] = m
		}
		if marks, err = jsonText(byNumber); err != nil {
			return deltaRow{}, err
		}
	}
	var renewedBy string
	if d.renewedBy != uuid.Nil {
		renewedBy = d.renewedBy.String()
	}
	var on string
	if d.cancelled {
		on = d.cancelledOn.String()
	}
	return deltaRow{paid: d.paid, payments: payments, marks: marks, docs: docs, renewedBy: renewedBy,
		cancelled: d.cancelled, cancelledOn: on, reason: d.reason, cancelledAt: d.cancelledAt}, nil
}

func (c *deltaColumns) add(r deltaRow) {
	c.paid = append(c.paid, r.paid)
	c.payments = append(c.payments, r.payments)
	c.marks = append(c.marks, r.marks)
	c.docs = append(c.docs, r.docs)
	c.renewedBy = append(c.renewedBy, r.renewedBy)
	c.cancelled = append(c.cancelled, r.cancelled)
	c.cancelledOn = append(c.cancelledOn, r.cancelledOn)
	c.reason = append(c.reason, r.reason)
	c.cancelledAt = append(c.cancelledAt, r.cancelledAt)
}

func strs(n int) []string { return make([]string, n) }

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// jsonArray encodes a list for jsonb concatenation; nil is the empty array.
func jsonArray[T any](xs []T) (string, error) {
	if len(xs) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(xs)
	return string(b), err
}
