package client

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// maxNameLength bounds a first or last name; KIAS cards hold no more.
const maxNameLength = 100

// Decide checks a command against the client and returns the events it causes.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	if s.Erased() {
		return nil, fmt.Errorf("decide %T: %w", c, ErrErased)
	}
	if reg, ok := c.(RegisterClient); ok {
		return register(s, reg, now)
	}
	if !s.Exists() {
		return nil, fmt.Errorf("decide %T: %w", c, ErrNotRegistered)
	}
	switch c := c.(type) {
	case IssueAccessCode:
		return issueCode(c, now)
	case ChangeAccessCode:
		return changeCode(s, c, now)
	case RecordLoginAttempt:
		return recordLogin(s, c, now)
	case ChangePhone:
		return changePhone(s, c, now)
	case ChangeSettings:
		return changeSettings(s, c, now)
	case GiveConsent:
		return giveConsent(s, c, now)
	case WithdrawConsent:
		return withdrawConsent(s, c, now)
	case RequestErasure:
		return requestErasure(s, c, now)
	case CompleteErasure:
		return completeErasure(s, c, now)
	default:
		return nil, fmt.Errorf("decide %T: %w", c, ErrUnknownCommand)
	}
}

func register(s State, c RegisterClient, now time.Time) ([]Event, error) {
	if s.Exists() {
		return nil, fmt.Errorf("register client: %w", ErrAlreadyRegistered)
	}
	first, last := strings.TrimSpace(c.FirstName), strings.TrimSpace(c.LastName)
	switch {
	case c.ClientID == uuid.Nil:
		return nil, fmt.Errorf("register client: client_id is required: %w", ErrInvalidCommand)
	case c.IIN.IsZero():
		return nil, fmt.Errorf("register client: iin is required: %w", ErrInvalidCommand)
	case first == "" || last == "":
		return nil, fmt.Errorf("register client: first_name and last_name are required: %w", ErrInvalidCommand)
	case utf8.RuneCountInString(first) > maxNameLength || utf8.RuneCountInString(last) > maxNameLength:
		return nil, fmt.Errorf("register client: first_name and last_name take at most %d characters: %w", maxNameLength, ErrInvalidCommand)
	case c.Phone.IsZero():
		return nil, fmt.Errorf("register client: phone is required, the access code is sent by SMS: %w", ErrInvalidCommand)
	case !c.Source.valid():
		return nil, fmt.Errorf("register client: source %q is not one of kias, esbd, purchase, manual: %w", c.Source, ErrInvalidCommand)
	}
	return []Event{Registered{
		ClientID:     c.ClientID,
		IIN:          c.IIN,
		FirstName:    first,
		LastName:     last,
		Phone:        c.Phone,
		Source:       c.Source,
		KIASClientID: strings.TrimSpace(c.KIASClientID),
		Settings:     DefaultSettings(),
		RegisteredAt: now,
	}}, nil
}

func changePhone(s State, c ChangePhone, now time.Time) ([]Event, error) {
	if c.Phone.IsZero() {
		return nil, fmt.Errorf("change phone: phone is required: %w", ErrInvalidCommand)
	}
	if c.Phone == s.Phone {
		return nil, nil
	}
	policy := strings.TrimSpace(c.PolicyNumber)
	if !s.Phone.IsZero() && (policy == "" || !c.PolicyVerified) {
		return nil, fmt.Errorf("change phone: %w", ErrPhoneConfirmationRequired)
	}
	return []Event{PhoneChanged{Old: s.Phone, New: c.Phone, ConfirmedByPolicy: policy, ChangedAt: now}}, nil
}

func changeSettings(s State, c ChangeSettings, now time.Time) ([]Event, error) {
	next := c.Settings
	next.Email = strings.TrimSpace(next.Email)
	if next.Email != "" && !validEmail(next.Email) {
		return nil, fmt.Errorf("change settings: email is not an e-mail address: %w", ErrInvalidSettings)
	}
	if next.Email == "" && next.Notifications.anyEmail() {
		return nil, fmt.Errorf("change settings: e-mail notifications need an email address: %w", ErrInvalidSettings)
	}
	if next == s.Settings {
		return nil, nil
	}
	return []Event{SettingsChanged{Settings: next, ChangedAt: now}}, nil
}
