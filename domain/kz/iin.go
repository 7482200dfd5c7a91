package kz

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// IIN is a valid individual identification number; the zero value means "none".
// IINs are comparable with ==.
type IIN struct{ s string }

// Sex is the sex encoded in an IIN's seventh digit.
type Sex uint8

// The values of Sex; SexUnknown is never returned with ok = true.
const (
	SexUnknown Sex = iota
	SexMale
	SexFemale
)

func (x Sex) String() string {
	switch x {
	case SexMale:
		return "male"
	case SexFemale:
		return "female"
	}
	return "unknown"
}

// ParseIIN accepts 12 digits (surrounding spaces are trimmed) whose check digit is
// right. The birth date and century digits are not checked: since 2013 they need
// not match the person, so BirthDate and Sex are hints, never reasons to refuse.
func ParseIIN(s string) (IIN, error) {
	t := strings.TrimSpace(s)
	switch err := checkDigits(t); {
	case err == nil:
		return IIN{s: t}, nil
	case errors.Is(err, errLength):
		return IIN{}, fmt.Errorf("parse IIN: %w, got %d characters", ErrIINLength, len([]rune(t)))
	case errors.Is(err, errDigits):
		return IIN{}, fmt.Errorf("parse IIN: %w", ErrIINDigits)
	case errors.Is(err, errNeverIssued):
		return IIN{}, fmt.Errorf("parse IIN: %w", ErrIINNeverIssued)
	default:
		return IIN{}, fmt.Errorf("parse IIN: %w", ErrIINChecksum)
	}
}

// MustParseIIN is ParseIIN for literals in tests and fixtures; it panics on bad input.
func MustParseIIN(s string) IIN {
	v, err := ParseIIN(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the 12 digits, or "" for the zero value.
func (v IIN) String() string { return v.s }

// IsZero reports whether v is the zero value (no IIN).
func (v IIN) IsZero() bool { return v.s == "" }

// Masked keeps the first four and last two digits, e.g. "9001******03", for logs
// and screens that must not show the whole number.
func (v IIN) Masked() string {
	if v.s == "" {
		return ""
	}
	return v.s[:4] + "******" + v.s[10:]
}

// BirthDate returns the date encoded in digits 1–7 (UTC midnight). ok is false when
// the century digit is not 1–6 or the date does not exist; the real date then comes
// from KIAS or ESBD.
func (v IIN) BirthDate() (time.Time, bool) {
	if v.s == "" {
		return time.Time{}, false
	}
	var century int
	switch v.s[6] {
	case '1', '2':
		century = 1800
	case '3', '4':
		century = 1900
	case '5', '6':
		century = 2000
	default:
		return time.Time{}, false
	}
	yy := int(v.s[0]-'0')*10 + int(v.s[1]-'0')
	mm := int(v.s[2]-'0')*10 + int(v.s[3]-'0')
	dd := int(v.s[4]-'0')*10 + int(v.s[5]-'0')
	d := time.Date(century+yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 31 February into March; a date that moved was not a date.
	if d.Month() != time.Month(mm) || d.Day() != dd {
		return time.Time{}, false
	}
	return d, true
}

// Sex returns the sex encoded in the seventh digit (odd male, even female); ok is
// false when that digit is not 1–6.
func (v IIN) Sex() (Sex, bool) {
	if v.s == "" {
		return SexUnknown, false
	}
	switch v.s[6] {
	case '1', '3', '5':
		return SexMale, true
	case '2', '4', '6':
		return SexFemale, true
	}
	return SexUnknown, false
}

// MarshalText writes the 12 digits; the zero value writes "".
func (v IIN) MarshalText() ([]byte, error) { return []byte(v.s), nil }

// UnmarshalText reads what ParseIIN accepts; "" gives the zero value so that an
// absent IIN round-trips.
func (v *IIN) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*v = IIN{}
		return nil
	}
	p, err := ParseIIN(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// CompleteIIN appends the check digit to the first eleven digits of an IIN,
// for generators of test and demo data; ErrIINNeverIssued when the digits
// have no check digit.
func CompleteIIN(first11 string) (IIN, error) {
	if len(first11) != 11 {
		return IIN{}, fmt.Errorf("complete IIN: %w, got %d of the first 11", ErrIINLength, len(first11))
	}
	var d [12]int
	for i := range 11 {
		c := first11[i]
		if c < '0' || c > '9' {
			return IIN{}, fmt.Errorf("complete IIN: %w", ErrIINDigits)
		}
		d[i] = int(c - '0')
	}
	r := weighted(d, firstWeights)
	if r == 10 {
		if r = weighted(d, secondWeights); r == 10 {
			return IIN{}, fmt.Errorf("complete IIN: %w", ErrIINNeverIssued)
		}
	}
	return ParseIIN(first11 + string(rune('0'+r)))
}
