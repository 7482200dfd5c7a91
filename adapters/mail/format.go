package mail

import (
	"strconv"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/internal/ru"
)

// formatMoney writes an amount the Russian way, "12 345,67 ₸", with no-break
// spaces so that a mail reader keeps it on one line.
func formatMoney(m money.KZT) string { return ru.Money(m, '\u00a0') }

// formatDate writes DD.MM.YYYY.
func formatDate(d policy.Date) string { return ru.Date(d) }

// plural picks the Russian form of a noun for n (internal/ru).
func plural(n int, one, few, many string) string { return ru.Plural(n, one, few, many) }

// inDays says when something happens, counted from today: "сегодня",
// "завтра", "через 7 дней".
func inDays(n int) string {
	switch {
	case n <= 0:
		return "сегодня"
	case n == 1:
		return "завтра"
	}
	return "через " + strconv.Itoa(n) + " " + plural(n, "день", "дня", "дней")
}

// productName is the Russian name of a product as clients know it; an
// unknown product reads as "страхования", which fits every sentence here.
func productName(p policy.Product) string {
	switch p {
	case policy.ProductOGPOVTS:
		return "ОГПО ВТС"
	case policy.ProductKASKO:
		return "КАСКО"
	case policy.ProductTravel:
		return "страхования путешествующих"
	case policy.ProductProperty:
		return "страхования имущества"
	case policy.ProductAccident:
		return "страхования от несчастного случая"
	}
	return "страхования"
}

// statusText says in Russian where a claim stands, as the end of the
// sentence "Страховой случай № … — …".
func statusText(s claim.Status) string {
	switch s {
	case claim.StatusReported:
		return "заявление принято"
	case claim.StatusDocumentsRequested:
		return "нужны документы"
	case claim.StatusDocumentsComplete:
		return "все документы получены"
	case claim.StatusAppraisal:
		return "идёт оценка ущерба"
	case claim.StatusPayoutDecision:
		return "принимается решение о выплате"
	case claim.StatusPaid:
		return "выплата произведена"
	case claim.StatusRefused:
		return "в выплате отказано"
	case claim.StatusWithdrawn:
		return "заявление отозвано"
	}
	return "статус изменён"
}
