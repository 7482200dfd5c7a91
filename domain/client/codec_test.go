package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCodecRoundTrip(t *testing.T) {
	in := now.Add(10 * time.Minute)
	settings := DefaultSettings()
	settings.Email = "a@b.kz"
	settings.Notifications.Bonus = Channels{SMS: true, Email: true}
	settings.AutoProlongation = true

	tests := []struct {
		wire  string
		event Event
		json  string
	}{
		{
			wire:  "client.registered",
			event: Registered{ClientID: clientID, IIN: iin, FirstName: "Айгерим", LastName: "Сапарова", Phone: phone, Source: SourceESBD, KIASClientID: "EKK-1", Settings: DefaultSettings(), RegisteredAt: now},
			json: `{"client_id":"0195a1c2-0000-7000-8000-000000000010","iin":"900115300003","first_name":"Айгерим",
				"last_name":"Сапарова","phone":"+77011234567","source":"esbd","kias_client_id":"EKK-1",
				"settings":{"notifications":{"expiring_policy":{"sms":true,"email":false},"installment_due":{"sms":true,"email":false},
				"claim_status":{"sms":true,"email":false},"missing_documents":{"sms":true,"email":false},"bonus":{"sms":false,"email":false}},
				"auto_prolongation":false},"registered_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.access_code_issued",
			event: AccessCodeIssued{Kind: CodeOneTime, Hash: hmacHash, ExpiresAt: in, IssuedAt: now},
			json:  `{"kind":"one_time","hash":"` + hmacHash + `","expires_at":"2025-03-01T10:10:00Z","issued_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.access_code_issued",
			event: AccessCodeIssued{Kind: CodeChosen, Hash: argon, IssuedAt: now},
			json:  `{"kind":"chosen","hash":"` + argon + `","issued_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.access_code_changed",
			event: AccessCodeChanged{Kind: CodeChosen, Hash: argon, ChangedAt: now},
			json:  `{"kind":"chosen","hash":"` + argon + `","changed_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.login_failed",
			event: LoginFailed{Attempts: 3, FailedAt: now},
			json:  `{"attempts":3,"failed_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.login_succeeded",
			event: LoginSucceeded{SucceededAt: now},
			json:  `{"succeeded_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.login_locked",
			event: LoginLocked{Until: in, LockedAt: now},
			json:  `{"until":"2025-03-01T10:10:00Z","locked_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.phone_changed",
			event: PhoneChanged{Old: phone, New: phone2, ConfirmedByPolicy: "P-1", ChangedAt: now},
			json:  `{"old":"+77011234567","new":"+77777654321","confirmed_by_policy":"P-1","changed_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.settings_changed",
			event: SettingsChanged{Settings: settings, ChangedAt: now},
			json: `{"settings":{"notifications":{"expiring_policy":{"sms":true,"email":false},"installment_due":{"sms":true,"email":false},
				"claim_status":{"sms":true,"email":false},"missing_documents":{"sms":true,"email":false},"bonus":{"sms":true,"email":true}},
				"auto_prolongation":true,"email":"a@b.kz"},"changed_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.consent_given",
			event: ConsentGiven{Purpose: PurposePersonalData, Scope: []string{"iin", "phone"}, ExpiresAt: in, GivenAt: now},
			json:  `{"purpose":"personal_data","scope":["iin","phone"],"expires_at":"2025-03-01T10:10:00Z","given_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.consent_withdrawn",
			event: ConsentWithdrawn{Purpose: PurposeMarketing, WithdrawnAt: now},
			json:  `{"purpose":"marketing","withdrawn_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.erasure_requested",
			event: ErasureRequested{RequestedAt: now},
			json:  `{"requested_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.erasure_deferred",
			event: ErasureDeferred{Reason: ErasureOpenClaim, DeferredAt: now},
			json:  `{"reason":"open_claim","deferred_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "client.erased",
			event: Erased{ErasedAt: now},
			json:  `{"erased_at":"2025-03-01T10:00:00Z"}`,
		},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.wire, func(t *testing.T) {
			typ, data, err := EncodeEvent(tt.event)
			require.NoError(t, err)
			assert.Equal(t, tt.wire, typ)
			assert.JSONEq(t, tt.json, string(data))

			got, err := DecodeEvent(typ, SchemaVersion, data)
			require.NoError(t, err)
			assert.Equal(t, tt.event, got)
		})
		seen[tt.wire] = true
	}
	assert.Len(t, seen, 13, "every event type has a pinned wire name")
}

type strayEvent struct{}

func (strayEvent) eventType() string { return "client.stray" }

func TestCodecRefusesUnknown(t *testing.T) {
	_, _, err := EncodeEvent(strayEvent{})
	assert.ErrorIs(t, err, ErrUnknownEvent)

	_, err = DecodeEvent("client.renamed", SchemaVersion, []byte(`{}`))
	assert.ErrorIs(t, err, ErrUnknownEvent)

	_, err = DecodeEvent(TypeErased, 2, []byte(`{}`))
	assert.ErrorIs(t, err, ErrUnknownEvent)
}

func TestDecodeRefusesInvalidValues(t *testing.T) {
	_, err := DecodeEvent(TypeRegistered, SchemaVersion, []byte(`{"iin":"900115300004"}`))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "900115300004")

	_, err = DecodeEvent(TypePhoneChanged, SchemaVersion, []byte(`{"new":"+79161234567"}`))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "9161234567")
}
