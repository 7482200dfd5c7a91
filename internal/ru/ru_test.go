package ru

import (
	"testing"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

func TestMoney(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0,00 ₸", "5.5": "5,50 ₸", "999.99": "999,99 ₸", "1000": "1 000,00 ₸",
		"12345.67": "12 345,67 ₸", "-1234567": "-1 234 567,00 ₸", "100000000000000": "100 000 000 000 000,00 ₸",
	} {
		if got := Money(money.MustParse(in), ' '); got != want {
			t.Errorf("Money(%s) = %q, want %q", in, got, want)
		}
	}
	if got := Money(money.MustParse("1000"), '\u00a0'); got != "1\u00a0000,00\u00a0₸" {
		t.Errorf("with a no-break space: %q", got)
	}
}

func TestDate(t *testing.T) {
	if got := Date(policy.MustParseDate("2026-03-01")); got != "01.03.2026" {
		t.Errorf("got %q", got)
	}
	if got := Date(policy.Date{}); got != "" {
		t.Errorf("zero: got %q", got)
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "дней", 1: "день", 2: "дня", 4: "дня", 5: "дней", 11: "дней", 14: "дней",
		21: "день", 22: "дня", 25: "дней", 101: "день", 111: "дней", -1: "день"} {
		if got := Plural(n, "день", "дня", "дней"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}
