package kias

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/pii"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/text"
)

// ErrInvalidChange means a feed change kabinet cannot read: an unknown kind,
// a missing payload, a malformed IIN, date or amount, or text kabinet cannot
// store (a NUL character or invalid UTF-8, see internal/text). Its message
// names the field, never the value.
var ErrInvalidChange = errors.New("invalid feed change")

// FeedCommands are the command handlers the feed drives; all are required.
type FeedCommands struct {
	Clients  *commands.Clients // the holder's client ID, from their IIN
	Policies *commands.Policies
	Claims   *commands.Claims
}

// changeNamespace is the UUIDv5 namespace of the command IDs of feed
// changes. Changing it would make a replayed feed write everything again, so
// it never changes.
var changeNamespace = uuid.MustParse("0b7d6a52-3c1e-5f08-9d4a-2e6f1c8b7a39")

// commandID is the ID of the command a change becomes: derived from KIAS's ID
// of the change (its cursor when it has none), so that the same change, read
// again after a crash or a reset cursor, is the same command and writes
// nothing.
func commandID(c Change) uuid.UUID {
	key := "id:" + c.ID
	if c.ID == "" {
		key = "cursor:" + c.Cursor
	}
	return uuid.NewSHA1(changeNamespace, []byte(key))
}

// feedMetadata is the metadata of the events a change read in the feed
// writes.
func feedMetadata(ctx context.Context, c Change) context.Context {
	return commands.WithMetadata(ctx, eventstore.Metadata{CorrelationID: "kias-feed:" + c.ID, Actor: "kias:feed"})
}

// apply runs the command a change stands for, with the metadata in ctx; the
// feed and a client's history share it, so that one change is one command
// whichever way it came. A nil error means the change is in the log, now or
// before.
func (p *FeedPoller) apply(ctx context.Context, c Change) error {
	if c.unreadable != nil {
		return fmt.Errorf("%w: %w", ErrInvalidChange, c.unreadable)
	}
	// Checked before anything else reads the change: such text would reach
	// the event log and stop the read models that cannot store it.
	if field, bad := text.Unstorable(c); bad {
		return fmt.Errorf("%s: %s: %w", field, text.Rule, ErrInvalidChange)
	}
	id := commandID(c)
	switch c.Kind {
	case ChangePolicyIssued:
		if c.Policy == nil {
			return missingPayload(c.Kind, "policy")
		}
		cmd, err := p.issueCommand(*c.Policy)
		if err != nil {
			return err
		}
		_, _, err = p.cmds.Policies.IssuePolicy(ctx, id, cmd)
		return doneIf(err, policy.ErrPolicyExists)
	case ChangePaymentReceived:
		if c.Payment == nil {
			return missingPayload(c.Kind, "payment")
		}
		var f fields
		cmd := policy.RecordPayment{PaymentRef: c.Payment.PaymentRef, Amount: f.amount("payment.amount", c.Payment.Amount), PaidAt: c.Payment.PaidAt}
		policyID := f.contract(p.cmds.Policies, "payment.contract_id", c.Payment.ContractID)
		if f.err != nil {
			return f.err
		}
		_, err := p.cmds.Policies.RecordPayment(ctx, id, policyID, cmd)
		return doneIf(err, policy.ErrDuplicatePayment)
	case ChangeInstallmentPaid:
		if c.Payment == nil {
			return missingPayload(c.Kind, "payment")
		}
		var f fields
		cmd := policy.PayInstallment{Number: c.Payment.Installment, PaymentRef: c.Payment.PaymentRef,
			Amount: f.amount("payment.amount", c.Payment.Amount), PaidAt: c.Payment.PaidAt}
		policyID := f.contract(p.cmds.Policies, "payment.contract_id", c.Payment.ContractID)
		if f.err != nil {
			return f.err
		}
		holder, err := p.holder(ctx, policyID)
		if err != nil {
			return err
		}
		_, err = p.cmds.Policies.PayInstallment(ctx, id, holder, policyID, cmd)
		// The same payment again decides nothing; another payment of a paid
		// installment is refused and recorded as a reject.
		return doneIf(err, policy.ErrDuplicatePayment)
	case ChangePolicyCancelled:
		if c.Cancellation == nil {
			return missingPayload(c.Kind, "cancellation")
		}
		var f fields
		cmd := policy.CancelPolicy{Reason: c.Cancellation.Reason, EffectiveOn: f.date("cancellation.effective_on", c.Cancellation.EffectiveOn)}
		policyID := f.contract(p.cmds.Policies, "cancellation.contract_id", c.Cancellation.ContractID)
		if f.err != nil {
			return f.err
		}
		_, err := p.cmds.Policies.CancelPolicy(ctx, id, policyID, cmd)
		return doneIf(err, policy.ErrPolicyCancelled)
	case ChangeClaimReported:
		return p.reportClaim(ctx, id, c)
	case ChangeClaimStatusChanged:
		if c.ClaimStatus == nil {
			return missingPayload(c.Kind, "claim_status")
		}
		s := c.ClaimStatus
		var f fields
		cmd := claim.ChangeClaimStatus{To: claim.Status(strings.TrimSpace(s.Status)), Reason: s.Reason, DecisionRef: s.DecisionRef}
		if s.Payout != "" {
			cmd.Payout = f.amount("claim_status.payout", s.Payout)
		}
		claimID := f.claim(p.cmds.Claims, "claim_status.number", s.Number)
		if f.err != nil {
			return f.err
		}
		_, err := p.cmds.Claims.ChangeClaimStatus(ctx, id, claimID, cmd)
		return err
	case ChangeClaimDocumentsRequested:
		if c.ClaimDocuments == nil {
			return missingPayload(c.Kind, "claim_documents")
		}
		var f fields
		claimID := f.claim(p.cmds.Claims, "claim_documents.number", c.ClaimDocuments.Number)
		if f.err != nil {
			return f.err
		}
		cmd := claim.RequestClaimDocuments{}
		for _, d := range c.ClaimDocuments.Documents {
			cmd.Documents = append(cmd.Documents, claim.DocumentRequest{Kind: claim.DocumentKind(d.Kind), Title: d.Title})
		}
		_, err := p.cmds.Claims.RequestClaimDocuments(ctx, id, claimID, cmd)
		return err
	default:
		return fmt.Errorf("kind %q: not a kind kabinet knows: %w", c.Kind, ErrInvalidChange)
	}
}

