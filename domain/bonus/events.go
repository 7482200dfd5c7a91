package bonus

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/money"
)

// Aggregate is the stream prefix: streams are "bonus-<client id>".
const Aggregate = "bonus"

// Event is one fact in a bonus account; the set is closed to this package.
type Event interface{ eventType() string }

// Wire names of the events. They are stored and never change.
const (
	TypeAccrued  = "bonus.accrued"
	TypeSpent    = "bonus.spent"
	TypeReversed = "bonus.reversed"
	TypeExpired  = "bonus.expired"
)

// Accrued adds points earned by a payment. Amount and Rate are kept so the
// ledger can show how the points were computed under the rule of the day.
type Accrued struct {
	PaymentRef string          `json:"payment_ref"`
	PolicyID   uuid.UUID       `json:"policy_id"`
	Points     int64           `json:"points"`
	Reason     string          `json:"reason"`
	Amount     money.KZT       `json:"amount"`
	Rate       decimal.Decimal `json:"rate"`
	AccruedAt  time.Time       `json:"accrued_at"`
}

// Spent takes points off the balance to pay for an order.
type Spent struct {
	OrderRef string    `json:"order_ref"`
	Points   int64     `json:"points"`
	SpentAt  time.Time `json:"spent_at"`
}

// Reversed takes back the points accrued for a refunded payment. Points is what
// was taken; Shortfall is what could not be, because the points had already
// been spent or had expired.
type Reversed struct {
	PaymentRef string    `json:"payment_ref"`
	Points     int64     `json:"points"`
	Shortfall  int64     `json:"shortfall,omitempty"`
	ReversedAt time.Time `json:"reversed_at"`
}

// Expired removes points that are too old to spend, as of a date.
type Expired struct {
	Points    int64     `json:"points"`
	AsOf      time.Time `json:"as_of"`
	ExpiredAt time.Time `json:"expired_at"`
}

func (Accrued) eventType() string  { return TypeAccrued }
func (Spent) eventType() string    { return TypeSpent }
func (Reversed) eventType() string { return TypeReversed }
func (Expired) eventType() string  { return TypeExpired }
