package cabinet

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/projections/bonusledger"
)

// GetBonusAccount returns the balance and a page of the ledger, newest first.
func (s *Service) GetBonusAccount(ctx context.Context, c Caller, req *GetBonusAccountRequest) (*GetBonusAccountResponse, error) {
	limit, err := pageLimit(req.Limit)
	if err != nil {
		return nil, err
	}
	if req.Before < 0 {
		return nil, invalid("before", "must not be negative")
	}
	acc, err := bonusledger.Account(ctx, s.d.DB, c.ClientID)
	if err != nil {
		return nil, err
	}
	entries, next, err := bonusledger.Ledger(ctx, s.d.DB, c.ClientID, limit, bonusledger.Cursor(req.Before))
	if err != nil {
		return nil, err
	}
	out := &GetBonusAccountResponse{Balance: acc.Balance, Accrued: acc.Accrued, Spent: acc.Spent,
		Entries: make([]BonusEntry, len(entries)), NextBefore: int64(next)}
	for i, e := range entries {
		be := BonusEntry{Seq: e.Seq, Kind: string(e.Kind), Points: e.Points, Delta: e.Delta, At: dateTime(e.At),
			PaymentRef: e.PaymentRef, OrderRef: e.OrderRef, Reason: e.Reason}
		if e.PolicyID != uuid.Nil {
			be.PolicyID = e.PolicyID.String()
		}
		if !e.Amount.IsZero() {
			be.Amount = amount(e.Amount)
		}
		out.Entries[i] = be
	}
	return out, nil
}

// SpendBonus pays for an order with points, once per order: spending again
// for the same order spends nothing and answers as the first time did.
func (s *Service) SpendBonus(ctx context.Context, c Caller, req *SpendBonusRequest) (*SpendBonusResponse, error) {
	order := strings.TrimSpace(req.OrderRef)
	if order == "" || utf8.RuneCountInString(order) > 100 {
		return nil, invalid("orderRef", "is required, at most 100 characters")
	}
	if req.Points <= 0 {
		return nil, invalid("points", "must be positive")
	}
	res, err := s.d.Bonuses.SpendBonus(ctx, c.commandID("SpendBonus", 0), c.ClientID, order, req.Points)
	if err := s.settled(ctx, res, err); err != nil {
		return nil, err
	}
	acc, err := s.d.Bonuses.Load(ctx, c.ClientID)
	if err != nil {
		return nil, err
	}
	spent, _ := acc.SpentOn(order)
	return &SpendBonusResponse{Spent: spent, Balance: acc.Balance}, nil
}

func pageLimit(n int64) (int, error) {
	switch {
	case n == 0:
		return 50, nil
	case n < 1 || n > 200:
		return 0, invalid("limit", "must be from 1 to 200")
	}
	return int(n), nil
}
