package cabinet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/adapters/payments"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/projections/policies"
)

// ListPolicies lists the client's policies in a tab, with every tab's count.
func (s *Service) ListPolicies(ctx context.Context, c Caller, req *ListPoliciesRequest) (*ListPoliciesResponse, error) {
	bucket := policies.Bucket(strings.TrimSpace(req.Bucket))
	if bucket == "" {
		bucket = policies.All
	}
	list, counts, err := policies.List(ctx, s.d.DB, c.ClientID, s.cfg.Now(), bucket)
	if errors.Is(err, policies.ErrUnknownBucket) {
		return nil, invalid("bucket", "must be one of all, expiring, active, installments, history")
	}
	if err != nil {
		return nil, err
	}
	out := &ListPoliciesResponse{
		Counts: PolicyCounts{All: int64(counts.All), Expiring: int64(counts.Expiring), Active: int64(counts.Active),
			Installments: int64(counts.Installments), History: int64(counts.History)},
		Policies: make([]PolicySummary, len(list)),
	}
	for i, p := range list {
		out.Policies[i] = policySummary(p)
	}
	return out, nil
}

// GetPolicy returns one of the client's policies with all its details.
func (s *Service) GetPolicy(ctx context.Context, c Caller, req *GetPolicyRequest) (*GetPolicyResponse, error) {
	d, err := s.ownPolicy(ctx, c, req.PolicyID)
	if err != nil {
		return nil, err
	}
	return &GetPolicyResponse{Policy: policyDetails(d)}, nil
}

// GetPolicyDocument returns KIAS's print form of the policy, or kabinet's
// own rendering when KIAS has none.
func (s *Service) GetPolicyDocument(ctx context.Context, c Caller, req *GetPolicyDocumentRequest) (*GetPolicyDocumentResponse, error) {
	d, err := s.ownPolicy(ctx, c, req.PolicyID)
	if err != nil {
		return nil, err
	}
	out := &GetPolicyDocumentResponse{FileName: "polis-" + fileSafe(d.Number) + ".pdf", ContentType: "application/pdf"}
	pctx, cancel := s.partner(ctx)
	defer cancel()
	form, found, err := s.d.KIAS.PrintForm(pctx, d.KIASContractID)
	if err != nil {
		// KIAS being down is no reason to refuse the document: render it.
		s.cfg.Logger.WarnContext(ctx, "partner call", "call", "KIAS print form", "error", err)
	}
	if err == nil && found && len(form) > 0 {
		// KIAS's print form shows the holder and the drivers with their
		// IINs in full, where kabinet's own rendering masks them: a read of
		// personal data, recorded as one.
		if err := s.recordAccess(ctx, c, c.ClientID, "GetPolicyDocument", []string{"printForm:" + d.PolicyID.String()}); err != nil {
			return nil, err
		}
		out.Source, out.Content = "kias", form
		return out, nil
	}
	out.Source = "kabinet"
	if out.Content, err = s.d.RenderPolicy(d, s.cfg.Now()); err != nil {
		return nil, fmt.Errorf("render policy document: %w", err)
	}
	return out, nil
}

// PayInstallment returns a payment link for the policy's next installment.
// The payment provider reports the payment back as RecordPayment.
func (s *Service) PayInstallment(ctx context.Context, c Caller, req *PayInstallmentRequest) (*PayInstallmentResponse, error) {
	d, err := s.ownPolicy(ctx, c, req.PolicyID)
	if err != nil {
		return nil, err
	}
	if d.Next == nil {
		return nil, &Error{Code: CodeConflict, Field: "policyId", Message: "the policy has no installment to pay"}
	}
	pctx, cancel := s.partner(ctx)
	defer cancel()
	link, err := s.d.Payments.PaymentLink(pctx, payments.LinkRequest{
		PolicyID: d.PolicyID, PolicyNumber: d.Number, Installment: d.Next.Number, Amount: d.Next.Amount,
		IdempotencyKey: fmt.Sprintf("%s:%d", d.PolicyID, d.Next.Number),
	})
	if err != nil {
		return nil, s.unavailable(ctx, "the payment provider", err)
	}
	return &PayInstallmentResponse{Installment: nextInstallment(*d.Next), PaymentURL: link.URL, ExpiresAt: dateTime(link.Expires)}, nil
}

// ProlongPolicy returns a renewal draft pre-filled from the policy for the
// website's purchase form; the price is computed there, never copied.
func (s *Service) ProlongPolicy(ctx context.Context, c Caller, req *ProlongPolicyRequest) (*ProlongPolicyResponse, error) {
	d, err := s.ownPolicy(ctx, c, req.PolicyID)
	if err != nil {
		return nil, err
	}
	if d.RenewedBy != uuid.Nil {
		return nil, &Error{Code: CodeConflict, Field: "policyId", Message: "the policy is already renewed"}
	}
	if d.Cancellation != nil {
		return nil, &Error{Code: CodeConflict, Field: "policyId", Message: "a cancelled policy cannot be renewed"}
	}
	today, err := policies.Today(s.cfg.Now())
	if err != nil {
		return nil, err
	}
	start := d.EndsOn.AddDays(1)
	if start.Before(today) {
		start = today
	}
	end := policy.DateOf(time.Date(start.Year+1, start.Month, start.Day, 0, 0, 0, 0, time.UTC)).AddDays(-1)
	draft := RenewalDraft{
		RenewsPolicyID: d.PolicyID.String(), RenewsNumber: d.Number, Product: string(d.Product),
		StartsOn: date(start), EndsOn: date(end), Holder: person(d.Holder),
		InsuredPersons: persons(d.InsuredPersons), Drivers: persons(d.Drivers), UnlimitedDrivers: d.UnlimitedDrivers,
		Vehicle: vehicle(d.Vehicle), PaymentMethod: string(d.PaymentMethod),
	}
	return &ProlongPolicyResponse{Draft: draft}, nil
}

