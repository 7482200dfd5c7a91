package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/domain/client"
)

// consentPurpose is a purpose the site asks consent for: what it is called,
// what it is for, and the categories of data the site's consent covers.
type consentPurpose struct {
	Code, Title, Text string
	Scope             []string
}

// consentPurposes are shown in this order, each whether or not a consent is
// on file.
var consentPurposes = []consentPurpose{
	{string(client.PurposePersonalData), "Обработка персональных данных", "Чтобы заключать и обслуживать ваши договоры страхования.",
		client.PurposePersonalData.StandardScope()},
	{string(client.PurposeThirdParties), "Передача данных третьим лицам", "В ЕСБД, информационную систему страховой компании и партнёрам, которые обслуживают договор.",
		client.PurposeThirdParties.StandardScope()},
	{string(client.PurposeMarketing), "Предложения и новости", "SMS и письма с предложениями страховой компании.",
		client.PurposeMarketing.StandardScope()},
}

// scopeNames name the categories of data in Russian; one the table does not
// know is shown as it is.
var scopeNames = map[string]string{
	"iin": "ИИН", "name": "ФИО", "birth_date": "дата рождения", "phone": "телефон", "email": "электронная почта",
	"address": "адрес", "documents": "документы", "vehicle": "автомобиль",
}

// consentRow is a purpose with the consent on file, if there is one.
type consentRow struct {
	Purpose, Title, Text, Scope string
	Status                      string // active, withdrawn, expired; "" when never given
	GivenAt, ExpiresAt          cabinet.DateTime
	WithdrawnAt                 cabinet.DateTime
	Offered                     bool // the site can give this consent
}

// consentRows lists the site's purposes, then any other purpose on file.
func consentRows(onFile []cabinet.Consent) []consentRow {
	var out []consentRow
	for _, p := range consentPurposes {
		row := consentRow{Purpose: p.Code, Title: p.Title, Text: p.Text, Scope: scopeText(p.Scope), Offered: true}
		for _, c := range onFile {
			if c.Purpose == p.Code {
				fill(&row, c)
			}
		}
		out = append(out, row)
	}
	for _, c := range onFile {
		if !slices.ContainsFunc(consentPurposes, func(p consentPurpose) bool { return p.Code == c.Purpose }) {
			row := consentRow{Purpose: c.Purpose, Title: c.Purpose}
			fill(&row, c)
			out = append(out, row)
		}
	}
	return out
}

func fill(row *consentRow, c cabinet.Consent) {
	row.Status, row.GivenAt, row.ExpiresAt, row.WithdrawnAt = c.Status, c.GivenAt, c.ExpiresAt, c.WithdrawnAt
	row.Scope = scopeText(c.Scope)
}

func scopeText(scope []string) string {
	names := make([]string, len(scope))
	for i, s := range scope {
		names[i] = label(scopeNames)(s)
	}
	return strings.Join(names, ", ")
}

// giveConsent gives the consent of the path's purpose over the site's scope.
func (h *Handler) giveConsent(w http.ResponseWriter, r *http.Request) {
	i := slices.IndexFunc(consentPurposes, func(p consentPurpose) bool { return p.Code == r.PathValue("purpose") })
	if i < 0 {
		h.noPage(w, r)
		return
	}
	p := consentPurposes[i]
	_, err := call[cabinet.GiveConsentResponse](h, r, "GiveConsent", &cabinet.GiveConsentRequest{Purpose: p.Code, Scope: p.Scope})
	if err != nil {
		h.consentRefused(w, r, err)
		return
	}
	redirect(w, r, "/settings", "consent_given")
}

// withdrawConsent withdraws the consent of the path's purpose; the service
// refuses one that a policy in force or an open claim needs.
func (h *Handler) withdrawConsent(w http.ResponseWriter, r *http.Request) {
	purpose := r.PathValue("purpose")
	if !purposeLike(purpose) {
		h.noPage(w, r)
		return
	}
	if _, err := call[cabinet.WithdrawConsentResponse](h, r, "WithdrawConsent", &cabinet.WithdrawConsentRequest{Purpose: purpose}); err != nil {
		h.consentRefused(w, r, err)
		return
	}
	redirect(w, r, "/settings", "consent_withdrawn")
}

// consentRefused shows the settings again with the refusal next to the
// consents.
func (h *Handler) consentRefused(w http.ResponseWriter, r *http.Request, err error) {
	e, known := cabinet.ErrorOf(err)
	if !known || e.Code == cabinet.CodeSessionRequired || (e.Code == cabinet.CodeNotFound && e.Field != "purpose") {
		h.fail(w, r, err)
		return
	}
	h.showSettings(w, r, http.StatusUnprocessableEntity, nil, Errors{"consents": messageOf(e)})
}

// purposeLike accepts what a purpose code looks like: lower-case letters,
// digits and underscores.
func purposeLike(s string) bool {
	if s == "" || len(s) > client.MaxPurposeLength {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// requestErasure deletes the client's data once they ticked that they mean
// it. Done at once, the session is over and the client lands on the login
// page; deferred, the settings say why and that it will be done by itself.
func (h *Handler) requestErasure(w http.ResponseWriter, r *http.Request) {
	if r.PostFormValue("confirm") != "on" {
		h.showSettings(w, r, http.StatusUnprocessableEntity, nil,
			Errors{"confirm": "Отметьте, что вы понимаете последствия удаления данных."})
		return
	}
	resp, err := call[cabinet.RequestErasureResponse](h, r, "RequestErasure", &cabinet.RequestErasureRequest{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if resp.Status == "erased" {
		h.endSession(w, r)
		redirect(w, r, "/login", "erased")
		return
	}
	switch resp.Reason {
	case "active_policy":
		redirect(w, r, "/settings", "erasure_policy")
	case "open_claim":
		redirect(w, r, "/settings", "erasure_claim")
	default:
		redirect(w, r, "/settings", "erasure")
	}
}
