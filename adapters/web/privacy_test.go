package web

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

// consentStatus reads the state a purpose's card on the settings page shows.
func consentStatus(t *testing.T, p page, purpose string) string {
	t.Helper()
	card := regexp.MustCompile(`(?s)<li class="card" data-purpose="` + purpose + `">.*?</li>`).FindString(p.Body)
	require.NotEmpty(t, card, "no card of %s", purpose)
	m := regexp.MustCompile(`data-status="(\w*)"`).FindStringSubmatch(card)
	require.NotNil(t, m, "no state in the card of %s", purpose)
	return m[1]
}

func TestConsentsAreGivenAndWithdrawnOnTheSettingsPage(t *testing.T) {
	s := newSite(t)
	c := s.kit.Client(t)
	s.login(c)

	p := s.get("/settings")
	require.Equal(t, http.StatusOK, p.Status)
	for _, purpose := range []string{"personal_data", "third_parties", "marketing"} {
		assert.Equal(t, "", consentStatus(t, p, purpose), "%s: never given", purpose)
		assert.Contains(t, p.Body, `action="/settings/consents/`+purpose+`/give"`)
	}
	assert.Contains(t, p.Body, "Предложения и новости")

	p = s.post("/settings/consents/marketing/give", nil)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/settings?ok=consent_given", p.Location())
	p = s.get(p.Location())
	assert.Contains(t, p.Body, "Согласие дано.")
	assert.Equal(t, "active", consentStatus(t, p, "marketing"))
	assert.Contains(t, p.Body, "телефон, электронная почта", "the categories the consent covers")
	assert.Contains(t, p.Body, `action="/settings/consents/marketing/withdraw"`)

	require.Equal(t, http.StatusSeeOther, s.post("/settings/consents/personal_data/give", nil).Status)
	s.kit.Policy(t, c, cabinettest.PolicyOptions{})
	s.get("/settings")
	p = s.post("/settings/consents/personal_data/withdraw", nil)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status, p.Body)
	assert.Contains(t, p.Body, "Это согласие нужно, пока действует полис или не урегулирован страховой случай.")
	assert.Contains(t, p.Body, `<a href="#f-consents">`, "the summary leads to the consents")
	assert.Equal(t, "active", consentStatus(t, p, "personal_data"))

	p = s.post("/settings/consents/marketing/withdraw", nil)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/settings?ok=consent_withdrawn", p.Location())
	p = s.get(p.Location())
	assert.Equal(t, "withdrawn", consentStatus(t, p, "marketing"))
	assert.Contains(t, p.Body, `action="/settings/consents/marketing/give"`, "it may be given again")

	for _, path := range []string{"/settings/consents/research/give", "/settings/consents/Bad-Purpose/withdraw"} {
		assert.Equal(t, http.StatusNotFound, s.post(path, nil).Status, path)
	}
	p = s.post("/settings/consents/third_parties/withdraw", nil)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assert.Contains(t, p.Body, "Такого согласия нет среди ваших.")
}

func TestDeletingOnesDataNeedsAConfirmation(t *testing.T) {
	s := newSite(t)
	holder := s.kit.Client(t)
	s.kit.Policy(t, holder, cabinettest.PolicyOptions{})
	s.login(holder)

	s.get("/settings")
	p := s.post("/settings/erasure", nil)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status, p.Body)
	assertFieldError(t, p, "confirm", "Отметьте, что вы понимаете последствия удаления данных.")
	assert.Empty(t, s.kit.Keys.Destroyed())

	p = s.post("/settings/erasure", url.Values{"confirm": {"on"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/settings?ok=erasure_policy", p.Location(), "deferred while the policy is in force")
	p = s.get(p.Location())
	require.Equal(t, http.StatusOK, p.Status, "the client keeps the cabinet until then")
	assert.Contains(t, p.Body, "Запрос на удаление данных принят. Пока действует полис")

	leaver := s.kit.Client(t)
	b := s.another()
	b.login(leaver)
	b.get("/settings")
	p = b.post("/settings/erasure", url.Values{"confirm": {"on"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/login?ok=erased", p.Location())
	assert.Equal(t, -1, setCookie(t, p, sessionCookie).MaxAge, "the session cookie goes")
	assert.Contains(t, b.get(p.Location()).Body, "Ваши персональные данные удалены, личный кабинет закрыт.")
	assert.Equal(t, "/login", b.get("/policies").Location())
	assert.Len(t, s.kit.Keys.Destroyed(), 1)

	p = b.post("/login", url.Values{"login": {leaver.IIN.String()}, "accessCode": {leaver.Code}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status, "the login is gone")
}
