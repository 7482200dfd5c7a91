package kias

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/domain/kz"
)

// ChangeKind names what a feed change reports; its string is part of the
// wire format.
type ChangeKind string

// The changes KIAS reports.
const (
	ChangePolicyIssued            ChangeKind = "policy_issued"
	ChangePaymentReceived         ChangeKind = "payment_received"
	ChangeInstallmentPaid         ChangeKind = "installment_paid"
	ChangePolicyCancelled         ChangeKind = "policy_cancelled"
	ChangeClaimReported           ChangeKind = "claim_reported"
	ChangeClaimStatusChanged      ChangeKind = "claim_status_changed"
	ChangeClaimDocumentsRequested ChangeKind = "claim_documents_requested"
)

// Change is one entry of KIAS's feed. Exactly the payload its Kind names is
// set. Values are kept as KIAS wrote them (strings for IINs, dates and
// amounts): FeedPoller checks each one, so that one bad change is rejected
// on its own instead of making the whole page unreadable.
type Change struct {
	ID         string     `json:"id"`     // KIAS's stable ID of the change
	Cursor     string     `json:"cursor"` // opaque; ask after it for what follows
	Kind       ChangeKind `json:"kind"`
	OccurredAt time.Time  `json:"occurred_at,omitzero"`

	Policy         *FeedPolicy         `json:"policy,omitempty"`          // policy_issued
	Payment        *FeedPayment        `json:"payment,omitempty"`         // payment_received, installment_paid
	Cancellation   *FeedCancellation   `json:"cancellation,omitempty"`    // policy_cancelled
	Claim          *FeedClaim          `json:"claim,omitempty"`           // claim_reported
	ClaimStatus    *FeedClaimStatus    `json:"claim_status,omitempty"`    // claim_status_changed
	ClaimDocuments *FeedClaimDocuments `json:"claim_documents,omitempty"` // claim_documents_requested

	// unreadable is why the Client could not decode the change; the poller
	// rejects it.
	unreadable error
}

// FeedPolicy is a contract concluded in KIAS.
type FeedPolicy struct {
	ContractID       string            `json:"contract_id"`
	Number           string            `json:"number"`
	Product          string            `json:"product"` // ogpo_vts, kasko, travel, property, accident
	Insurer          string            `json:"insurer"`
	StartsOn         string            `json:"starts_on"`
	EndsOn           string            `json:"ends_on"`
	Holder           FeedPerson        `json:"holder"`
	InsuredPersons   []FeedPerson      `json:"insured_persons,omitempty"`
	Drivers          []FeedPerson      `json:"drivers,omitempty"`
	UnlimitedDrivers bool              `json:"unlimited_drivers,omitempty"`
	Vehicle          *FeedVehicle      `json:"vehicle,omitempty"`
	Premium          string            `json:"premium"`
	PaymentMethod    string            `json:"payment_method"` // card, kaspi, installments, cash, bank_transfer
	Installments     []FeedInstallment `json:"installments,omitempty"`
	RenewedFrom      string            `json:"renewed_from,omitempty"` // contract ID of the policy this renews
}

// FeedPerson is a holder, an insured person or a driver.
type FeedPerson struct {
	IIN  string   `json:"iin,omitempty"`
	Name string   `json:"name"`
	KBM  *FeedKBM `json:"kbm,omitempty"`
}

// FeedKBM is a bonus-malus class as KIAS states it.
type FeedKBM struct {
	Class       string `json:"class"`
	Coefficient string `json:"coefficient"`
	AsOf        string `json:"as_of,omitempty"`
}

// FeedVehicle is the insured vehicle of a motor policy.
type FeedVehicle struct {
	Make  string `json:"make"`
	Model string `json:"model"`
	Plate string `json:"plate,omitempty"`
	VIN   string `json:"vin,omitempty"`
	Year  int    `json:"year,omitempty"`
}

// FeedInstallment is one planned part of the premium.
type FeedInstallment struct {
	Number int    `json:"number"`
	DueOn  string `json:"due_on"`
	Amount string `json:"amount"`
}

