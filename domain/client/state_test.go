package client

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvolveBuildsTheProfile(t *testing.T) {
	scope := []string{"iin"}
	s := fold(withCode(
		LoginFailed{Attempts: 1, FailedAt: earlier},
		LoginSucceeded{SucceededAt: now},
		PhoneChanged{Old: phone, New: phone2, ConfirmedByPolicy: "P-1", ChangedAt: now},
		SettingsChanged{Settings: Settings{AutoProlongation: true}, ChangedAt: now},
		ConsentGiven{Purpose: PurposeMarketing, Scope: scope, GivenAt: earlier},
		ConsentGiven{Purpose: PurposePersonalData, Scope: scope, GivenAt: earlier},
		ConsentWithdrawn{Purpose: PurposeMarketing, WithdrawnAt: now},
	))
	assert.True(t, s.Exists())
	assert.Equal(t, iin, s.IIN)
	assert.Equal(t, phone2, s.Phone)
	assert.Equal(t, 0, s.FailedAttempts)
	assert.Equal(t, now, s.LastLoginAt)
	assert.True(t, s.Settings.AutoProlongation)
	assert.Equal(t, CodeOneTime, s.Code.Kind)
	assert.Equal(t, hmacHash, s.Code.Hash)
	assert.Equal(t, []Purpose{PurposeMarketing, PurposePersonalData}, s.Purposes())

	m, ok := s.ConsentFor(PurposeMarketing)
	require.True(t, ok)
	assert.False(t, m.Active(now))
	p, ok := s.ConsentFor(PurposePersonalData)
	require.True(t, ok)
	assert.True(t, p.Active(now))
	p.Scope[0] = "changed"
	p2, _ := s.ConsentFor(PurposePersonalData)
	assert.Equal(t, "iin", p2.Scope[0], "ConsentFor hands out a copy")
	_, ok = s.ConsentFor(PurposeThirdParties)
	assert.False(t, ok)
}

func TestChangedCodeHasNoExpiry(t *testing.T) {
	s := fold(withCode(AccessCodeChanged{Kind: CodeChosen, Hash: argon, ChangedAt: now}))
	assert.Equal(t, AccessCode{Kind: CodeChosen, Hash: argon, IssuedAt: now}, s.Code)
	assert.False(t, s.Code.Expired(now.AddDate(10, 0, 0)))
}

func TestErasedStateKeepsNoPersonalData(t *testing.T) {
	s := fold(withCode(
		ConsentGiven{Purpose: PurposeMarketing, Scope: []string{"phone"}, GivenAt: earlier},
		ErasureRequested{RequestedAt: earlier},
		Erased{ErasedAt: now},
	))
	assert.Equal(t, State{ID: clientID, RegisteredAt: earlier, ErasureRequestedAt: earlier, ErasedAt: now}, s)
	assert.True(t, s.Erased())
	assert.False(t, s.ErasurePending())
	assert.True(t, s.Exists())
}

func TestLockWindow(t *testing.T) {
	s := fold(withCode(LoginLocked{Until: now, LockedAt: earlier}))
	assert.True(t, s.Locked(now.Add(-time.Nanosecond)))
	assert.False(t, s.Locked(now))
	assert.False(t, State{}.Locked(now))
}

func TestAccessCodeNeverPrintsItsHash(t *testing.T) {
	s := fold(withCode())
	for _, out := range []string{
		s.Code.String(),
		fmt.Sprintf("%v", s.Code),
		fmt.Sprintf("%+v", s.Code),
		fmt.Sprintf("%#v", s.Code),
		fmt.Sprintf("%v", s),
		fmt.Sprintf("%+v", s),
	} {
		assert.NotContains(t, out, hmacHash)
	}
	assert.Contains(t, s.Code.String(), "one_time access code, expires 2025-03-02T10:00:00Z")
	assert.Equal(t, "no access code", AccessCode{}.String())
	assert.Equal(t, "chosen access code", AccessCode{Kind: CodeChosen, Hash: argon}.String())
}

func TestAccessCodeExpiry(t *testing.T) {
	c := AccessCode{Kind: CodeOneTime, Hash: hmacHash, ExpiresAt: now}
	assert.False(t, c.Expired(now.Add(-time.Second)))
	assert.True(t, c.Expired(now))
}

func TestSettingsChannels(t *testing.T) {
	d := DefaultSettings()
	for _, k := range []NotificationKind{NotifyExpiringPolicy, NotifyInstallmentDue, NotifyClaimStatus, NotifyMissingDocuments} {
		assert.Equal(t, Channels{SMS: true}, d.Channels(k), k)
	}
	assert.Equal(t, Channels{}, d.Channels(NotifyBonus))
	assert.Equal(t, Channels{}, d.Channels("weather"))
	assert.False(t, d.AutoProlongation)
	assert.Empty(t, d.Email)

	s := Settings{Notifications: Notifications{Bonus: Channels{Email: true}}}
	assert.Equal(t, Channels{Email: true}, s.Channels(NotifyBonus))
}

func TestPurposeRequiredByContract(t *testing.T) {
	assert.True(t, PurposePersonalData.RequiredByContract())
	assert.True(t, PurposeThirdParties.RequiredByContract())
	assert.True(t, Purpose("telematics").RequiredByContract())
	assert.False(t, PurposeMarketing.RequiredByContract())
}
