package policies

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

const summaryColumns = `policy_id, number, product, insurer, starts_on, ends_on, premium_tiyn, paid_tiyn,
	payment_method, vehicle, installments, renewed_by, cancelled_on`

const detailColumns = summaryColumns + `, kias_contract_id, people, unlimited_drivers, payments, documents,
	renewed_from, cancel_reason, cancelled_at, issued_at`

// row is one stored policy as scanned. Days scan as midnight UTC in both
// dialects; a nil pointer is NULL.
type row struct {
	id                       uuid.UUID
	number, product, insurer string
	starts, ends             time.Time
	premium, paid            int64
	method                   string
	vehicle, plan            []byte
	renewedBy                uuid.NullUUID
	cancelledOn              *time.Time

	kias                string
	people              []byte
	unlimited           bool
	payments, documents []byte
	renewedFrom         uuid.NullUUID
	reason              *string
	cancelledAt         *time.Time
	issuedAt            time.Time
}

func (r *row) summaryDest() []any {
	return []any{&r.id, &r.number, &r.product, &r.insurer, &r.starts, &r.ends, &r.premium, &r.paid,
		&r.method, &r.vehicle, &r.plan, &r.renewedBy, &r.cancelledOn}
}

func (r *row) detailDest() []any {
	return append(r.summaryDest(), &r.kias, &r.people, &r.unlimited, &r.payments, &r.documents,
		&r.renewedFrom, &r.reason, &r.cancelledAt, &r.issuedAt)
}

// dateOf is the day of a scanned date column; NULL is the zero Date.
func dateOf(d *time.Time) policy.Date {
	if d == nil {
		return policy.Date{}
	}
	return policy.DateOf(*d)
}

// installments decodes the schedule and places it on today.
func (r *row) installments(today policy.Date) ([]Installment, error) {
	var plan []installmentJSON
	if err := json.Unmarshal(r.plan, &plan); err != nil {
		return nil, fmt.Errorf("policy %s: installments: %w", r.id, err)
	}
	var rd reader
	out := make([]Installment, len(plan))
	for i, in := range plan {
		due := rd.date(in.DueOn)
		paid := in.PaymentRef != ""
		out[i] = Installment{
			Number: in.Number, DueOn: due, Amount: rd.money(in.Amount), Paid: paid,
			PaymentRef: in.PaymentRef, PaidAt: rd.time(in.PaidAt), Overdue: !paid && due.Before(today),
		}
	}
	if rd.err != nil {
		return nil, fmt.Errorf("policy %s: installments: %w", r.id, rd.err)
	}
	return out, nil
}

// summary places the policy on today.
func (r *row) summary(today policy.Date) (Summary, []Installment, error) {
	s := Summary{
		PolicyID:      r.id,
		Number:        r.number,
		Product:       policy.Product(r.product),
		Insurer:       r.insurer,
		StartsOn:      policy.DateOf(r.starts),
		EndsOn:        policy.DateOf(r.ends),
		Premium:       money.FromTiyn(r.premium),
		Paid:          money.FromTiyn(r.paid),
		PaymentMethod: policy.PaymentMethod(r.method),
		RenewedBy:     r.renewedBy.UUID,
		CancelledOn:   dateOf(r.cancelledOn),
	}
	if r.vehicle != nil {
		if err := json.Unmarshal(r.vehicle, &s.Vehicle); err != nil {
			return Summary{}, nil, fmt.Errorf("policy %s: vehicle: %w", r.id, err)
		}
	}
	t := term{starts: s.StartsOn, ends: s.EndsOn, cancelled: r.cancelledOn != nil, cancelledOn: s.CancelledOn}
	s.LastDay = t.lastDay()
	s.Standing, s.Bucket = classify(today, t)
	plan, err := r.installments(today)
	if err != nil {
		return Summary{}, nil, err
	}
	// A cancelled policy takes no more payments, so it offers none.
	if !t.cancelled {
		for _, in := range plan {
			if !in.Paid {
				s.Next = &NextInstallment{Number: in.Number, DueOn: in.DueOn, Amount: in.Amount, Overdue: in.Overdue}
				break
			}
		}
	}
	return s, plan, nil
}

// details is the whole policy on today.
func (r *row) details(today policy.Date) (Details, error) {
	s, plan, err := r.summary(today)
	if err != nil {
		return Details{}, err
	}
	d := Details{
		Summary:          s,
		KIASContractID:   r.kias,
		UnlimitedDrivers: r.unlimited,
		Outstanding:      s.Premium.Sub(s.Paid),
		Installments:     plan,
		RenewedFrom:      r.renewedFrom.UUID,
		IssuedAt:         r.issuedAt.UTC(),
	}
	if len(d.Installments) == 0 {
		d.Installments = nil
	}
	var (
		people    peopleJSON
		payments  []paymentJSON
		documents []documentJSON
	)
	for _, c := range []struct {
		name string
		raw  []byte
		into any
	}{{"people", r.people, &people}, {"payments", r.payments, &payments}, {"documents", r.documents, &documents}} {
		if err := json.Unmarshal(c.raw, c.into); err != nil {
			return Details{}, fmt.Errorf("policy %s: %s: %w", r.id, c.name, err)
		}
	}
	var rd reader
	d.Holder = rd.person(people.Holder)
	d.InsuredPersons = rd.people(people.Insured)
	d.Drivers = rd.people(people.Drivers)
	for _, p := range payments {
		d.Payments = append(d.Payments, Payment{Ref: p.Ref, Amount: rd.money(p.Amount), PaidAt: rd.time(p.PaidAt)})
	}
	for _, doc := range documents {
		d.Documents = append(d.Documents, Document{Kind: policy.DocumentKind(doc.Kind), BlobRef: doc.BlobRef,
			SHA256: doc.SHA256, AttachedAt: rd.time(doc.AttachedAt)})
	}
	if rd.err != nil {
		return Details{}, fmt.Errorf("policy %s: %w", r.id, rd.err)
	}
	if r.cancelledOn != nil {
		d.Cancellation = &Cancellation{EffectiveOn: s.CancelledOn}
		if r.reason != nil {
			d.Cancellation.Reason = *r.reason
		}
		if r.cancelledAt != nil {
			d.Cancellation.CancelledAt = r.cancelledAt.UTC()
		}
	}
	return d, nil
}
