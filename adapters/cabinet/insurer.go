package cabinet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

// The insurer's operations derive their command IDs from natural keys
// (contract, payment reference, claim number), so a system that sends the
// same fact twice records it once even without an idempotency key.
var insurerSpace = uuid.MustParse("2b7d3c58-6a0e-4c1f-8f7e-0d7f9b2e5a31")

func naturalID(parts ...string) uuid.UUID {
	return uuid.NewSHA1(insurerSpace, []byte(strings.Join(parts, "\x00")))
}

// IssuePolicy records a contract concluded in KIAS.
func (s *Service) IssuePolicy(ctx context.Context, c Caller, req *IssuePolicyRequest) (*IssuePolicyResponse, error) {
	cmd, err := s.issueCommand(req)
	if err != nil {
		return nil, err
	}
	id, res, err := s.d.Policies.IssuePolicy(ctx, naturalID("issue", cmd.KIASContractID), cmd)
	if errors.Is(err, policy.ErrPolicyExists) {
		return &IssuePolicyResponse{PolicyID: id.String(), Created: false}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := s.settle(ctx, res); err != nil {
		return nil, err
	}
	return &IssuePolicyResponse{PolicyID: id.String(), Created: !res.Duplicate}, nil
}

func (s *Service) issueCommand(req *IssuePolicyRequest) (policy.IssuePolicy, error) {
	cmd := policy.IssuePolicy{
		KIASContractID: strings.TrimSpace(req.KIASContractID), Number: strings.TrimSpace(req.Number),
		Product: policy.Product(strings.TrimSpace(req.Product)), Insurer: strings.TrimSpace(req.Insurer),
		UnlimitedDrivers: req.UnlimitedDrivers, PaymentMethod: policy.PaymentMethod(strings.TrimSpace(req.PaymentMethod)),
	}
	var err error
	switch {
	case cmd.KIASContractID == "":
		return cmd, invalid("kiasContractId", "is required")
	case cmd.Number == "":
		return cmd, invalid("number", "is required")
	case !cmd.Product.Valid():
		return cmd, invalid("product", "must be one of ogpo_vts, kasko, travel, property, accident")
	case cmd.Insurer == "":
		return cmd, invalid("insurer", "is required")
	case !cmd.PaymentMethod.Valid():
		return cmd, invalid("paymentMethod", "must be one of card, kaspi, bank_transfer, cash, installments")
	}
	if cmd.StartsOn, err = parseDate("startsOn", req.StartsOn); err != nil {
		return cmd, err
	}
	if cmd.EndsOn, err = parseDate("endsOn", req.EndsOn); err != nil {
		return cmd, err
	}
	if !cmd.EndsOn.After(cmd.StartsOn) {
		return cmd, invalid("endsOn", "must be after startsOn")
	}
	if cmd.Premium, err = parseMoney("premium", req.Premium); err != nil {
		return cmd, err
	}
	if !cmd.Premium.IsPositive() {
		return cmd, invalid("premium", "must be positive")
	}
	holder, err := parsePerson("holder", req.Holder)
	if err != nil {
		return cmd, err
	}
	if holder.IIN.IsZero() {
		return cmd, invalid("holder.iin", "is required")
	}
	cmd.Holder = policy.Holder{ClientID: s.d.Clients.IDFor(holder.IIN), IIN: holder.IIN, Name: holder.Name, KBM: holder.KBM}
	for i, p := range req.InsuredPersons {
		person, err := parsePerson(fmt.Sprintf("insuredPersons[%d]", i), p)
		if err != nil {
			return cmd, err
		}
		cmd.InsuredPersons = append(cmd.InsuredPersons, person)
	}
	for i, p := range req.Drivers {
		person, err := parsePerson(fmt.Sprintf("drivers[%d]", i), p)
		if err != nil {
			return cmd, err
		}
		if person.IIN.IsZero() {
			return cmd, invalid(fmt.Sprintf("drivers[%d].iin", i), "is required for a driver")
		}
		cmd.Drivers = append(cmd.Drivers, person)
	}
	if cmd.Product == policy.ProductOGPOVTS && !cmd.UnlimitedDrivers && len(cmd.Drivers) == 0 {
		return cmd, invalid("drivers", "name at least one driver, or set unlimitedDrivers")
	}
	if v := req.Vehicle; v != nil {
		cmd.Vehicle = policy.Vehicle{Make: strings.TrimSpace(v.Make), Model: strings.TrimSpace(v.Model),
			Plate: strings.TrimSpace(v.Plate), VIN: strings.TrimSpace(v.VIN), Year: int(v.Year)}
	}
	// Checked here as well as by the domain, whose refusal names no request field.
	switch {
	case cmd.Product.Motor() && cmd.Vehicle.IsZero():
		return cmd, invalid("vehicle", "is required for %s", cmd.Product)
	case !cmd.Vehicle.IsZero() && cmd.Vehicle.Make == "":
		return cmd, invalid("vehicle.make", "is required")
	case !cmd.Vehicle.IsZero() && cmd.Vehicle.Model == "":
		return cmd, invalid("vehicle.model", "is required")
	}
	for i, in := range req.Installments {
		field := fmt.Sprintf("installments[%d]", i)
		due, err := parseDate(field+".dueOn", in.DueOn)
		if err != nil {
			return cmd, err
		}
		amt, err := parseMoney(field+".amount", in.Amount)
		if err != nil {
			return cmd, err
		}
		cmd.Installments = append(cmd.Installments, policy.Installment{Number: int(in.Number), DueOn: due, Amount: amt})
	}
	if r := strings.TrimSpace(req.RenewsKIASContractID); r != "" {
		cmd.RenewedFrom = s.d.Policies.IDFor(r)
	}
	return cmd, nil
}

// RecordPayment records money received on a policy, or on one of its
// installments when Installment is set.
func (s *Service) RecordPayment(ctx context.Context, c Caller, req *RecordPaymentRequest) (*RecordPaymentResponse, error) {
	contract := strings.TrimSpace(req.KIASContractID)
	if contract == "" {
		return nil, invalid("kiasContractId", "is required")
	}
	ref := strings.TrimSpace(req.PaymentRef)
	if ref == "" {
		return nil, invalid("paymentRef", "is required")
	}
	amt, err := parsePositiveMoney("amount", req.Amount)
	if err != nil {
		return nil, err
	}
	paidAt, err := parseOptionalDateTime("paidAt", req.PaidAt)
	if err != nil {
		return nil, err
	}
	if req.Installment < 0 {
		return nil, invalid("installment", "must be positive")
	}
	id, p, err := s.policyByContract(ctx, contract)
	if err != nil {
		return nil, err
	}
	cmdID := naturalID("payment", contract, ref)
	var res commands.Result
	if req.Installment > 0 {
		res, err = s.d.Policies.PayInstallment(ctx, cmdID, p.Holder.ClientID, id, policy.PayInstallment{
			Number: int(req.Installment), PaymentRef: ref, Amount: amt, PaidAt: paidAt})
	} else {
		res, err = s.d.Policies.RecordPayment(ctx, cmdID, id, policy.RecordPayment{PaymentRef: ref, Amount: amt, PaidAt: paidAt})
	}
	if errors.Is(err, policy.ErrDuplicatePayment) {
		return &RecordPaymentResponse{PolicyID: id.String(), Recorded: false}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := s.settle(ctx, res); err != nil {
		return nil, err
	}
	return &RecordPaymentResponse{PolicyID: id.String(), Recorded: res.Events > 0 && !res.Duplicate}, nil
}

// RefundPayment records money paid back out of a payment received.
func (s *Service) RefundPayment(ctx context.Context, c Caller, req *RefundPaymentRequest) (*RefundPaymentResponse, error) {
	contract := strings.TrimSpace(req.KIASContractID)
	if contract == "" {
		return nil, invalid("kiasContractId", "is required")
	}
	ref, refund := strings.TrimSpace(req.PaymentRef), strings.TrimSpace(req.RefundRef)
	if ref == "" {
		return nil, invalid("paymentRef", "is required")
	}
	if refund == "" {
		return nil, invalid("refundRef", "is required")
	}
	amt, err := parsePositiveMoney("amount", req.Amount)
	if err != nil {
		return nil, err
	}
	at, err := parseOptionalDateTime("refundedAt", req.RefundedAt)
	if err != nil {
		return nil, err
	}
	id, _, err := s.policyByContract(ctx, contract)
	if err != nil {
		return nil, err
	}
	res, err := s.d.Policies.RefundPayment(ctx, naturalID("refund", contract, refund), id, policy.RefundPayment{
		PaymentRef: ref, RefundRef: refund, Amount: amt, RefundedAt: at})
	if err := s.settled(ctx, res, err); err != nil {
		return nil, err
	}
	return &RefundPaymentResponse{PolicyID: id.String(), Recorded: res.Events > 0 && !res.Duplicate}, nil
}

// ReportClaim opens a claim of the policy's holder.
func (s *Service) ReportClaim(ctx context.Context, c Caller, req *ReportClaimRequest) (*ReportClaimResponse, error) {
	number := strings.TrimSpace(req.Number)
	if number == "" {
		return nil, invalid("number", "is required")
	}
	contract := strings.TrimSpace(req.KIASContractID)
	if contract == "" {
		return nil, invalid("kiasContractId", "is required")
	}
	if strings.TrimSpace(req.Kind) == "" {
		return nil, invalid("kind", "is required")
	}
	reportedAt, err := parseOptionalDateTime("reportedAt", req.ReportedAt)
	if err != nil {
		return nil, err
	}
	if reportedAt.After(s.cfg.Now()) {
		return nil, invalid("reportedAt", "must not be in the future")
	}
	policyID, p, err := s.policyByContract(ctx, contract)
	if err != nil {
		return nil, err
	}
	id, res, err := s.d.Claims.ReportClaim(ctx, naturalID("claim", number), claim.ReportClaim{
		ClientID: p.Holder.ClientID, PolicyID: policyID, Number: number, Kind: strings.TrimSpace(req.Kind),
		Description: strings.TrimSpace(req.Description), ReportedAt: reportedAt,
	})
	if errors.Is(err, claim.ErrClaimExists) {
		return &ReportClaimResponse{ClaimID: id.String(), Created: false}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := s.settle(ctx, res); err != nil {
		return nil, err
	}
	return &ReportClaimResponse{ClaimID: id.String(), Created: !res.Duplicate}, nil
}

// ChangeClaimStatus moves a claim to another stage.
func (s *Service) ChangeClaimStatus(ctx context.Context, c Caller, req *ChangeClaimStatusRequest) (*ChangeClaimStatusResponse, error) {
	id, _, err := s.claimByNumber(ctx, req.Number)
	if err != nil {
		return nil, err
	}
	status := claim.Status(strings.TrimSpace(req.Status))
	if !status.Valid() {
		return nil, invalid("status", "must be one of reported, documents_requested, documents_complete, appraisal, payout_decision, paid, refused, withdrawn")
	}
	cmd := claim.ChangeClaimStatus{To: status, Reason: strings.TrimSpace(req.Reason), DecisionRef: strings.TrimSpace(req.DecisionRef)}
	if strings.TrimSpace(string(req.Payout)) != "" {
		if cmd.Payout, err = parseMoney("payout", req.Payout); err != nil {
			return nil, err
		}
	}
	res, err := s.d.Claims.ChangeClaimStatus(ctx, c.commandID("ChangeClaimStatus", 0), id, cmd)
	if err := s.settled(ctx, res, err); err != nil {
		return nil, err
	}
	return &ChangeClaimStatusResponse{ClaimID: id.String()}, nil
}

// RequestClaimDocuments asks the client for documents.
func (s *Service) RequestClaimDocuments(ctx context.Context, c Caller, req *RequestClaimDocumentsRequest) (*RequestClaimDocumentsResponse, error) {
	id, _, err := s.claimByNumber(ctx, req.Number)
	if err != nil {
		return nil, err
	}
	if len(req.Documents) == 0 {
		return nil, invalid("documents", "name at least one document")
	}
	cmd := claim.RequestClaimDocuments{}
	for i, d := range req.Documents {
		kind, title := strings.TrimSpace(d.Kind), strings.TrimSpace(d.Title)
		if kind == "" || title == "" {
			return nil, invalid(fmt.Sprintf("documents[%d]", i), "needs a kind and a title")
		}
		cmd.Documents = append(cmd.Documents, claim.DocumentRequest{Kind: claim.DocumentKind(kind), Title: title})
	}
	res, err := s.d.Claims.RequestClaimDocuments(ctx, c.commandID("RequestClaimDocuments", 0), id, cmd)
	if err := s.settled(ctx, res, err); err != nil {
		return nil, err
	}
	return &RequestClaimDocumentsResponse{ClaimID: id.String()}, nil
}

// ReceiveClaimDocument records a document KIAS received for a claim.
func (s *Service) ReceiveClaimDocument(ctx context.Context, c Caller, req *ReceiveClaimDocumentRequest) (*ReceiveClaimDocumentResponse, error) {
	id, cl, err := s.claimByNumber(ctx, req.Number)
	if err != nil {
		return nil, err
	}
	kind := strings.TrimSpace(req.Kind)
	if kind == "" {
		return nil, invalid("kind", "is required")
	}
	ref := strings.TrimSpace(req.BlobRef)
	if ref == "" {
		return nil, invalid("blobRef", "is required")
	}
	res, err := s.d.Claims.ReceiveClaimDocument(ctx, naturalID("document", cl.Number, kind, ref), cl.ClientID, id, claim.ReceiveClaimDocument{
		Kind: claim.DocumentKind(kind), BlobRef: ref, SHA256: strings.TrimSpace(req.SHA256)})
	if err := s.settled(ctx, res, err); err != nil {
		return nil, err
	}
	return &ReceiveClaimDocumentResponse{ClaimID: id.String()}, nil
}

// claimByNumber returns an existing claim by its KIAS number.
func (s *Service) claimByNumber(ctx context.Context, raw string) (uuid.UUID, claim.State, error) {
	number := strings.TrimSpace(raw)
	if number == "" {
		return uuid.Nil, claim.State{}, invalid("number", "is required")
	}
	id := s.d.Claims.IDFor(number)
	cl, err := s.d.Claims.Load(ctx, id)
	if err != nil {
		return uuid.Nil, claim.State{}, err
	}
	if !cl.Exists() {
		return uuid.Nil, claim.State{}, &Error{Code: CodeNotFound, Field: "number", Message: "no claim with this number"}
	}
	return id, cl, nil
}

// policyByContract returns an existing policy by its KIAS contract ID.
func (s *Service) policyByContract(ctx context.Context, contract string) (uuid.UUID, policy.State, error) {
	id := s.d.Policies.IDFor(contract)
	p, err := s.d.Policies.Load(ctx, id)
	if err != nil {
		return uuid.Nil, policy.State{}, err
	}
	if !p.Exists() {
		return uuid.Nil, policy.State{}, &Error{Code: CodeNotFound, Field: "kiasContractId", Message: "no policy with this contract"}
	}
	return id, p, nil
}

func parsePerson(field string, p PersonInput) (policy.Person, error) {
	out := policy.Person{Name: strings.TrimSpace(p.Name)}
	if out.Name == "" {
		return out, invalid(field+".name", "is required")
	}
	if strings.TrimSpace(p.IIN) != "" {
		iin, err := parseIIN(field+".iin", p.IIN)
		if err != nil {
			return out, err
		}
		out.IIN = iin
	}
	if k := p.KBM; k != nil {
		coef, err := decimal.NewFromString(strings.TrimSpace(k.Coefficient))
		if err != nil || !coef.IsPositive() {
			return out, invalid(field+".kbm.coefficient", "must be a positive decimal such as 0.90")
		}
		asOf, err := parseDate(field+".kbm.asOf", k.AsOf)
		if err != nil {
			return out, err
		}
		if strings.TrimSpace(k.Class) == "" {
			return out, invalid(field+".kbm.class", "is required")
		}
		out.KBM = policy.KBM{Class: strings.TrimSpace(k.Class), Coefficient: coef, AsOf: asOf}
	}
	return out, nil
}

func parseDate(field string, d Date) (policy.Date, error) {
	v := strings.TrimSpace(string(d))
	if v == "" {
		return policy.Date{}, invalid(field, "is required")
	}
	out, err := policy.ParseDate(v)
	if err != nil {
		return policy.Date{}, invalid(field, "must be a date, YYYY-MM-DD")
	}
	return out, nil
}

func parseMoney(field string, m Money) (money.KZT, error) {
	v := strings.TrimSpace(string(m))
	if v == "" {
		return money.KZT{}, invalid(field, "is required")
	}
	out, err := money.Parse(v)
	if err != nil {
		return money.KZT{}, invalid(field, "%s", err.Error())
	}
	return out, nil
}

// parsePositiveMoney is parseMoney for an amount that must be above zero.
func parsePositiveMoney(field string, m Money) (money.KZT, error) {
	out, err := parseMoney(field, m)
	if err == nil && !out.IsPositive() {
		return money.KZT{}, invalid(field, "must be positive")
	}
	return out, err
}

// parseOptionalDateTime reads an RFC 3339 time with an offset; absent is the
// zero time, which the commands take as now.
func parseOptionalDateTime(field string, v DateTime) (time.Time, error) {
	raw := strings.TrimSpace(string(v))
	if raw == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return time.Time{}, invalid(field, "must be a date and time with an offset (RFC 3339)")
	}
	return t, nil
}
