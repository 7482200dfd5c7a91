package web

import (
	"net/http"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// channelRow is one kind of notification with its two channels.
type channelRow struct {
	Key, Title string
	Channels   cabinet.Channels
}

type settingsPage struct {
	Rows             []channelRow
	AutoProlongation bool
	Email            string
	Consents         []consentRow
}

// notificationKinds are the settings' kinds of notification, in the order
// the form shows them.
var notificationKinds = []struct{ key, title string }{
	{"expiringPolicy", "Истекает срок действия полиса"},
	{"installmentDue", "Очередной платёж по рассрочке"},
	{"claimStatus", "Изменился статус страхового случая"},
	{"missingDocuments", "Нужны документы по страховому случаю"},
	{"bonus", "Начисление и списание бонусов"},
}

func channelsOf(s *cabinet.Settings, key string) *cabinet.Channels {
	switch key {
	case "expiringPolicy":
		return &s.ExpiringPolicy
	case "installmentDue":
		return &s.InstallmentDue
	case "claimStatus":
		return &s.ClaimStatus
	case "missingDocuments":
		return &s.MissingDocuments
	case "bonus":
		return &s.Bonus
	}
	panic("web: no notification kind " + key)
}

func settingsView(s cabinet.Settings) settingsPage {
	p := settingsPage{AutoProlongation: s.AutoProlongation, Email: s.Email}
	for _, k := range notificationKinds {
		p.Rows = append(p.Rows, channelRow{Key: k.key, Title: k.title, Channels: *channelsOf(&s, k.key)})
	}
	return p
}

// settings shows the notification channels, auto-prolongation, the
// consents and the form that deletes the client's data.
func (h *Handler) settings(w http.ResponseWriter, r *http.Request) {
	h.showSettings(w, r, http.StatusOK, nil, nil)
}

// showSettings draws the settings page with s, or with the settings on file
// when s is nil, and errs next to the fields.
func (h *Handler) showSettings(w http.ResponseWriter, r *http.Request, status int, s *cabinet.Settings, errs Errors) {
	if s == nil {
		resp, err := call[cabinet.GetSettingsResponse](h, r, "GetSettings", &cabinet.GetSettingsRequest{})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		s = &resp.Settings
	}
	consents, err := call[cabinet.GetConsentsResponse](h, r, "GetConsents", &cabinet.GetConsentsRequest{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := settingsView(*s)
	p.Consents = consentRows(consents.Consents)
	h.render(w, r, status, "settings", view{Section: "settings", Errors: errs, Data: p})
}

// saveSettings replaces the settings with the form's; an unticked box is
// a channel turned off.
func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request) {
	on := func(name string) bool { return r.PostFormValue(name) == "on" }
	s := cabinet.Settings{AutoProlongation: on("autoProlongation"), Email: strings.TrimSpace(r.PostFormValue("email"))}
	anyEmail := false
	for _, k := range notificationKinds {
		c := channelsOf(&s, k.key)
		c.SMS, c.Email = on(k.key+".sms"), on(k.key+".email")
		anyEmail = anyEmail || c.Email
	}
	if anyEmail && s.Email == "" {
		h.showSettings(w, r, http.StatusUnprocessableEntity, &s, Errors{"email": "Укажите адрес электронной почты, чтобы получать уведомления по e-mail."})
		return
	}
	if _, err := call[cabinet.UpdateSettingsResponse](h, r, "UpdateSettings", &cabinet.UpdateSettingsRequest{Settings: s}); err != nil {
		errs, ok := formErrors(err, "email")
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showSettings(w, r, http.StatusUnprocessableEntity, &s, errs)
		return
	}
	redirect(w, r, "/settings", "settings")
}