func (p *FeedPoller) reportClaim(ctx context.Context, id uuid.UUID, c Change) error {
	if c.Claim == nil {
		return missingPayload(c.Kind, "claim")
	}
	var f fields
	policyID := f.contract(p.cmds.Policies, "claim.contract_id", c.Claim.ContractID)
	if f.err != nil {
		return f.err
	}
	holder, err := p.holder(ctx, policyID)
	if err != nil {
		return err
	}
	// KIAS's clock may run a little ahead of kabinet's; a claim reported a
	// moment "in the future" is reported now rather than refused.
	at := c.Claim.ReportedAt
	if now := p.cfg.Now(); at.After(now) && at.Sub(now) < maxClockSkew {
		at = now
	}
	_, _, err = p.cmds.Claims.ReportClaim(ctx, id, claim.ReportClaim{
		ClientID: holder, PolicyID: policyID, Number: c.Claim.Number, Kind: c.Claim.Kind,
		Description: c.Claim.Description, ReportedAt: at,
	})
	return doneIf(err, claim.ErrClaimExists)
}

// maxClockSkew is how far ahead of kabinet's clock KIAS's may run.
const maxClockSkew = 5 * time.Minute

// holder is the client who holds a policy: a claim or an installment KIAS
// reports is theirs.
func (p *FeedPoller) holder(ctx context.Context, policyID uuid.UUID) (uuid.UUID, error) {
	s, err := p.cmds.Policies.Load(ctx, policyID)
	if err != nil {
		return uuid.Nil, err
	}
	if !s.Exists() {
		return uuid.Nil, fmt.Errorf("policy %s: %w", policyID, policy.ErrPolicyNotFound)
	}
	return s.Holder.ClientID, nil
}

func (p *FeedPoller) issueCommand(fp FeedPolicy) (policy.IssuePolicy, error) {
	var f fields
	cmd := policy.IssuePolicy{
		Product:          policy.Product(strings.TrimSpace(fp.Product)),
		Number:           fp.Number,
		KIASContractID:   fp.ContractID,
		Insurer:          fp.Insurer,
		StartsOn:         f.date("policy.starts_on", fp.StartsOn),
		EndsOn:           f.date("policy.ends_on", fp.EndsOn),
		UnlimitedDrivers: fp.UnlimitedDrivers,
		Premium:          f.amount("policy.premium", fp.Premium),
		PaymentMethod:    policy.PaymentMethod(strings.TrimSpace(fp.PaymentMethod)),
	}
	holder := f.person("policy.holder", fp.Holder, true)
	cmd.Holder = policy.Holder{IIN: holder.IIN, Name: holder.Name, KBM: holder.KBM}
	if !holder.IIN.IsZero() {
		cmd.Holder.ClientID = p.cmds.Clients.IDFor(holder.IIN)
	}
	for i, x := range fp.InsuredPersons {
		cmd.InsuredPersons = append(cmd.InsuredPersons, f.person(fmt.Sprintf("policy.insured_persons[%d]", i), x, false))
	}
	for i, x := range fp.Drivers {
		cmd.Drivers = append(cmd.Drivers, f.person(fmt.Sprintf("policy.drivers[%d]", i), x, true))
	}
	if v := fp.Vehicle; v != nil {
		cmd.Vehicle = policy.Vehicle{Make: v.Make, Model: v.Model, Plate: v.Plate, VIN: v.VIN, Year: v.Year}
	}
	for i, x := range fp.Installments {
		field := fmt.Sprintf("policy.installments[%d]", i)
		cmd.Installments = append(cmd.Installments, policy.Installment{
			Number: x.Number, DueOn: f.date(field+".due_on", x.DueOn), Amount: f.amount(field+".amount", x.Amount),
		})
	}
	if strings.TrimSpace(fp.RenewedFrom) != "" {
		cmd.RenewedFrom = p.cmds.Policies.IDFor(fp.RenewedFrom)
	}
	return cmd, f.err
}

