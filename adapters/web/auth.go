package web

import (
	"net/http"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// loginForm is what the login form shows again; the access code never is.
type loginForm struct{ Login string }

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	if h.sessionToken(r) != "" {
		redirect(w, r, "/policies", "")
		return
	}
	h.render(w, r, http.StatusOK, "login", view{Data: loginForm{}})
}

// login opens a session with Login and keeps its token in the session
// cookie. A client still on the code sent by SMS is asked to choose one.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	f := loginForm{Login: strings.TrimSpace(r.PostFormValue("login"))}
	v := view{Data: f}
	errs := Errors{}
	required(errs, r, map[string]string{"login": "Введите ИИН или номер телефона.", "accessCode": "Введите код доступа."})
	if errs.Any() {
		h.invalid(w, r, errs, "login", v)
		return
	}
	resp, err := call[cabinet.LoginResponse](h, r, "Login", &cabinet.LoginRequest{Login: f.Login, AccessCode: r.PostFormValue("accessCode")})
	if err != nil {
		h.refused(w, r, err, "login", v, "login", "accessCode")
		return
	}
	h.startSession(w, r, resp.Session)
	if resp.Session.MustChangeAccessCode {
		redirect(w, r, "/access-code", "onetime")
		return
	}
	redirect(w, r, "/policies", "")
}

// logout ends the session at the service and forgets its token. The cookie
// goes even when the service could not be told, so that the browser is
// logged out whatever happens.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if h.sessionToken(r) != "" {
		if _, err := call[cabinet.LogoutResponse](h, r, "Logout", &cabinet.LogoutRequest{}); err != nil {
			if e, known := cabinet.ErrorOf(err); !known || e.Code != cabinet.CodeSessionRequired {
				h.log.ErrorContext(r.Context(), "logout failed", "correlation_id", requestID(r), "operation", "Logout", "error", err)
			}
		}
	}
	h.endSession(w, r)
	redirect(w, r, "/login", "logout")
}

func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "reset", view{Data: loginForm{}})
}

// reset asks for a new access code by SMS. The answer is the same whether
// or not the login exists, as the service's is.
func (h *Handler) reset(w http.ResponseWriter, r *http.Request) {
	f := loginForm{Login: strings.TrimSpace(r.PostFormValue("login"))}
	v := view{Data: f}
	if f.Login == "" {
		h.invalid(w, r, Errors{"login": "Введите ИИН или номер телефона."}, "reset", v)
		return
	}
	if _, err := call[cabinet.ResetAccessCodeResponse](h, r, "ResetAccessCode", &cabinet.ResetAccessCodeRequest{Login: f.Login}); err != nil {
		h.refused(w, r, err, "reset", v, "login")
		return
	}
	redirect(w, r, "/login", "reset")
}

func (h *Handler) accessCodePage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "access_code", view{Section: "settings"})
}

// changeAccessCode replaces the access code; the service ends the client's
// other sessions and keeps this one.
func (h *Handler) changeAccessCode(w http.ResponseWriter, r *http.Request) {
	v := view{Section: "settings"}
	errs := Errors{}
	required(errs, r, map[string]string{
		"currentCode": "Введите текущий код доступа.", "newCode": "Введите новый код доступа.", "repeatCode": "Повторите новый код доступа.",
	})
	if _, empty := errs["repeatCode"]; !empty && r.PostFormValue("repeatCode") != r.PostFormValue("newCode") {
		errs["repeatCode"] = "Коды не совпадают. Введите новый код ещё раз."
	}
	if errs.Any() {
		h.invalid(w, r, errs, "access_code", v)
		return
	}
	_, err := call[cabinet.ChangeAccessCodeResponse](h, r, "ChangeAccessCode", &cabinet.ChangeAccessCodeRequest{
		CurrentCode: r.PostFormValue("currentCode"), NewCode: r.PostFormValue("newCode")})
	if err != nil {
		h.refused(w, r, err, "access_code", v, "currentCode", "newCode")
		return
	}
	redirect(w, r, "/settings", "code")
}
