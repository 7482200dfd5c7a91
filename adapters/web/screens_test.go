package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoliciesShowEveryBucketWithItsCount(t *testing.T) {
	s := newSite(t)
	w := seed(t, s.kit)
	s.login(w.client)

	p := s.get("/policies")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, map[string]string{"expiring": "1", "active": "2", "installments": "1", "history": "1"}, tabCounts(p))
	// The default screen: the policies in force, by term and by payment.
	assert.Equal(t, []string{w.expiring.Number}, policiesIn(p, "expiring"))
	assert.ElementsMatch(t, []string{w.active.Number, w.installments.Number}, policiesIn(p, "active"))
	assert.Equal(t, []string{w.installments.Number}, policiesIn(p, "installments"))
	assert.NotContains(t, p.Body, w.past.Number, "history is a tab of its own")
	assert.Contains(t, p.Body, "ОГПО ВТС № "+w.active.Number)
	assert.Contains(t, p.Body, "<dt>Действует до</dt>")
	assert.Contains(t, p.Body, "36\u00a0000,00\u00a0₸", "the premium, the Russian way")
	assert.Contains(t, p.Body, "Toyota Camry, 123ABC02")
	assert.Contains(t, p.Body, "<dt>Очередной платёж</dt><dd>12\u00a0000,00\u00a0₸ до ")
	// An expiring policy offers renewal, one paid by installments the next payment.
	assert.Contains(t, p.Body, `<a class="button secondary" href="/policies/`+w.expiring.ID.String()+`/renewal">Продлить`)
	assert.Contains(t, p.Body, `<form method="post" action="/policies/`+w.installments.ID.String()+`/pay" class="inline">`)
	assert.NotContains(t, p.Body, `/policies/`+w.active.ID.String()+`/renewal`)

	for bucket, want := range map[string][]string{
		"expiring": {w.expiring.Number}, "active": {w.active.Number, w.installments.Number},
		"installments": {w.installments.Number}, "history": {w.past.Number},
	} {
		p := s.get("/policies?bucket=" + bucket)
		require.Equal(t, http.StatusOK, p.Status)
		assert.ElementsMatch(t, want, policiesIn(p, bucket), bucket)
		assert.Contains(t, p.Body, `href="/policies?bucket=`+bucket+`" data-bucket="`+bucket+`" aria-current="page"`)
	}
}

func TestPolicyDetails(t *testing.T) {
	s := newSite(t)
	w := seed(t, s.kit)
	s.login(w.client)

	p := s.get("/policies/" + w.installments.ID.String())
	require.Equal(t, http.StatusOK, p.Status)
	for _, want := range []string{
		"ОГПО ВТС № " + w.installments.Number, "<dt>Срок действия</dt>", "АО «Страховая компания»",
		"Сарсенова Айгерим", "КБМ: класс 3, коэффициент 0,90", "Toyota Camry, госномер 123ABC02, 2019 год выпуска",
		"<dt>Страховая премия</dt><dd>36\u00a0000,00\u00a0₸</dd>", "<dt>Оплачено</dt><dd>0,00\u00a0₸</dd>",
		"<dt>Способ оплаты</dt><dd>в рассрочку</dd>", "Лица, допущенные к управлению", "График платежей",
		"Оплатить очередной платёж: 12\u00a0000,00\u00a0₸", `href="/policies/` + w.installments.ID.String() + `/document"`,
		"Скачать полис в PDF", "Продлить",
	} {
		assert.Contains(t, p.Body, want)
	}

	p = s.get("/policies/" + w.active.ID.String() + "/document")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "application/pdf", p.Header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename=polis-`+w.active.Number+`.pdf`, p.Header.Get("Content-Disposition"))
	assert.True(t, strings.HasPrefix(p.Body, "%PDF-"))

	p = s.post("/policies/"+w.installments.ID.String()+"/pay", nil)
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "Оплата очередного платежа")
	assert.Regexp(t, `<a class="button" href="https://pay\.example\.kz/[^"]+" rel="noopener noreferrer">Перейти к оплате</a>`, p.Body)
	p = s.post("/policies/"+w.active.ID.String()+"/pay", nil)
	assert.Equal(t, http.StatusConflict, p.Status, "nothing to pay on a policy paid in full")
	assert.Contains(t, p.Body, "Сейчас это действие с полисом недоступно")

	p = s.get("/policies/" + w.expiring.ID.String() + "/renewal")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "Продление полиса № "+w.expiring.Number)
	assert.Contains(t, p.Body, "стоимость рассчитывается заново")
}

