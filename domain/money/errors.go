package money

import "errors"

// Parse refuses input with one of these, wrapped with the offending text.
var (
	ErrEmpty     = errors.New("amount is empty")
	ErrSyntax    = errors.New("amount must be digits with an optional leading minus, thousand separators and a dot or comma before the decimals")
	ErrGrouping  = errors.New("thousand separators must split the whole part into groups of 3 digits")
	ErrPrecision = errors.New("amount has more than 2 decimal places")
	ErrRange     = errors.New("amount has more than 15 digits before the decimals")
)
