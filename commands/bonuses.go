package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/money"
)

// bonusDefaultRate is one point per 100 KZT paid.
var bonusDefaultRate = decimal.New(1, -2)

// BonusConfig configures Bonuses. The zero value is usable.
type BonusConfig struct {
	// Rate is the share of a paid premium credited as points, above 0 and at
	// most 1; zero means 0.01, one point per 100 KZT. Each accrual records the rate it
	// used, so changing it never changes points already accrued.
	Rate decimal.Decimal
}

func (c *BonusConfig) setDefaults() {
	if c.Rate.IsZero() {
		c.Rate = bonusDefaultRate
	}
}

// Validate reports every problem of the configuration at once; a zero rate,
// which has a default, is not one.
func (c BonusConfig) Validate() error {
	c.setDefaults()
	var errs []error
	if !c.Rate.IsPositive() || c.Rate.GreaterThan(decimal.NewFromInt(1)) {
		errs = append(errs, fmt.Errorf("bonuses: rate must be above 0 and at most 1, got %s", c.Rate))
	}
	return errors.Join(errs...)
}

// Bonuses handles the commands of the bonus account, one stream per client,
// "bonus-<client id>". The balance never goes below zero: a spend is decided
// on the account as loaded and appended only if nobody wrote in between, so
// of concurrent spends exactly those the balance covers succeed and the rest
// are refused with bonus.ErrInsufficientBalance. It is safe for concurrent use.
type Bonuses struct {
	runner *Runner
	rate   decimal.Decimal
}

// NewBonuses checks cfg and wires the bonus handlers; r is required.
func NewBonuses(r *Runner, cfg BonusConfig) (*Bonuses, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	return &Bonuses{runner: r, rate: cfg.Rate}, nil
}

// Rate is the accrual rate in use.
func (b *Bonuses) Rate() decimal.Decimal { return b.rate }

// bonusAggregate is the bonus package as the runner drives it.
func bonusAggregate() Aggregate[bonus.State, bonus.Event, bonus.Command] {
	return Aggregate[bonus.State, bonus.Event, bonus.Command]{
		Name:          bonus.Aggregate,
		Evolve:        bonus.Evolve,
		Decide:        bonus.Decide,
		Encode:        bonus.EncodeEvent,
		Decode:        bonus.DecodeEvent,
		SchemaVersion: bonus.SchemaVersion,
	}
}

func (b *Bonuses) execute(ctx context.Context, clientID, commandID uuid.UUID, cmd bonus.Command) (Result, error) {
	// The account of uuid.Nil would be a stream every unidentified caller shares.
	if clientID == uuid.Nil {
		return Result{}, fmt.Errorf("bonus %T: client_id: required: %w", cmd, bonus.ErrInvalidCommand)
	}
	return Execute(ctx, b.runner, bonusAggregate(), clientID, commandID, cmd)
}

// AccrueBonus credits the client with floor(amount × rate) points for a
// payment on a policy. It is idempotent per payment reference: the same
// payment delivered again under another command ID decides nothing
// (Result.Events 0). A payment too small to earn a point leaves no trace.
func (b *Bonuses) AccrueBonus(ctx context.Context, commandID, clientID uuid.UUID, paymentRef string, amount money.KZT, policyID uuid.UUID) (Result, error) {
	return b.execute(ctx, clientID, commandID, bonus.AccrueBonus{
		PaymentRef: paymentRef, PolicyID: policyID, Amount: amount, Rate: b.rate,
	})
}

// SpendBonus pays for an order with points, refused with
// bonus.ErrInsufficientBalance when the balance does not cover them. It is
// idempotent per order: an order already paid with points decides nothing
// (Result.Events 0), whatever the command ID.
func (b *Bonuses) SpendBonus(ctx context.Context, commandID, clientID uuid.UUID, orderRef string, points int64) (Result, error) {
	return b.execute(ctx, clientID, commandID, bonus.SpendBonus{OrderRef: orderRef, Points: points})
}

// ReverseBonus takes back the points accrued for a refunded payment, as many
// as the balance still holds; the rest is recorded as a shortfall.
// bonus.ErrUnknownPayment means the payment earned nothing.
func (b *Bonuses) ReverseBonus(ctx context.Context, commandID, clientID uuid.UUID, paymentRef string) (Result, error) {
	return b.execute(ctx, clientID, commandID, bonus.ReverseBonus{PaymentRef: paymentRef})
}

// ExpireBonus removes points the caller computed to be expired as of asOf,
// at most the balance; once per as-of date.
func (b *Bonuses) ExpireBonus(ctx context.Context, commandID, clientID uuid.UUID, points int64, asOf time.Time) (Result, error) {
	return b.execute(ctx, clientID, commandID, bonus.ExpireBonus{Points: points, AsOf: asOf})
}

// Balance is the client's points now; an account with no history has none.
func (b *Bonuses) Balance(ctx context.Context, clientID uuid.UUID) (int64, error) {
	s, _, _, err := Load(ctx, b.runner.Store, bonusAggregate(), clientID)
	if err != nil {
		return 0, fmt.Errorf("bonus balance of %s: %w", clientID, err)
	}
	return s.Balance, nil
}

// Load returns the client's bonus account as its events built it.
func (b *Bonuses) Load(ctx context.Context, clientID uuid.UUID) (bonus.State, error) {
	s, _, _, err := Load(ctx, b.runner.Store, bonusAggregate(), clientID)
	if err != nil {
		return bonus.State{}, fmt.Errorf("bonus account of %s: %w", clientID, err)
	}
	return s, nil
}
