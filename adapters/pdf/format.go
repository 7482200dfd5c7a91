package pdf

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/internal/ru"
	"github.com/kabinet/kabinet/projections/policies"
)

// none fills a cell whose value is unknown, so a blank never reads as "nothing to show".
const none = "—"

// formatMoney writes an amount the Russian way, "12 345,67 ₸" (internal/ru),
// with plain spaces: fpdf breaks lines at a no-break space as well.
func formatMoney(m money.KZT) string { return ru.Money(m, ' ') }

// formatDate writes DD.MM.YYYY, or a dash for the zero Date.
func formatDate(d policy.Date) string {
	if d.IsZero() {
		return none
	}
	return ru.Date(d)
}

// formatDay writes the Almaty calendar day of t, or a dash for the zero time.
func formatDay(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return none
	}
	return formatDate(policy.DateOf(t.In(loc)))
}

// formatTerm writes a term the way a policy states it: "с 01.03.2025 по 28.02.2026".
func formatTerm(from, to policy.Date) string {
	return "с " + formatDate(from) + " по " + formatDate(to)
}

// formatCoefficient writes a decimal with a comma, as Russian documents do.
func formatCoefficient(c decimal.Decimal) string {
	return strings.Replace(c.String(), ".", ",", 1)
}

// orNone returns s, or a dash when s is empty.
func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return none
	}
	return s
}

// productName is the Russian name of a product; an unknown product prints
// its code rather than failing the document.
func productName(p policy.Product) string {
	switch p {
	case policy.ProductOGPOVTS:
		return "ОГПО ВТС"
	case policy.ProductKASKO:
		return "КАСКО"
	case policy.ProductTravel:
		return "ВЗР"
	case policy.ProductProperty:
		return "Имущество"
	case policy.ProductAccident:
		return "НС"
	}
	return string(p)
}

// paymentMethodName is the Russian name of a payment method, or its code when unknown.
func paymentMethodName(m policy.PaymentMethod) string {
	switch m {
	case policy.PaymentCard:
		return "банковская карта"
	case policy.PaymentKaspi:
		return "Kaspi"
	case policy.PaymentInstallments:
		return "в рассрочку"
	case policy.PaymentCash:
		return "наличными"
	case policy.PaymentBankTransfer:
		return "банковский перевод"
	}
	return orNone(string(m))
}

// standingName says in Russian where the policy stands, or gives the code when unknown.
func standingName(s policies.Standing) string {
	switch s {
	case policies.Upcoming:
		return "ещё не вступил в силу"
	case policies.InForce:
		return "действует"
	case policies.Ended:
		return "срок действия истёк"
	case policies.Cancelled:
		return "расторгнут"
	}
	return orNone(string(s))
}

// installmentState says whether an installment is paid, and when.
func installmentState(in policies.Installment, loc *time.Location) string {
	switch {
	case in.Paid && !in.PaidAt.IsZero():
		return "оплачен " + formatDay(in.PaidAt, loc)
	case in.Paid:
		return "оплачен"
	case in.Overdue:
		return "просрочен"
	}
	return "не оплачен"
}
