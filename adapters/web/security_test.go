package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/projections/clientprofile"
)

func TestFormsWithoutTheirCSRFTokenAreRefused(t *testing.T) {
	s := newSite(t)
	w := seed(t, s.kit)
	c := w.client

	anonymous := s.another()
	p := anonymous.postRaw("/login", url.Values{"login": {c.IIN.String()}, "accessCode": {c.Code}})
	assert.Equal(t, http.StatusForbidden, p.Status, "no anti-forgery cookie, no token")
	anonymous.get("/login")
	p = anonymous.postRaw("/login", url.Values{"login": {c.IIN.String()}, "accessCode": {c.Code}})
	assert.Equal(t, http.StatusForbidden, p.Status, "a cookie but no token")
	p = anonymous.postRaw("/login", url.Values{"login": {c.IIN.String()}, "accessCode": {c.Code}, "csrf": {"x" + anonymous.csrf[1:]}})
	assert.Equal(t, http.StatusForbidden, p.Status, "a token that is not this browser's")
	assert.Nil(t, setCookieOrNil(p, sessionCookie))

	s.login(c)
	stolen := anonymous.csrf // a valid token, of another browser
	for _, path := range []string{"/settings", "/logout", "/access-code", "/profile", "/policies/" + w.installments.ID.String() + "/pay",
		"/notifications/" + w.notice.String() + "/read", "/settings/consents/marketing/give", "/settings/consents/marketing/withdraw",
		"/settings/erasure"} {
		p := s.postRaw(path, url.Values{"autoProlongation": {"on"}, "confirm": {"on"}})
		assert.Equal(t, http.StatusForbidden, p.Status, "%s without a token", path)
		p = s.postRaw(path, url.Values{"autoProlongation": {"on"}, "confirm": {"on"}, "csrf": {stolen}})
		assert.Equal(t, http.StatusForbidden, p.Status, "%s with another browser's token", path)
		assert.Contains(t, p.Body, "Форма устарела")
	}
	p = s.get("/settings")
	assert.NotContains(t, p.Body, `name="autoProlongation" id="f-autoProlongation" checked`, "nothing was saved")
	assert.NotContains(t, p.Body, `data-status="active"`, "no consent was given")
	profile, err := clientprofile.Get(t.Context(), s.kit.DB, c.ID)
	require.NoError(t, err)
	assert.Equal(t, clientprofile.ErasureNone, profile.Erasure.State, "no erasure was asked for")
	assert.Equal(t, http.StatusOK, s.get("/policies").Status, "still logged in")

	// A browser says when a form comes from another site; that is refused
	// even with the right token.
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/settings", strings.NewReader(url.Values{"csrf": {s.csrf}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, s.do(req).Status)
}

func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	s := newSite(t)
	w := seed(t, s.kit)
	anonymous := s.another()
	s.login(w.client)
	check := func(s *site, path string, wantStatus int) {
		t.Helper()
		p := s.get(path)
		require.Equal(t, wantStatus, p.Status, path)
		csp := p.Header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'none'", "style-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			assert.Contains(t, csp, d, path)
		}
		assert.NotContains(t, csp, "unsafe-inline", path)
		assert.NotContains(t, csp, "script-src", path, "the site runs no script, so none is allowed")
		assert.Equal(t, "nosniff", p.Header.Get("X-Content-Type-Options"), path)
		assert.Equal(t, "DENY", p.Header.Get("X-Frame-Options"), path)
		assert.NotEmpty(t, p.Header.Get("X-Request-ID"), path)
		if strings.HasPrefix(path, "/static/") && wantStatus == http.StatusOK {
			assert.Contains(t, p.Header.Get("Cache-Control"), "public", path)
		} else {
			assert.Equal(t, "no-store", p.Header.Get("Cache-Control"), path)
		}
		assert.NotContains(t, p.Body, "<script", path)
		assert.NotContains(t, p.Body, " style=", path, "no inline styles: the policy would block them")
	}
	for _, path := range []string{"/login", "/register", "/reset", "/static/style.css", "/static/icon.svg"} {
		check(anonymous, path, http.StatusOK)
	}
	for _, path := range []string{"/nowhere", "/static/", "/logout"} {
		check(anonymous, path, http.StatusNotFound)
	}
	for _, path := range []string{"/policies", "/policies?bucket=history", "/policies/" + w.active.ID.String(), "/claims",
		"/claims/" + w.open.ID.String(), "/bonus", "/notifications", "/profile", "/settings", "/access-code",
		"/policies/" + w.active.ID.String() + "/document"} {
		check(s, path, http.StatusOK)
	}
}

func TestAnotherClientsPolicyIsNotFound(t *testing.T) {
	s := newSite(t)
	w := seed(t, s.kit)
	s.login(s.kit.Client(t))
	for _, path := range []string{"/policies/" + w.active.ID.String(), "/policies/" + w.active.ID.String() + "/document",
		"/policies/" + w.expiring.ID.String() + "/renewal", "/claims/" + w.open.ID.String(), "/policies/not-a-uuid", "/profile/scans/SCAN-000001"} {
		p := s.get(path)
		assert.Equal(t, http.StatusNotFound, p.Status, path)
		assert.Contains(t, p.Body, "Не найдено", path)
		assert.NotContains(t, p.Body, w.active.Number, path)
	}
}

// TestNoPersonalDataInURLsOrLogs walks through registration, login, a
// wrong code and the screens and checks that no IIN, phone or code appears
// in a URL the site sends a browser to or in its log.
func TestNoPersonalDataInURLsOrLogs(t *testing.T) {
	s := newSite(t)
	w := seed(t, s.kit)
	c := w.client
	var locations []string
	visit := func(p page) page {
		if l := p.Location(); l != "" {
			locations = append(locations, l)
		}
		return p
	}
	s.get("/login")
	visit(s.post("/login", url.Values{"login": {c.IIN.String()}, "accessCode": {"999999"}}))
	visit(s.post("/login", url.Values{"login": {c.Phone.String()}, "accessCode": {c.Code}}))
	visit(s.post("/access-code", url.Values{"currentCode": {c.Code}, "newCode": {"2468"}, "repeatCode": {"2468"}}))
	for _, path := range []string{"/policies", "/policies/" + w.active.ID.String(), "/claims", "/bonus", "/notifications", "/profile", "/settings"} {
		visit(s.get(path))
	}
	visit(s.post("/logout", nil))
	r := s.another()
	r.get("/register")
	visit(r.post("/register", url.Values{"iin": {c.IIN.String()}}))
	visit(r.post("/reset", url.Values{"login": {c.Phone.String()}}))

	secrets := []string{c.IIN.String(), c.Phone.String(), strings.TrimPrefix(c.Phone.String(), "+"), c.Code, "2468", "999999"}
	logs := s.logs.String()
	for _, secret := range secrets {
		for _, l := range locations {
			assert.NotContains(t, l, secret)
		}
		assert.NotContains(t, logs, secret)
	}
	assert.NotEmpty(t, locations)
}
