package money

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// maxWholeDigits keeps every parsed amount (and sums of a few of them) inside int64
// tiyn; it is far above any premium or payout.
const maxWholeDigits = 15

// Parse reads an amount as people and KIAS write it: "1500", "1500.5", "1500.50",
// "1 500,50", "-200.00". A dot or a comma separates the decimals; spaces, no-break
// spaces and thin spaces may separate thousands. Exponents, NaN, signs other than a
// leading minus and more than two decimals are refused: silently rounding a tiyn
// away is worse than asking again.
func Parse(s string) (KZT, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return KZT{}, fmt.Errorf("parse amount: %w", ErrEmpty)
	}
	bad := func(err error) (KZT, error) {
		return KZT{}, fmt.Errorf("parse amount %s: %w", quote(s), err)
	}

	neg := false
	if in[0] == '-' {
		neg = true
		in = in[1:]
	}

	whole, frac, hasFrac, err := split(in)
	if err != nil {
		return bad(err)
	}
	digits, err := ungroup(whole)
	if err != nil {
		return bad(err)
	}
	if hasFrac {
		if frac == "" || !allDigits(frac) {
			return bad(ErrSyntax)
		}
		if len(frac) > places {
			return bad(ErrPrecision)
		}
	}
	if len(strings.TrimLeft(digits, "0")) > maxWholeDigits {
		return bad(ErrRange)
	}

	text := digits
	if hasFrac {
		text += "." + frac
	}
	if neg {
		text = "-" + text
	}
	d, err := decimal.NewFromString(text)
	if err != nil {
		// Unreachable for the text built above; kept so a decimal change cannot panic us.
		return bad(ErrSyntax)
	}
	return canonical(d), nil
}

// MustParse is Parse for literals in tests and fixtures; it panics on bad input.
func MustParse(s string) KZT {
	m, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return m
}

// split cuts the unsigned text at its single decimal separator.
func split(in string) (whole, frac string, hasFrac bool, err error) {
	i := strings.IndexAny(in, ".,")
	if i < 0 {
		return in, "", false, nil
	}
	if strings.ContainsAny(in[i+1:], ".,") {
		return "", "", false, ErrSyntax
	}
	return in[:i], in[i+1:], true, nil
}

// ungroup removes thousand separators from the whole part, checking that they sit
// between groups of three digits so that "15 00" is not read as 1500.
func ungroup(whole string) (string, error) {
	if whole == "" {
		return "", ErrSyntax
	}
	var groups []string
	var cur strings.Builder
	for _, r := range whole {
		switch {
		case r >= '0' && r <= '9':
			cur.WriteRune(r)
		case isGroupSeparator(r):
			if cur.Len() == 0 {
				return "", ErrGrouping
			}
			groups = append(groups, cur.String())
			cur.Reset()
		default:
			return "", ErrSyntax
		}
	}
	if cur.Len() == 0 {
		return "", ErrGrouping
	}
	groups = append(groups, cur.String())
	if len(groups) > 1 {
		if len(groups[0]) > 3 {
			return "", ErrGrouping
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return "", ErrGrouping
			}
		}
	}
	return strings.Join(groups, ""), nil
}

func isGroupSeparator(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u202f', '\u2009':
		return true
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// quote shows bad input in an error without letting a huge or binary value through.
func quote(s string) string {
	const limit = 40
	if !utf8.ValidString(s) {
		return "(invalid UTF-8)"
	}
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
