package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// The cookies. Over TLS they carry the __Host- prefix, which a browser keeps
// only when the cookie is Secure, has Path=/ and names no domain, so that no
// other site under the same domain can plant one.
const (
	sessionCookie = "kabinet_session" // the client's session token from Login
	formCookie    = "kabinet_form"    // a random secret that binds the CSRF token of forms shown before login
)

// csrfField is the hidden field of every form.
const csrfField = "csrf"

// secure reports whether cookies must be Secure: the request came over TLS,
// or the site says it is behind a proxy that ends TLS.
func (h *Handler) secure(r *http.Request) bool { return r.TLS != nil || h.cfg.SecureCookies }

func (h *Handler) cookieName(r *http.Request, base string) string {
	if h.secure(r) {
		return "__Host-" + base
	}
	return base
}

func (h *Handler) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: h.cookieName(r, name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteLaxMode,
	}
}

// readCookie returns the value of a cookie of the site, "" when it is absent
// or is not a token the site could have set.
func (h *Handler) readCookie(r *http.Request, name string) string {
	c, err := r.Cookie(h.cookieName(r, name))
	if err != nil || !tokenLike(c.Value) {
		return ""
	}
	return c.Value
}

// tokenLike accepts what the service's tokens and the site's secrets look
// like, URL-safe base64 of a sensible length, so that nothing else reaches
// the service or an HMAC.
func tokenLike(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// sessionToken is the client's session token, "" before login.
func (h *Handler) sessionToken(r *http.Request) string { return h.readCookie(r, sessionCookie) }

// startSession keeps the token of a new session in the session cookie,
// for as long as the session lives.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, s cabinet.Session) {
	maxAge := 0 // a browser session, if the service did not say
	if exp, err := time.Parse(time.RFC3339, string(s.ExpiresAt)); err == nil {
		maxAge = max(int(time.Until(exp).Seconds()), 1)
	}
	http.SetCookie(w, h.cookie(r, sessionCookie, s.Token, maxAge))
}

// endSession removes the session cookie.
func (h *Handler) endSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, h.cookie(r, sessionCookie, "", -1))
}

// formSecret returns the anti-forgery secret of a visitor who has not
// logged in, setting the cookie the first time.
func (h *Handler) formSecret(w http.ResponseWriter, r *http.Request) string {
	if v := h.readCookie(r, formCookie); v != "" {
		return v
	}
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails
	v := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, h.cookie(r, formCookie, v, 0))
	return v
}

// csrfToken is the token the forms of this page carry: bound to the session
// once the client has logged in, to the anti-forgery cookie before.
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if t := h.sessionToken(r); t != "" {
		return h.mac("session", t)
	}
	return h.mac("form", h.formSecret(w, r))
}

// validCSRF reports whether a posted form carries a token bound to one of
// the secrets the browser holds. Both are accepted, so that a form shown
// before login still posts after the client logged in in another tab.
func (h *Handler) validCSRF(r *http.Request) bool {
	got := r.PostFormValue(csrfField)
	if got == "" {
		return false
	}
	for _, b := range []struct{ kind, secret string }{
		{"session", h.sessionToken(r)}, {"form", h.readCookie(r, formCookie)},
	} {
		if b.secret != "" && hmac.Equal([]byte(got), []byte(h.mac(b.kind, b.secret))) {
			return true
		}
	}
	return false
}

// mac is the CSRF token of a secret of a kind, under the site's key.
func (h *Handler) mac(kind, secret string) string {
	m := hmac.New(sha256.New, h.cfg.Key)
	m.Write([]byte("kabinet web csrf\x00" + kind + "\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
