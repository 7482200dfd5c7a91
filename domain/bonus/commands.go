package bonus

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/money"
)

// Command is a request to change a bonus account; the set is closed to this package.
type Command interface{ isCommand() }

// DefaultAccrualReason is the reason recorded when AccrueBonus gives none.
const DefaultAccrualReason = "purchase"

// AccrueBonus credits points for a payment: floor(Amount × Rate). Rate is a
// share, 0.01 for 1 %, between 0 and 1.
type AccrueBonus struct {
	PaymentRef string
	PolicyID   uuid.UUID
	Amount     money.KZT
	Rate       decimal.Decimal
	Reason     string // DefaultAccrualReason when empty
}

// SpendBonus pays for an order with points.
type SpendBonus struct {
	OrderRef string
	Points   int64
}

// ReverseBonus takes back the points accrued for a refunded payment.
type ReverseBonus struct {
	PaymentRef string
}

// ExpireBonus removes points that the caller computed to be expired as of AsOf.
type ExpireBonus struct {
	Points int64
	AsOf   time.Time
}

func (AccrueBonus) isCommand()  {}
func (SpendBonus) isCommand()   {}
func (ReverseBonus) isCommand() {}
func (ExpireBonus) isCommand()  {}
