package kz

import (
	"errors"
	"fmt"
	"strings"
)

// BIN is a valid business identification number; the zero value means "none".
// BINs are comparable with ==.
type BIN struct{ s string }

// ParseBIN accepts 12 digits (surrounding spaces are trimmed) with the same check
// digit rule as an IIN.
func ParseBIN(s string) (BIN, error) {
	t := strings.TrimSpace(s)
	switch err := checkDigits(t); {
	case err == nil:
		return BIN{s: t}, nil
	case errors.Is(err, errLength):
		return BIN{}, fmt.Errorf("parse BIN: %w, got %d characters", ErrBINLength, len([]rune(t)))
	case errors.Is(err, errDigits):
		return BIN{}, fmt.Errorf("parse BIN: %w", ErrBINDigits)
	case errors.Is(err, errNeverIssued):
		return BIN{}, fmt.Errorf("parse BIN: %w", ErrBINNeverIssued)
	default:
		return BIN{}, fmt.Errorf("parse BIN: %w", ErrBINChecksum)
	}
}

// MustParseBIN is ParseBIN for literals in tests and fixtures; it panics on bad input.
func MustParseBIN(s string) BIN {
	v, err := ParseBIN(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the 12 digits, or "" for the zero value.
func (v BIN) String() string { return v.s }

// IsZero reports whether v is the zero value (no BIN).
func (v BIN) IsZero() bool { return v.s == "" }

// MarshalText writes the 12 digits; the zero value writes "".
func (v BIN) MarshalText() ([]byte, error) { return []byte(v.s), nil }

// UnmarshalText reads what ParseBIN accepts; "" gives the zero value.
func (v *BIN) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*v = BIN{}
		return nil
	}
	p, err := ParseBIN(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}
