package pdf

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

func TestFormatMoney(t *testing.T) {
	for in, want := range map[string]string{
		"0":                  "0,00 ₸",
		"0.05":               "0,05 ₸",
		"-0.05":              "-0,05 ₸",
		"999":                "999,00 ₸",
		"1000":               "1 000,00 ₸",
		"12345.67":           "12 345,67 ₸",
		"-123456.7":          "-123 456,70 ₸",
		"1234567.89":         "1 234 567,89 ₸",
		"999999999999999.99": "999 999 999 999 999,99 ₸",
	} {
		assert.Equal(t, want, formatMoney(money.MustParse(in)), in)
	}
}

func TestFormatDates(t *testing.T) {
	assert.Equal(t, "05.03.2025", formatDate(policy.MustParseDate("2025-03-05")))
	assert.Equal(t, none, formatDate(policy.Date{}))
	assert.Equal(t, "с 01.03.2025 по 28.02.2026", formatTerm(policy.MustParseDate("2025-03-01"), policy.MustParseDate("2026-02-28")))
}

func TestProductNames(t *testing.T) {
	for p, want := range map[policy.Product]string{
		policy.ProductOGPOVTS:  "ОГПО ВТС",
		policy.ProductKASKO:    "КАСКО",
		policy.ProductTravel:   "ВЗР",
		policy.ProductProperty: "Имущество",
		policy.ProductAccident: "НС",
		"pet":                  "pet", // unknown: the raw code rather than a failed document
	} {
		assert.Equal(t, want, productName(p), string(p))
	}
}