func TestClaims(t *testing.T) {
	s := newSite(t)
	w := seed(t, s.kit)
	s.login(w.client)

	p := s.get("/claims")
	require.Equal(t, http.StatusOK, p.Status)
	open, settled, _ := strings.Cut(p.Body, `id="settled"`)
	assert.Contains(t, open, "В процессе урегулирования <span class=\"count\">(1)</span>")
	assert.Contains(t, open, w.open.Number)
	assert.Contains(t, open, "Нужны документы: 1")
	assert.Contains(t, settled, "Урегулированные <span class=\"count\">(1)</span>")
	assert.Contains(t, settled, w.settled.Number)
	assert.Contains(t, settled, "150\u00a0000,00\u00a0₸")

	p = s.get("/claims/" + w.open.ID.String())
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "Не хватает документов")
	assert.Contains(t, p.Body, "<li>Удостоверение личности <span class=\"hint\">(запрошено ")
	assert.Contains(t, p.Body, "ДТП во дворе")
	assert.Contains(t, p.Body, "запрошены документы: Удостоверение личности")

	p = s.get("/claims/" + w.settled.ID.String())
	require.Equal(t, http.StatusOK, p.Status)
	assert.NotContains(t, p.Body, "Не хватает документов")
	assert.Contains(t, p.Body, "Урегулирован: выплата произведена")
	assert.Contains(t, p.Body, "Получены документы")
	assert.Contains(t, p.Body, "№ РВ-17")
}

func TestBonusAndNotifications(t *testing.T) {
	s := newSite(t)
	w := seed(t, s.kit)
	s.login(w.client)

	p := s.get("/bonus")
	require.Equal(t, http.StatusOK, p.Status)
	balance := regexp.MustCompile(`<dd class="big" id="balance">([^<]+)</dd>`).FindStringSubmatch(p.Body)
	require.NotNil(t, balance)
	assert.Regexp(t, `^[1-9][\d\x{00a0}]*\x{00a0}балл`, balance[1], "the accrual shows in the balance")
	assert.Contains(t, p.Body, "<td>начисление</td>")
	assert.Contains(t, p.Body, "оплата 36\u00a0000,00\u00a0₸")
	assert.Contains(t, p.Body, `href="/policies/`+w.active.ID.String()+`"`)

	p = s.get("/notifications")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "Нужны документы по страховому случаю")
	assert.Contains(t, p.Body, `href="/claims/`+w.open.ID.String()+`"`)
	assert.Contains(t, p.Body, `<span class="badge">1<span class="visually-hidden"> непрочитанное</span></span>`, "the menu counts it")

	p = s.post("/notifications/"+w.notice.String()+"/read", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/notifications?ok=read", p.Location())
	p = s.get("/notifications?ok=read")
	assert.Contains(t, p.Body, "Уведомление отмечено как прочитанное.")
	assert.NotContains(t, p.Body, `<span class="badge">новое</span>`)
	assert.NotContains(t, p.Body, "непрочитанное</span>")
}

func TestProfileAndSettingsShowTheClientsData(t *testing.T) {
	s := newSite(t)
	w := seed(t, s.kit)
	s.login(w.client)

	p := s.get("/profile")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "<dt>ИИН</dt><dd>"+w.client.IIN.String()+"</dd>")
	assert.Contains(t, p.Body, `id="f-lastName" name="lastName" type="text" value="Сарсенова"`)
	assert.Contains(t, p.Body, `id="f-phone" name="phone" type="tel" value="`+w.client.Phone.String()+`"`)
	assert.Contains(t, p.Body, "Сканов пока нет.")

	p = s.get("/settings")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "Истекает срок действия полиса")
	assert.Contains(t, p.Body, `name="autoProlongation"`)
	assert.Contains(t, p.Body, `href="/access-code"`)
}

var (
	tabCount      = regexp.MustCompile(`data-bucket="(\w+)"[^>]*>[^<]*<span class="count" data-count="(\d+)">`)
	bucketSection = regexp.MustCompile(`(?s)<section class="bucket" id="(\w+)".*?</section>`)
	number        = regexp.MustCompile(`<h3><a href="/policies/[^"]+">[^<]* № ([^<]+)</a></h3>`)
)

// tabCounts reads the count of every tab of "Мои полисы".
func tabCounts(p page) map[string]string {
	out := map[string]string{}
	for _, m := range tabCount.FindAllStringSubmatch(p.Body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// policiesIn lists the numbers of the policies in a bucket's section.
func policiesIn(p page, bucket string) []string {
	var out []string
	for _, s := range bucketSection.FindAllStringSubmatch(p.Body, -1) {
		if s[1] != bucket {
			continue
		}
		for _, m := range number.FindAllStringSubmatch(s[0], -1) {
			out = append(out, m[1])
		}
	}
	return out
}
