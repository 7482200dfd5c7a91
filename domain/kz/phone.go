package kz

import (
	"fmt"
	"strings"
)

// Phone is a Kazakhstan mobile number in E.164 form, "+77011234567"; the zero value
// means "none". Phones are comparable with ==.
type Phone struct{ e164 string }

// mobileCodes are the operator codes of Kazakhstan mobile networks. Landline codes
// (727 Almaty, 7172 Astana, …) share the 7xx range but cannot receive SMS.
var mobileCodes = map[string]bool{
	"700": true, "701": true, "702": true,
	"705": true, "706": true, "707": true, "708": true,
	"747": true,
	"760": true, "761": true, "762": true, "763": true, "764": true,
	"771": true,
	"775": true, "776": true, "777": true, "778": true,
	"785": true,
}

// maxPhoneInput bounds the work done on hostile input; a formatted number with every
// separator allowed is well below it.
const maxPhoneInput = 40

// ParsePhone accepts a Kazakhstan mobile number written as people write it:
// "+7 (701) 123-45-67", "8 701 123 45 67", "7 701 1234567", "87011234567" or the ten
// digits "7011234567". Numbers in +7 outside 7xx are Russian (+7 9xx mobiles) and are
// refused with ErrPhoneNotKZ; 7xx codes of landlines are refused with
// ErrPhoneNotMobile, since the number is for SMS.
func ParsePhone(s string) (Phone, error) {
	if len(s) > maxPhoneInput {
		return Phone{}, fmt.Errorf("parse phone: %w, got more than %d characters", ErrPhoneFormat, maxPhoneInput)
	}
	t := strings.TrimSpace(s)
	plus := strings.HasPrefix(t, "+")
	if plus {
		t = t[1:]
	}
	var b strings.Builder
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '\u00a0' || r == '\t':
		default:
			return Phone{}, fmt.Errorf("parse phone: %w", ErrPhoneFormat)
		}
	}
	digits := b.String()

	var nsn string // the ten digits after the country code
	switch {
	case plus && len(digits) > 0 && digits[0] != '7':
		return Phone{}, fmt.Errorf("parse phone: %w: country code is not +7", ErrPhoneNotKZ)
	case plus && len(digits) == 11:
		nsn = digits[1:]
	case !plus && len(digits) == 11 && (digits[0] == '8' || digits[0] == '7'):
		nsn = digits[1:]
	case !plus && len(digits) == 10 && digits[0] == '7':
		nsn = digits
	default:
		return Phone{}, fmt.Errorf("parse phone: %w, got %d digits", ErrPhoneFormat, len(digits))
	}

	if nsn[0] != '7' {
		return Phone{}, fmt.Errorf("parse phone: %w: +7 %cxx is Russian numbering; Kazakhstan mobiles are +7 7xx", ErrPhoneNotKZ, nsn[0])
	}
	if code := nsn[:3]; !mobileCodes[code] {
		return Phone{}, fmt.Errorf("parse phone: %w: operator code %s is not a mobile operator (700–702, 705–708, 747, 760–764, 771, 775–778, 785)", ErrPhoneNotMobile, code)
	}
	return Phone{e164: "+7" + nsn}, nil
}

// MustParsePhone is ParsePhone for literals in tests and fixtures; it panics on bad input.
func MustParsePhone(s string) Phone {
	p, err := ParsePhone(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the E.164 form, "+77011234567", or "" for the zero value.
func (p Phone) String() string { return p.e164 }

// IsZero reports whether p is the zero value (no phone).
func (p Phone) IsZero() bool { return p.e164 == "" }

// Masked shows the operator code and the last two digits, "+7 701 *** ** 67", enough
// for a client to recognise the number an SMS went to.
func (p Phone) Masked() string {
	if p.e164 == "" {
		return ""
	}
	return "+7 " + p.e164[2:5] + " *** ** " + p.e164[10:]
}

// MarshalText writes the E.164 form; the zero value writes "".
func (p Phone) MarshalText() ([]byte, error) { return []byte(p.e164), nil }

// UnmarshalText reads what ParsePhone accepts; "" gives the zero value.
func (p *Phone) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = Phone{}
		return nil
	}
	v, err := ParsePhone(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