// ownPolicy returns a policy of the caller's client; anyone else's answers
// NOT_FOUND as one that does not exist.
func (s *Service) ownPolicy(ctx context.Context, c Caller, raw string) (policies.Details, error) {
	id, err := parseID("policyId", raw)
	if err != nil {
		return policies.Details{}, err
	}
	return policies.Get(ctx, s.d.DB, c.ClientID, id, s.cfg.Now())
}

// holdsPolicyNumber reports whether the client holds a policy with number.
func (s *Service) holdsPolicyNumber(ctx context.Context, clientID uuid.UUID, number string) (bool, error) {
	_, holder, found, err := policies.FindByNumber(ctx, s.d.DB, number)
	if err != nil {
		return false, err
	}
	return found && holder == clientID, nil
}

func parseID(field, raw string) (uuid.UUID, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return uuid.Nil, invalid(field, "is required")
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, invalid(field, "must be a UUID")
	}
	return id, nil
}

func policySummary(p policies.Summary) PolicySummary {
	out := PolicySummary{
		PolicyID: p.PolicyID.String(), Number: p.Number, Product: string(p.Product), Insurer: p.Insurer,
		StartsOn: date(p.StartsOn), EndsOn: date(p.EndsOn), LastDay: date(p.LastDay),
		Premium: amount(p.Premium), Paid: amount(p.Paid), PaymentMethod: string(p.PaymentMethod),
		Standing: string(p.Standing), Bucket: string(p.Bucket), Vehicle: vehicle(p.Vehicle),
		CancelledOn: date(p.CancelledOn),
	}
	if p.Next != nil {
		n := nextInstallment(*p.Next)
		out.NextInstallment = &n
	}
	if p.RenewedBy != uuid.Nil {
		out.RenewedBy = p.RenewedBy.String()
	}
	return out
}

func policyDetails(d policies.Details) PolicyDetails {
	out := PolicyDetails{
		Summary: policySummary(d.Summary), Holder: person(d.Holder),
		InsuredPersons: persons(d.InsuredPersons), Drivers: persons(d.Drivers), UnlimitedDrivers: d.UnlimitedDrivers,
		Outstanding: amount(d.Outstanding), IssuedAt: dateTime(d.IssuedAt),
		Installments: make([]Installment, len(d.Installments)), Payments: make([]Payment, len(d.Payments)),
	}
	for i, in := range d.Installments {
		out.Installments[i] = Installment{Number: int64(in.Number), DueOn: date(in.DueOn), Amount: amount(in.Amount),
			Paid: in.Paid, PaidAt: dateTime(in.PaidAt), Overdue: in.Overdue}
	}
	for i, p := range d.Payments {
		out.Payments[i] = Payment{Ref: p.Ref, Amount: amount(p.Amount), PaidAt: dateTime(p.PaidAt)}
	}
	if d.RenewedFrom != uuid.Nil {
		out.RenewedFrom = d.RenewedFrom.String()
	}
	if d.Cancellation != nil {
		out.Cancellation = &Cancellation{EffectiveOn: date(d.Cancellation.EffectiveOn), Reason: d.Cancellation.Reason}
	}
	return out
}

func nextInstallment(n policies.NextInstallment) NextInstallment {
	return NextInstallment{Number: int64(n.Number), DueOn: date(n.DueOn), Amount: amount(n.Amount), Overdue: n.Overdue}
}

func person(p policies.Person) Person {
	out := Person{Name: p.Name, IIN: p.MaskedIIN}
	if p.KBM != nil {
		out.KBM = &KBM{Class: p.KBM.Class, Coefficient: p.KBM.Coefficient.StringFixed(2), AsOf: date(p.KBM.AsOf)}
	}
	return out
}

func persons(ps []policies.Person) []Person {
	out := make([]Person, len(ps))
	for i, p := range ps {
		out[i] = person(p)
	}
	return out
}

func vehicle(v policy.Vehicle) *Vehicle {
	if v.IsZero() {
		return nil
	}
	return &Vehicle{Make: v.Make, Model: v.Model, Plate: v.Plate, VIN: v.VIN, Year: int64(v.Year)}
}

func date(d policy.Date) Date { return Date(d.String()) }

func amount(m money.KZT) Money { return Money(m.Decimal().StringFixed(2)) }

// fileSafe keeps letters, digits and dashes of a policy number for a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') {
			return r
		}
		return '_'
	}, s)
}
