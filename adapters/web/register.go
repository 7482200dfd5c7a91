package web

import (
	"net/http"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// registration is what the three steps of registration carry from one to
// the next in hidden fields: the service keeps the registration itself, and
// the rest is what the next page shows again.
type registration struct {
	IIN            string // step 1 only; never carried on
	RegistrationID string
	FoundIn        string // kias, esbd or none
	MaskedName     string
	MaskedPhone    string
	Phone          string // a phone the client typed
	PolicyNumber   string
	FirstName      string
	LastName       string
	SentTo         string // the masked phone the code went to
}

func registrationOf(r *http.Request) registration {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return registration{
		RegistrationID: v("registrationId"), FoundIn: v("foundIn"), MaskedName: v("maskedName"), MaskedPhone: v("maskedPhone"),
		Phone: v("phone"), PolicyNumber: v("policyNumber"), FirstName: v("firstName"), LastName: v("lastName"), SentTo: v("sentTo"),
	}
}

// Found reports whether KIAS or ESBD knew the IIN.
func (g registration) Found() bool { return g.FoundIn == "kias" || g.FoundIn == "esbd" }

func (h *Handler) registerPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "register", view{Data: registration{}})
}

// startRegistration looks the IIN up (step 1) and shows what was found.
func (h *Handler) startRegistration(w http.ResponseWriter, r *http.Request) {
	g := registration{IIN: strings.TrimSpace(r.PostFormValue("iin"))}
	v := view{Data: g}
	if g.IIN == "" {
		h.invalid(w, r, Errors{"iin": "Введите ИИН."}, "register", v)
		return
	}
	resp, err := call[cabinet.StartRegistrationResponse](h, r, "StartRegistration", &cabinet.StartRegistrationRequest{IIN: g.IIN})
	if err != nil {
		h.refused(w, r, err, "register", v, "iin")
		return
	}
	g = registration{RegistrationID: resp.RegistrationID, FoundIn: resp.FoundIn, MaskedName: resp.MaskedName, MaskedPhone: resp.MaskedPhone}
	h.render(w, r, http.StatusOK, "register_phone", view{Data: g})
}

// sendRegistrationCode sends the SMS code (step 2) to the phone on file or
// to the one the client typed.
func (h *Handler) sendRegistrationCode(w http.ResponseWriter, r *http.Request) {
	g := registrationOf(r)
	v := view{Data: g}
	errs := Errors{}
	if !g.Found() {
		required(errs, r, map[string]string{
			"lastName": "Введите фамилию.", "firstName": "Введите имя.", "phone": "Введите номер мобильного телефона.",
		})
	} else if g.MaskedPhone == "" && g.Phone == "" {
		errs["phone"] = "Введите номер мобильного телефона: в базе его нет."
	}
	if errs.Any() {
		h.invalid(w, r, errs, "register_phone", v)
		return
	}
	resp, err := call[cabinet.SendRegistrationCodeResponse](h, r, "SendRegistrationCode", &cabinet.SendRegistrationCodeRequest{
		RegistrationID: g.RegistrationID, FirstName: g.FirstName, LastName: g.LastName, Phone: g.Phone, PolicyNumber: g.PolicyNumber,
	})
	if err != nil {
		h.refused(w, r, err, "register_phone", v, "phone", "policyNumber", "firstName", "lastName")
		return
	}
	g.SentTo = resp.SentTo
	h.render(w, r, http.StatusOK, "register_code", view{Data: g})
}

// confirmRegistration checks the SMS code (step 3), which creates the
// cabinet and opens its first session.
func (h *Handler) confirmRegistration(w http.ResponseWriter, r *http.Request) {
	g := registrationOf(r)
	v := view{Data: g}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" {
		h.invalid(w, r, Errors{"code": "Введите код из SMS."}, "register_code", v)
		return
	}
	resp, err := call[cabinet.ConfirmRegistrationResponse](h, r, "ConfirmRegistration", &cabinet.ConfirmRegistrationRequest{
		RegistrationID: g.RegistrationID, Code: code})
	if err != nil {
		h.refused(w, r, err, "register_code", v, "code")
		return
	}
	h.startSession(w, r, resp.Session)
	redirect(w, r, "/policies", "registered")
}