func missingPayload(kind ChangeKind, field string) error {
	return fmt.Errorf("%s: required for %s: %w", field, kind, ErrInvalidChange)
}

// fields reads a change's values, keeping the first problem. Its errors name
// the field and the rule, never the value: values are personal data.
type fields struct{ err error }

func (f *fields) fail(field, rule string) {
	if f.err == nil {
		f.err = fmt.Errorf("%s: %s: %w", field, rule, ErrInvalidChange)
	}
}

func (f *fields) iin(field, s string, required bool) kz.IIN {
	if strings.TrimSpace(s) == "" {
		if required {
			f.fail(field, "required")
		}
		return kz.IIN{}
	}
	v, err := kz.ParseIIN(s)
	if err != nil {
		f.fail(field, "not a valid IIN")
	}
	return v
}

func (f *fields) date(field, s string) policy.Date {
	if strings.TrimSpace(s) == "" {
		return policy.Date{}
	}
	d, err := policy.ParseDate(strings.TrimSpace(s))
	if err != nil {
		f.fail(field, "want a date YYYY-MM-DD")
	}
	return d
}

func (f *fields) amount(field, s string) money.KZT {
	if strings.TrimSpace(s) == "" {
		f.fail(field, "required")
		return money.KZT{}
	}
	v, err := money.Parse(s)
	if err != nil {
		f.fail(field, "want an amount such as \"1500.00\"")
	}
	return v
}

func (f *fields) person(field string, p FeedPerson, iinRequired bool) policy.Person {
	out := policy.Person{Name: p.Name, IIN: f.iin(field+".iin", p.IIN, iinRequired)}
	if k := p.KBM; k != nil {
		out.KBM = policy.KBM{Class: k.Class, AsOf: f.date(field+".kbm.as_of", k.AsOf)}
		if strings.TrimSpace(k.Coefficient) != "" {
			c, err := decimal.NewFromString(strings.TrimSpace(k.Coefficient))
			if err != nil {
				f.fail(field+".kbm.coefficient", "want a decimal such as \"0.90\"")
			}
			out.KBM.Coefficient = c
		}
	}
	return out
}

func (f *fields) contract(p *commands.Policies, field, contractID string) uuid.UUID {
	if strings.TrimSpace(contractID) == "" {
		f.fail(field, "required")
		return uuid.Nil
	}
	return p.IDFor(contractID)
}

func (f *fields) claim(c *commands.Claims, field, number string) uuid.UUID {
	if strings.TrimSpace(number) == "" {
		f.fail(field, "required")
		return uuid.Nil
	}
	return c.IDFor(number)
}

// doneIf treats the refusals that mean "already so" as success: the change
// reached kabinet before, under another command (the website issuing the
// same contract, the payment provider reporting the same payment).
func doneIf(err error, already ...error) error {
	for _, a := range already {
		if errors.Is(err, a) {
			return nil
		}
	}
	return err
}

// refusals are the errors that mean a change can never be applied as it
// is; anything else is taken to be passing (the database, a lost race
// retried too often) and the change is tried again on the next poll.
var refusals = []error{
	ErrInvalidChange,
	pii.ErrErased,                // a contract or claim of a client whose data was erased
	eventstore.ErrDuplicateEvent, // the change's ID was used for another contract or claim
	commands.ErrPolicyNotOwned,
	commands.ErrProlongationHolderMismatch,
	policy.ErrPolicyNotFound,
	policy.ErrPolicyCancelled,
	policy.ErrAlreadyProlonged,
	policy.ErrInstallmentNotFound,
	policy.ErrInstallmentOutOfOrder,
	policy.ErrPaidByInstallments,
	policy.ErrAmountMismatch,
	policy.ErrOverpayment,
	policy.ErrInvalidPolicy,
	policy.ErrInvalidSchedule,
	policy.ErrInvalidPayment,
	policy.ErrInvalidProlongation,
	policy.ErrInvalidCancellation,
	policy.ErrInvalidDocument,
	policy.ErrUnknownCommand,
	claim.ErrClaimNotFound,
	claim.ErrClaimClosed,
	claim.ErrInvalidTransition,
	claim.ErrUnknownStatus,
	claim.ErrDocumentNotRequested,
	claim.ErrPayoutRequired,
	claim.ErrUnexpectedPayout,
	claim.ErrReasonRequired,
	claim.ErrInvalidClaim,
	claim.ErrInvalidDocument,
	claim.ErrUnknownCommand,
}

// refused reports whether err refuses a change for good.
func refused(err error) bool {
	for _, r := range refusals {
		if errors.Is(err, r) {
			return true
		}
	}
	return false
}
