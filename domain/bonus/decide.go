package bonus

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Decide checks a command against the account and returns the events it causes.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	switch c := c.(type) {
	case AccrueBonus:
		return accrue(s, c, now)
	case SpendBonus:
		return spend(s, c, now)
	case ReverseBonus:
		return reverse(s, c, now)
	case ExpireBonus:
		return expire(s, c, now)
	default:
		return nil, fmt.Errorf("decide %T: %w", c, ErrUnknownCommand)
	}
}

var one = decimal.NewFromInt(1)

func accrue(s State, c AccrueBonus, now time.Time) ([]Event, error) {
	if strings.TrimSpace(c.PaymentRef) == "" {
		return nil, fmt.Errorf("accrue bonus: payment_ref is required: %w", ErrInvalidCommand)
	}
	if c.Amount.IsNegative() {
		return nil, fmt.Errorf("accrue bonus: amount %s is negative: %w", c.Amount, ErrInvalidCommand)
	}
	if c.Rate.IsNegative() || c.Rate.GreaterThan(one) {
		return nil, fmt.Errorf("accrue bonus: rate %s is not a share between 0 and 1: %w", c.Rate, ErrInvalidCommand)
	}
	if _, done := s.accrued[c.PaymentRef]; done {
		return nil, nil
	}
	points := c.Amount.Decimal().Mul(c.Rate).Floor()
	if !points.IsPositive() {
		return nil, nil
	}
	reason := c.Reason
	if reason == "" {
		reason = DefaultAccrualReason
	}
	return []Event{Accrued{
		PaymentRef: c.PaymentRef,
		PolicyID:   c.PolicyID,
		Points:     points.IntPart(),
		Reason:     reason,
		Amount:     c.Amount,
		Rate:       c.Rate,
		AccruedAt:  now,
	}}, nil
}

func spend(s State, c SpendBonus, now time.Time) ([]Event, error) {
	if strings.TrimSpace(c.OrderRef) == "" {
		return nil, fmt.Errorf("spend bonus: order_ref is required: %w", ErrInvalidCommand)
	}
	if c.Points <= 0 {
		return nil, fmt.Errorf("spend bonus: points %d: %w", c.Points, ErrInvalidPoints)
	}
	if _, done := s.spent[c.OrderRef]; done {
		return nil, nil
	}
	if c.Points > s.Balance {
		return nil, fmt.Errorf("spend bonus: %d points wanted, balance is %d: %w", c.Points, s.Balance, ErrInsufficientBalance)
	}
	return []Event{Spent{OrderRef: c.OrderRef, Points: c.Points, SpentAt: now}}, nil
}

func reverse(s State, c ReverseBonus, now time.Time) ([]Event, error) {
	if strings.TrimSpace(c.PaymentRef) == "" {
		return nil, fmt.Errorf("reverse bonus: payment_ref is required: %w", ErrInvalidCommand)
	}
	accrued, ok := s.accrued[c.PaymentRef]
	if !ok {
		return nil, fmt.Errorf("reverse bonus for payment %s: %w", c.PaymentRef, ErrUnknownPayment)
	}
	if _, done := s.reversed[c.PaymentRef]; done {
		return nil, nil
	}
	take := min(accrued, max(s.Balance, 0))
	return []Event{Reversed{
		PaymentRef: c.PaymentRef,
		Points:     take,
		Shortfall:  accrued - take,
		ReversedAt: now,
	}}, nil
}

func expire(s State, c ExpireBonus, now time.Time) ([]Event, error) {
	if c.Points <= 0 {
		return nil, fmt.Errorf("expire bonus: points %d: %w", c.Points, ErrInvalidPoints)
	}
	if c.AsOf.IsZero() {
		return nil, fmt.Errorf("expire bonus: as_of is required: %w", ErrInvalidCommand)
	}
	if _, done := s.expired[asOfKey(c.AsOf)]; done {
		return nil, nil
	}
	take := min(c.Points, s.Balance)
	if take <= 0 {
		return nil, nil
	}
	return []Event{Expired{Points: take, AsOf: c.AsOf, ExpiredAt: now}}, nil
}
