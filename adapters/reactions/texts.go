package reactions

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/internal/ru"
)

// The texts of SMS, e-mails and inbox notices, in Russian. Only the
// registration SMS carries a code; nothing here is ever logged.
const (
	smsRegistered   = "Личный кабинет создан. Логин: ваш ИИН, код доступа: %s. Никому его не сообщайте."
	titleRegistered = "Личный кабинет создан"
	bodyRegistered  = "Для вас создан личный кабинет страхователя по полису № %s. Логин — ваш ИИН, код доступа отправлен по SMS. Сменить его можно в настройках кабинета."

	smsExpiring   = "Полис № %s действует до %s. Продлите его в личном кабинете."
	titleExpiring = "Полис скоро закончится"
	bodyExpiring  = "Полис № %s (%s) действует до %s включительно: %s. Продлить его можно в личном кабинете."

	smsRenewalDraft   = "Черновик продления полиса № %s готов. Проверьте его и оформите продление в личном кабинете."
	titleRenewalDraft = "Черновик продления полиса готов"
	bodyRenewalDraft  = "Полис № %s (%s) действует до %s. У вас включено автопродление: черновик нового полиса с %s заполнен по данным текущего. Проверьте его и оформите продление в личном кабинете."

	smsInstallment   = "Взнос %s по полису № %s нужно оплатить до %s. Оплатить можно в личном кабинете."
	titleInstallment = "Скоро платёж по полису"
	bodyInstallment  = "Взнос № %d по полису № %s, %s, нужно оплатить до %s включительно. Оплатить можно в личном кабинете."

	smsClaimStatus   = "Убыток № %s: %s. Подробности в личном кабинете."
	titleClaimStatus = "Статус убытка № %s"
	bodyClaimStatus  = "Убыток № %s: %s."
	bodyClaimRefused = "Убыток № %s: %s. Причина: %s."
	moreInCabinet    = " Подробности в личном кабинете."

	smsDocuments   = "Для убытка № %s нужны документы (%d). Загрузите их в личном кабинете."
	titleDocuments = "Нужны документы по убытку № %s"
	bodyDocuments  = "Чтобы рассмотреть убыток № %s, загрузите в личном кабинете: %s."

	mailGreeting      = "Здравствуйте, %s!\n\n"
	mailGreetingPlain = "Здравствуйте!\n\n"
	mailSignature     = "\n\n—\nЛичный кабинет страхователя\nЭто письмо отправлено автоматически, отвечать на него не нужно."
)

// mailText is an e-mail's text: a greeting by first name, the notice, a signature.
func mailText(firstName, body string) string {
	greeting := mailGreetingPlain
	if strings.TrimSpace(firstName) != "" {
		greeting = fmt.Sprintf(mailGreeting, strings.TrimSpace(firstName))
	}
	return greeting + body + mailSignature
}

// claimStatusPhrase says what a claim's new stage means for the client.
func claimStatusPhrase(to claim.Status, payout money.KZT) string {
	switch to {
	case claim.StatusReported:
		return "заявление принято"
	case claim.StatusDocumentsRequested:
		return "нужны документы"
	case claim.StatusDocumentsComplete:
		return "документы получены"
	case claim.StatusAppraisal:
		return "идёт оценка ущерба"
	case claim.StatusPayoutDecision:
		return "принимается решение о выплате"
	case claim.StatusPaid:
		if payout.IsPositive() {
			return "выплата " + formatMoney(payout) + " произведена"
		}
		return "выплата произведена"
	case claim.StatusRefused:
		return "в выплате отказано"
	case claim.StatusWithdrawn:
		return "заявление отозвано"
	}
	return "статус изменён"
}

// productName is the Russian name of a product; an unknown one shows its code.
func productName(p policy.Product) string {
	switch p {
	case policy.ProductOGPOVTS:
		return "ОГПО ВТС"
	case policy.ProductKASKO:
		return "КАСКО"
	case policy.ProductTravel:
		return "страхование путешественников"
	case policy.ProductProperty:
		return "страхование имущества"
	case policy.ProductAccident:
		return "страхование от несчастного случая"
	}
	return string(p)
}

// formatDate writes DD.MM.YYYY.
func formatDate(d policy.Date) string { return ru.Date(d) }

// formatMoney writes an amount the Russian way, "12 345,67 ₸".
func formatMoney(m money.KZT) string { return ru.Money(m, ' ') }

// days writes a count of days with the Russian plural: 1 день, 2 дня, 5 дней, 21 день.
func days(n int) string {
	return fmt.Sprintf("%d %s", n, ru.Plural(n, "день", "дня", "дней"))
}

// left says how long a policy still covers: "остался 1 день", "осталось 7 дней".
func left(n int) string {
	switch {
	case n <= 0:
		return "сегодня последний день"
	case n%10 == 1 && n%100 != 11:
		return "остался " + days(n)
	}
	return "осталось " + days(n)
}

// clip shortens s to at most n characters, ending with an ellipsis if cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// clipNotice keeps a notice's text within what the inbox accepts.
func clipNotice(title, body string) (string, string) {
	return clip(title, notice.MaxTitleLength), clip(body, notice.MaxBodyLength)
}