// FeedPayment is money received on a contract, at a cash desk or by bank
// transfer; Installment is set (from 1) for installment_paid.
type FeedPayment struct {
	ContractID  string    `json:"contract_id"`
	PaymentRef  string    `json:"payment_ref"`
	Installment int       `json:"installment,omitempty"`
	Amount      string    `json:"amount"`
	PaidAt      time.Time `json:"paid_at,omitzero"`
}

// FeedCancellation ends a contract's cover from EffectiveOn on.
type FeedCancellation struct {
	ContractID  string `json:"contract_id"`
	Reason      string `json:"reason"`
	EffectiveOn string `json:"effective_on"`
}

// FeedClaim is a claim reported at KIAS's desk; the claimant is the holder of
// the contract.
type FeedClaim struct {
	Number      string    `json:"number"`
	ContractID  string    `json:"contract_id"`
	Kind        string    `json:"kind"`
	Description string    `json:"description,omitempty"`
	ReportedAt  time.Time `json:"reported_at,omitzero"`
}

// FeedClaimStatus moves a claim to another stage.
type FeedClaimStatus struct {
	Number      string `json:"number"`
	Status      string `json:"status"`
	Reason      string `json:"reason,omitempty"`
	Payout      string `json:"payout,omitempty"` // for paid
	DecisionRef string `json:"decision_ref,omitempty"`
}

// FeedClaimDocuments asks the client for documents for a claim.
type FeedClaimDocuments struct {
	Number    string             `json:"number"`
	Documents []FeedDocumentKind `json:"documents"`
}

// FeedDocumentKind is a document asked for and its title shown to the client.
type FeedDocumentKind struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
}

// FeedPage is one read of the feed.
type FeedPage struct {
	Changes []Change
	Next    string // the cursor to ask after next time
}

// Feed limits.
const (
	DefaultFeedLimit = 100
	MaxFeedLimit     = 500
)

// ErrBadCursor means a cursor the feed never gave out.
var ErrBadCursor = errors.New("not a cursor of this feed")

// AppendChange adds a change to the simulator's feed, giving it an ID (when
// it has none), its cursor and the time it occurred (when zero), and returns
// it. A policy_issued change also makes the contract's number known for its
// holder, as KIAS would.
func (s *Simulator) AppendChange(c Change) Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.changes) + 1
	c.Cursor = formatCursor(n)
	if c.ID == "" {
		c.ID = fmt.Sprintf("CHG-%06d", n)
	}
	if c.OccurredAt.IsZero() {
		c.OccurredAt = s.now().UTC().Truncate(time.Second)
	}
	c.unreadable = nil
	if p := c.Policy; p != nil && c.Kind == ChangePolicyIssued {
		if iin, err := kz.ParseIIN(p.Holder.IIN); err == nil {
			if r, ok := s.people[iin]; ok {
				r.policies = append(r.policies, strings.TrimSpace(p.Number))
			}
		}
	}
	s.changes = append(s.changes, c)
	return c
}

// Changes returns up to limit changes after the cursor ("" for the start);
// limit 0 means DefaultFeedLimit and is capped at MaxFeedLimit.
func (s *Simulator) Changes(ctx context.Context, after string, limit int) (FeedPage, error) {
	if err := ctx.Err(); err != nil {
		return FeedPage{}, err
	}
	from, err := parseCursor(after)
	if err != nil {
		return FeedPage{}, err
	}
	limit = feedLimit(limit)
	s.mu.Lock()
	defer s.mu.Unlock()
	if from > len(s.changes) {
		return FeedPage{}, fmt.Errorf("cursor %q: %w", after, ErrBadCursor)
	}
	end := min(from+limit, len(s.changes))
	page := FeedPage{Changes: append([]Change(nil), s.changes[from:end]...), Next: after}
	if end > from {
		page.Next = formatCursor(end)
	}
	return page, nil
}

func feedLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultFeedLimit
	case n > MaxFeedLimit:
		return MaxFeedLimit
	}
	return n
}

func formatCursor(n int) string { return fmt.Sprintf("%012d", n) }

// parseCursor returns how many changes precede the cursor's successor.
func parseCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(c)
	if err != nil || n < 0 || len(c) != 12 {
		return 0, fmt.Errorf("cursor %q: %w", c, ErrBadCursor)
	}
	return n, nil
}
