package client

import (
	"strings"
	"unicode/utf8"
)

// Channels says how a client wants to hear about one kind of news.
type Channels struct {
	SMS   bool `json:"sms"`
	Email bool `json:"email"`
}

// Notifications holds the channels per kind of notification.
type Notifications struct {
	ExpiringPolicy   Channels `json:"expiring_policy"`
	InstallmentDue   Channels `json:"installment_due"`
	ClaimStatus      Channels `json:"claim_status"`
	MissingDocuments Channels `json:"missing_documents"`
	Bonus            Channels `json:"bonus"`
}

// NotificationKind names a kind of notification, as the notification handlers
// and the API spell it.
type NotificationKind string

// Kinds of notification.
const (
	NotifyExpiringPolicy   NotificationKind = "expiring_policy"
	NotifyInstallmentDue   NotificationKind = "installment_due"
	NotifyClaimStatus      NotificationKind = "claim_status"
	NotifyMissingDocuments NotificationKind = "missing_documents"
	NotifyBonus            NotificationKind = "bonus"
)

// Settings are the client's own choices. Settings are comparable with ==.
type Settings struct {
	Notifications    Notifications `json:"notifications"`
	AutoProlongation bool          `json:"auto_prolongation"`
	Email            string        `json:"email,omitempty"`
}

// DefaultSettings are what a new client gets: SMS about their policies and
// claims (the phone is the one contact every client has), nothing by e-mail
// until they give an address, no bonus news, and no automatic renewal, which
// recomputes the price and so must be asked for.
func DefaultSettings() Settings {
	sms := Channels{SMS: true}
	return Settings{Notifications: Notifications{
		ExpiringPolicy:   sms,
		InstallmentDue:   sms,
		ClaimStatus:      sms,
		MissingDocuments: sms,
	}}
}

// Channels returns the channels chosen for a kind of notification; an unknown
// kind has none.
func (s Settings) Channels(kind NotificationKind) Channels {
	switch kind {
	case NotifyExpiringPolicy:
		return s.Notifications.ExpiringPolicy
	case NotifyInstallmentDue:
		return s.Notifications.InstallmentDue
	case NotifyClaimStatus:
		return s.Notifications.ClaimStatus
	case NotifyMissingDocuments:
		return s.Notifications.MissingDocuments
	case NotifyBonus:
		return s.Notifications.Bonus
	}
	return Channels{}
}

func (n Notifications) anyEmail() bool {
	for _, c := range []Channels{n.ExpiringPolicy, n.InstallmentDue, n.ClaimStatus, n.MissingDocuments, n.Bonus} {
		if c.Email {
			return true
		}
	}
	return false
}

// validEmail is a plausibility check, not RFC 5322: one @, something on both
// sides, a dot in the domain, no spaces. The address is proven by the mail
// that reaches it.
func validEmail(s string) bool {
	if len(s) > 254 || !utf8.ValidString(s) || strings.ContainsAny(s, " \t\r\n<>,;\"") {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return false
	}
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.HasPrefix(domain, ".")
}
