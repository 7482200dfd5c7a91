package money

import (
	"math/big"

	"github.com/shopspring/decimal"
)

// places is the number of decimal places of an amount: 1 KZT = 100 tiyn.
const places = 2

// KZT is an amount of tenge. The zero value is 0.00 KZT and ready to use.
//
// Compare amounts with Cmp, Equal or LessThan, never with ==: the underlying decimal
// holds a pointer. Every constructor stores the same canonical representation for
// equal amounts (exponent -2, zero as the zero value) so that reflect.DeepEqual and
// assert.Equal on structs holding amounts agree with Equal.
type KZT struct{ d decimal.Decimal }

// Zero is 0.00 KZT.
var Zero = KZT{}

func canonical(d decimal.Decimal) KZT {
	r := d.Round(places)
	if r.IsZero() {
		return KZT{}
	}
	// A fresh big.Int keeps the internal word slice minimal, so two equal amounts
	// reached by different arithmetic are also deeply equal.
	return KZT{d: decimal.NewFromBigInt(new(big.Int).Set(r.Coefficient()), -places)}
}

// FromTiyn returns the amount of t tiyn (hundredths of a tenge).
func FromTiyn(t int64) KZT { return canonical(decimal.New(t, -places)) }

// Tiyn returns the amount in tiyn. It is exact for amounts that Parse accepts and for
// sums of them up to ±92 233 720 368 547 758.07 KZT.
func (m KZT) Tiyn() int64 { return m.d.Shift(places).IntPart() }

// Decimal returns the amount as a decimal, for arithmetic money does not offer (such
// as flooring bonus points).
func (m KZT) Decimal() decimal.Decimal {
	if m.d.IsZero() {
		return decimal.New(0, -places)
	}
	return m.d
}

// Add returns m + o.
func (m KZT) Add(o KZT) KZT { return canonical(m.d.Add(o.d)) }

// Sub returns m - o.
func (m KZT) Sub(o KZT) KZT { return canonical(m.d.Sub(o.d)) }

// Neg returns -m.
func (m KZT) Neg() KZT { return canonical(m.d.Neg()) }

// MulRatio returns m·r rounded half away from zero to whole tiyn, the usual rule for
// shares of a premium or a discount.
func (m KZT) MulRatio(r decimal.Decimal) KZT { return canonical(m.d.Mul(r)) }

// Cmp returns -1, 0 or +1 as m is less than, equal to or greater than o.
func (m KZT) Cmp(o KZT) int { return m.d.Cmp(o.d) }

// Equal reports whether m and o are the same amount.
func (m KZT) Equal(o KZT) bool { return m.d.Equal(o.d) }

// LessThan reports whether m < o.
func (m KZT) LessThan(o KZT) bool { return m.d.LessThan(o.d) }

// IsZero reports whether m is 0.00.
func (m KZT) IsZero() bool { return m.d.IsZero() }

// IsNegative reports whether m < 0.
func (m KZT) IsNegative() bool { return m.d.IsNegative() }

// IsPositive reports whether m > 0.
func (m KZT) IsPositive() bool { return m.d.IsPositive() }

// String returns the amount with a dot and exactly two decimals and no thousand
// separators, e.g. "1500.50" or "-0.05"; Parse reads it back unchanged.
func (m KZT) String() string { return m.d.StringFixed(places) }
