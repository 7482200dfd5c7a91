package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

func TestFormatting(t *testing.T) {
	assert.Equal(t, "12\u00a0345,60\u00a0₸", formatMoney("12345.60"))
	assert.Equal(t, none, formatMoney(""))
	assert.Equal(t, "31.01.2026", formatDate("2026-01-31"))
	assert.Equal(t, none, formatDate(""))
	// Almaty is UTC+5: a payment at 20:30 UTC falls on the next day there.
	assert.Equal(t, "01.02.2026 01:30", formatDateTime("2026-01-31T20:30:00Z"))
	assert.Equal(t, "01.02.2026", formatDay("2026-01-31T20:30:00Z"))
	assert.Equal(t, none, formatDay(""))
	assert.Equal(t, "1\u00a0250\u00a0баллов", formatPoints(1250))
	assert.Equal(t, "1\u00a0балл", formatPoints(1))
	assert.Equal(t, "3\u00a0балла", formatPoints(3))
	assert.Equal(t, "+120", formatSigned(120))
	assert.Equal(t, "−1\u00a0000", formatSigned(-1000))
	assert.Equal(t, "1\u00a0КБ", formatKB(10))
	assert.Equal(t, "0,90", formatCoefficient("0.90"))
	assert.Equal(t, "ОГПО ВТС", label(products)("ogpo_vts"))
	assert.Equal(t, "new_product", label(products)("new_product"), "an unknown code is shown, not hidden")
}

func TestIsoDateAcceptsBothWaysOfWritingADate(t *testing.T) {
	assert.Equal(t, cabinet.Date("1990-01-15"), isoDate("15.01.1990"))
	assert.Equal(t, cabinet.Date("1990-01-15"), isoDate(" 1990-01-15 "))
	assert.Equal(t, cabinet.Date("15/01/1990"), isoDate("15/01/1990"), "anything else goes to the service, which names the field")
}

func TestMessagesSayWhatToDoInRussian(t *testing.T) {
	for _, e := range []*cabinet.Error{
		{Code: cabinet.CodeLocked, RetryAfter: 90 * time.Second},
		{Code: cabinet.CodeRateLimited, RetryAfter: 5 * time.Second},
	} {
		assert.NotContains(t, messageOf(e), "0 ")
	}
	assert.Equal(t, "Слишком много неверных попыток. Попробуйте снова через 2 минуты.",
		messageOf(&cabinet.Error{Code: cabinet.CodeLocked, RetryAfter: 90 * time.Second}))
	assert.Equal(t, "Слишком много запросов. Попробуйте снова через 5 секунд.",
		messageOf(&cabinet.Error{Code: cabinet.CodeRateLimited, RetryAfter: 5 * time.Second}))
	assert.Equal(t, internalText, messageOf(&cabinet.Error{Code: cabinet.CodeInternal}))
	for _, f := range []string{"iin", "login", "phone", "personalData.email", "settings.email", "fileName", "no.such.field"} {
		msg := messageOf(&cabinet.Error{Code: cabinet.CodeInvalidArgument, Field: f})
		assert.Regexp(t, `[А-Яа-я]`, msg, f)
	}
}

func TestFormErrorsPutTheServicesFieldNextToTheFormsOwn(t *testing.T) {
	errs, ok := formErrors(&cabinet.Error{Code: cabinet.CodeInvalidArgument, Field: "personalData.email"}, "email")
	assert.True(t, ok)
	assert.Contains(t, errs, "email")
	errs, ok = formErrors(&cabinet.Error{Code: cabinet.CodeInvalidArgument, Field: "personalData.address"}, "email")
	assert.True(t, ok)
	assert.Contains(t, errs, "", "a field the form does not have gets the form's message")
	_, ok = formErrors(&cabinet.Error{Code: cabinet.CodeSessionRequired}, "email")
	assert.False(t, ok)
	_, ok = formErrors(&cabinet.Error{Code: cabinet.CodeNotFound, Field: "policyId"})
	assert.False(t, ok)
	_, ok = formErrors(&cabinet.Error{Code: cabinet.CodeNotFound, Field: "registrationId"})
	assert.True(t, ok)
}
