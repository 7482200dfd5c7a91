package mail

import (
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

const to = "client@example.kz"

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{
		0: "дней", 1: "день", 2: "дня", 4: "дня", 5: "дней", 7: "дней", 11: "дней", 12: "дней", 14: "дней",
		21: "день", 22: "дня", 25: "дней", 30: "дней", 101: "день", 111: "дней", 112: "дней", 122: "дня",
	} {
		assert.Equal(t, want, plural(n, "день", "дня", "дней"), "n=%d", n)
	}
}

func TestFormatMoney(t *testing.T) {
	for tiyn, want := range map[int64]string{
		0: "0,00 ₸", 5: "0,05 ₸", 99900: "999,00 ₸", 100000: "1 000,00 ₸", 1234567: "12 345,67 ₸",
		15000000000: "150 000 000,00 ₸", -123456: "-1 234,56 ₸",
	} {
		got := formatMoney(money.FromTiyn(tiyn))
		assert.Equal(t, want, strings.ReplaceAll(got, "\u00a0", " "), "tiyn=%d", tiyn)
		assert.NotContains(t, got, " ", "no-break spaces only, so the amount never wraps")
	}
}

func TestExpiringPolicy(t *testing.T) {
	base := ExpiringPolicy{
		To: to, PolicyNumber: "KASKO-7", Product: policy.ProductKASKO, EndsOn: policy.MustParseDate("2025-12-31"),
		CabinetURL: "https://cabinet.example.kz/p/7",
	}
	for days, want := range map[int]string{
		30: "Полис КАСКО № KASKO-7 заканчивается через 30 дней",
		7:  "Полис КАСКО № KASKO-7 заканчивается через 7 дней",
		1:  "Полис КАСКО № KASKO-7 заканчивается завтра",
		0:  "Полис КАСКО № KASKO-7 заканчивается сегодня",
	} {
		n := base
		n.DaysLeft = days
		m := n.Message()
		assert.Equal(t, want, m.Subject)
		assert.Equal(t, to, m.To)
		assert.Contains(t, m.Text, "действует по 31.12.2025 включительно")
		assert.Contains(t, m.Text, "продлите полис")
		assert.NotContains(t, m.Text, "ОГПО", "the compulsory-motor warning is for ОГПО ВТС only")
		assert.Empty(t, m.Attachments, "no PDF given, none attached")
	}

	t.Run("renewal draft", func(t *testing.T) {
		n := base
		n.DaysLeft, n.RenewalDraft = 30, true
		m := n.Message()
		assert.Equal(t, "Полис КАСКО № KASKO-7: подготовлено продление", m.Subject)
		assert.Contains(t, m.Text, "автопролонгация")
		assert.NotContains(t, m.Text, "продлите полис")
	})
	t.Run("ОГПО with the policy attached", func(t *testing.T) {
		n := base
		n.Product, n.PolicyNumber, n.DaysLeft, n.PolicyPDF = policy.ProductOGPOVTS, "ОГПО/2025 12", 7, []byte("%PDF")
		n.IdempotencyKey = "k"
		m := n.Message()
		assert.Contains(t, m.Text, "без действующего полиса ОГПО ВТС нельзя")
		assert.Contains(t, m.Text, "во вложении")
		require.Len(t, m.Attachments, 1)
		assert.Equal(t, Attachment{Name: "polis-2025-12.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}, m.Attachments[0])
		assert.Equal(t, "k", m.IdempotencyKey)

		n.PolicyNumber = "№ ОГПО"
		assert.Equal(t, "polis-document.pdf", n.Message().Attachments[0].Name)
	})
}

func TestInstallmentDue(t *testing.T) {
	m := InstallmentDue{
		To: to, PolicyNumber: "K-1", Product: policy.ProductKASKO, Installment: 2, Amount: money.FromTiyn(4500000),
		DueOn: policy.MustParseDate("2025-04-15"), DaysLeft: 3, PayURL: "https://pay.example.kz/i/2",
	}.Message()
	assert.Equal(t, "Оплатите 2-й взнос по полису № K-1 до 15.04.2025", m.Subject)
	text := strings.ReplaceAll(m.Text, "\u00a0", " ")
	assert.Contains(t, text, "по полису КАСКО № K-1 подходит срок оплаты — 2-й взнос 45 000,00 ₸ нужно внести до 15.04.2025 (через 3 дня).")
	assert.Contains(t, text, "Оплатить взнос: https://pay.example.kz/i/2")
	assert.Contains(t, m.HTML, `<a href="https://pay.example.kz/i/2">Оплатить взнос</a>`)

	m = InstallmentDue{To: to, PolicyNumber: "K-1", Amount: money.FromTiyn(100), DueOn: policy.MustParseDate("2025-04-15")}.Message()
	assert.Equal(t, "Оплатите очередной взнос по полису № K-1 до 15.04.2025", m.Subject)
	assert.NotContains(t, m.Text, "http", "no link without a URL")
	assert.NotContains(t, m.HTML, "<a ")
}

func TestClaimStatusNamesEveryStage(t *testing.T) {
	for _, s := range []claim.Status{
		claim.StatusReported, claim.StatusDocumentsRequested, claim.StatusDocumentsComplete, claim.StatusAppraisal,
		claim.StatusPayoutDecision, claim.StatusPaid, claim.StatusRefused, claim.StatusWithdrawn,
	} {
		require.True(t, s.Valid())
		m := ClaimStatus{To: to, ClaimNumber: "77", Status: s}.Message()
		assert.NotContains(t, m.Subject, "статус изменён", "%s has its own words", s)
		assert.True(t, strings.HasPrefix(m.Subject, "Страховой случай № 77: "), m.Subject)
	}

	paid := ClaimStatus{To: to, ClaimNumber: "77", Status: claim.StatusPaid, Payout: money.FromTiyn(15000000)}.Message()
	assert.Equal(t, "Страховой случай № 77: выплата произведена", paid.Subject)
	assert.Contains(t, strings.ReplaceAll(paid.Text, "\u00a0", " "), "Сумма выплаты — 150 000,00 ₸.")

	refused := ClaimStatus{To: to, ClaimNumber: "77", Status: claim.StatusRefused}.Message()
	assert.Contains(t, refused.Text, "основания — в личном кабинете")

	unknown := ClaimStatus{To: to, ClaimNumber: "77", Status: "new_stage"}.Message()
	assert.Equal(t, "Страховой случай № 77: статус изменён", unknown.Subject)
}

func TestMissingDocuments(t *testing.T) {
	m := MissingDocuments{
		To: to, ClaimNumber: "77", Documents: []string{"Справка о ДТП", " ", "<b>Фото</b> & схема"},
		CabinetURL: "https://cabinet.example.kz/claims/77",
	}.Message()
	assert.Equal(t, "Страховой случай № 77: не хватает документов", m.Subject)
	assert.Contains(t, m.Text, "загрузите, пожалуйста, документы:\n\n— Справка о ДТП\n— <b>Фото</b> & схема\n")
	assert.Contains(t, m.HTML, "<li>Справка о ДТП</li>")
	assert.Contains(t, m.HTML, "<li>&lt;b&gt;Фото&lt;/b&gt; &amp; схема</li>", "titles are escaped in HTML")

	one := MissingDocuments{To: to, ClaimNumber: "77", Documents: []string{"Справка о ДТП"}}.Message()
	assert.Contains(t, one.Text, "загрузите, пожалуйста, документ:")

	none := MissingDocuments{To: to, ClaimNumber: "77"}.Message()
	assert.Contains(t, none.Text, "Их список — в личном кабинете.")
}

func TestLinksAreWebAddressesOnly(t *testing.T) {
	for _, raw := range []string{"javascript:alert(1)", "cabinet.example.kz/p", "ftp://example.kz/x", "https://", "data:text/html,x"} {
		m := ClaimStatus{To: to, ClaimNumber: "1", Status: claim.StatusAppraisal, CabinetURL: raw}.Message()
		assert.NotContains(t, m.Text, raw, raw)
		assert.NotContains(t, m.HTML, "<a ", raw)
	}
}

func TestEveryLetterIsComplete(t *testing.T) {
	for name, m := range map[string]Message{
		"expiring":    ExpiringPolicy{To: to, PolicyNumber: "1", EndsOn: policy.MustParseDate("2025-01-01"), DaysLeft: 30}.Message(),
		"installment": InstallmentDue{To: to, PolicyNumber: "1", DueOn: policy.MustParseDate("2025-01-01")}.Message(),
		"claim":       ClaimStatus{To: to, ClaimNumber: "1", Status: claim.StatusAppraisal}.Message(),
		"documents":   MissingDocuments{To: to, ClaimNumber: "1"}.Message(),
	} {
		t.Run(name, func(t *testing.T) {
			assert.True(t, strings.HasPrefix(m.Text, "Здравствуйте!\n\n"))
			assert.Contains(t, m.Text, "С уважением,\nслужба заботы о клиентах")
			assert.Contains(t, m.HTML, "<html lang=\"ru\">")
			assert.Contains(t, m.HTML, "С уважением,<br>служба заботы о клиентах")
			assert.NotContains(t, m.Subject, "\n")
			from, err := netmail.ParseAddress("Страховая <noreply@example.kz>")
			require.NoError(t, err)
			_, err = compose(from, m, time.Now())
			assert.NoError(t, err, "the letter passes the Mailer's checks")
		})
	}
}
