package mail

import (
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

// formatMoney writes an amount the Russian way, "12 345,67 ₸".
func formatMoney(m money.KZT) string {
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
			b.WriteRune('\u00a0') // a no-break space keeps the amount on one line
		}
		b.WriteRune(r)
	}
	b.WriteString(",")
	b.WriteString(frac)
	b.WriteString("\u00a0₸")
	return b.String()
}

// formatDate writes DD.MM.YYYY.
func formatDate(d policy.Date) string {
	return d.In(time.UTC).Format("02.01.2006")
}

// plural picks the Russian form of a noun for n: one (1, 21, 101), few
// (2–4, 22–24) or many (0, 5–20, 25–30, 111).
func plural(n int, one, few, many string) string {
	if n < 0 {
		n = -n
	}
	switch n10, n100 := n%10, n%100; {
	case n10 == 1 && n100 != 11:
		return one
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		return few
	}
	return many
}

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
