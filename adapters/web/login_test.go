package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

func TestLoginOpensASessionInAnHttpOnlyCookie(t *testing.T) {
	s := newSite(t)
	c := s.kit.Client(t)

	p := s.get("/")
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/login", p.Location())
	p = s.get("/login")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, `<label for="f-login">ИИН или номер телефона</label>`)
	assert.Contains(t, p.Body, `<label for="f-accessCode">Код доступа</label>`)

	p = s.post("/login", url.Values{"login": {c.IIN.String()}, "accessCode": {c.Code}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/access-code?ok=onetime", p.Location(), "a client on the code sent by SMS is asked to choose one")
	set := setCookie(t, p, sessionCookie)
	assert.True(t, set.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, set.SameSite)
	assert.Equal(t, "/", set.Path)
	assert.False(t, set.Secure, "plain HTTP with SecureCookies off")
	assert.Positive(t, set.MaxAge, "the cookie lives as long as the session")

	p = s.get("/access-code?ok=onetime")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "Вы вошли с кодом из SMS. Придумайте свой код доступа.")
	p = s.get("/policies")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "Мои полисы")
	assert.Contains(t, p.Body, `action="/logout"`)
}

func TestLoginShowsErrorsNextToTheFields(t *testing.T) {
	s := newSite(t)
	c := s.kit.Client(t)
	s.get("/login")

	p := s.post("/login", url.Values{"login": {""}, "accessCode": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assertFieldError(t, p, "login", "Введите ИИН или номер телефона.")
	assertFieldError(t, p, "accessCode", "Введите код доступа.")

	p = s.post("/login", url.Values{"login": {"12345"}, "accessCode": {"1234"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assertFieldError(t, p, "login", "Введите ИИН (12 цифр) или номер мобильного телефона.")

	p = s.post("/login", url.Values{"login": {c.IIN.String()}, "accessCode": {"000000"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assert.Contains(t, p.Body, "Неверный логин или код доступа.")
	assert.Contains(t, p.Body, `value="`+c.IIN.String()+`"`, "the login typed is kept")
	assert.NotContains(t, p.Body, `value="000000"`, "an access code is never shown again")
	assert.Nil(t, setCookieOrNil(p, sessionCookie))
}

func TestLogoutEndsTheSessionAndClearsTheCookie(t *testing.T) {
	s := newSite(t)
	c := s.kit.Client(t)
	s.login(c)
	token := s.cookie(sessionCookie).Value

	p := s.post("/logout", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/login?ok=logout", p.Location())
	cleared := setCookie(t, p, sessionCookie)
	assert.Negative(t, cleared.MaxAge, "the cookie is removed")
	assert.Empty(t, cleared.Value)
	assert.Nil(t, s.cookie(sessionCookie))
	p = s.get("/policies")
	assert.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/login", p.Location())

	// The token is dead at the service too: a browser that kept it is sent
	// to log in again, and its stale cookie is removed.
	stale := s.another()
	stale.client.Jar.SetCookies(mustURL(t, s.srv.URL), []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/"}})
	p = stale.get("/policies")
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/login?ok=expired", p.Location())
	assert.Negative(t, setCookie(t, p, sessionCookie).MaxAge)
}

func TestCookiesAreSecureOverTLS(t *testing.T) {
	kit := cabinettest.New(t)
	c := kit.Client(t)
	for name, s := range map[string]*site{
		"tls":            serveSite(t, kit, Config{}, true),
		"behind a proxy": serveSite(t, kit, Config{SecureCookies: true}, false),
	} {
		t.Run(name, func(t *testing.T) {
			s := s.on(t)
			p := s.get("/login")
			form := setCookie(t, p, "__Host-"+formCookie)
			assert.True(t, form.Secure)
			assert.True(t, form.HttpOnly)
			p = s.post("/login", url.Values{"login": {c.IIN.String()}, "accessCode": {c.Code}})
			require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
			session := setCookie(t, p, "__Host-"+sessionCookie)
			assert.True(t, session.Secure)
			assert.True(t, session.HttpOnly)
			assert.Equal(t, http.SameSiteLaxMode, session.SameSite)
			assert.Equal(t, "/", session.Path)
			assert.Empty(t, session.Domain)
		})
	}
}

func TestPrivatePagesNeedASession(t *testing.T) {
	s := newSite(t)
	for _, path := range []string{"/policies", "/claims", "/bonus", "/notifications", "/profile", "/settings", "/access-code",
		"/policies/0b1c6a36-8f7f-4c9e-9a52-1b1f0a9a7c11"} {
		p := s.get(path)
		assert.Equal(t, http.StatusSeeOther, p.Status, path)
		assert.Equal(t, "/login", p.Location(), path)
	}
}

// setCookie is the cookie a response sets, failing when it sets none.
func setCookie(t *testing.T, p page, name string) *http.Cookie {
	t.Helper()
	c := setCookieOrNil(p, name)
	require.NotNil(t, c, "no Set-Cookie for %s in %v", name, p.Header.Values("Set-Cookie"))
	return c
}

func setCookieOrNil(p page, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// assertFieldError checks that a field shows its error next to it and is
// marked invalid for assistive technology.
func assertFieldError(t *testing.T, p page, field, text string) {
	t.Helper()
	assert.Contains(t, p.Body, `<p class="error" id="f-`+field+`-error"><span class="visually-hidden">Ошибка: </span>`+text+`</p>`)
	assert.Regexp(t, `<input id="f-`+field+`"[^>]* aria-invalid="true"[^>]* aria-describedby="[^"]*f-`+field+`-error"`, p.Body)
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u
}
