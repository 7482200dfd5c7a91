// Package ru writes kabinet's values as Russian texts show them: the policy
// PDF, the e-mails and the SMS all format amounts, dates and counts here, so
// a client reads them the same way everywhere.
package ru

import (
	"strings"
	"time"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

// Money writes an amount the Russian way, "12 345,67 ₸", with space between
// groups of thousands: a plain space where the text is laid out by kabinet
// (the PDF), a no-break space ('\u00a0') where a mail reader wraps lines.
func Money(m money.KZT, space rune) string {
	s := m.String() // "-12345.67": digits, a dot and exactly two decimals
	sign := ""
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		sign, s = "-", rest
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteRune(space)
		}
		b.WriteRune(r)
	}
	b.WriteString(",")
	b.WriteString(frac)
	b.WriteRune(space)
	b.WriteString("₸")
	return b.String()
}

// Date writes DD.MM.YYYY; the zero Date is "".
func Date(d policy.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.In(time.UTC).Format("02.01.2006")
}

// Plural picks the Russian form of a noun for n: one (1, 21, 101), few
// (2–4, 22–24) or many (0, 5–20, 25–30, 111).
func Plural(n int, one, few, many string) string {
	if n < 0 {
		n = -n
	}
	switch {
	case n%100 >= 11 && n%100 <= 14:
		return many
	case n%10 == 1:
		return one
	case n%10 >= 2 && n%10 <= 4:
		return few
	}
	return many
}
