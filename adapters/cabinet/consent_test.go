package cabinet_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

// clientEvents counts the events of a client's stream.
func clientEvents(t *testing.T, k *cabinettest.Kit, c cabinettest.Client) int {
	t.Helper()
	events, err := k.Store.Load(t.Context(), eventstore.StreamName(client.Aggregate, c.ID), 0)
	require.NoError(t, err)
	return len(events)
}

func TestConsentsGivenAndWithdrawn(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testConsentsGivenAndWithdrawn)
}

func testConsentsGivenAndWithdrawn(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	consents := func() []cabinet.Consent {
		t.Helper()
		return call[cabinet.GetConsentsResponse](t, k, "GetConsents", mine, &cabinet.GetConsentsRequest{}).Consents
	}
	assert.Equal(t, []cabinet.Consent{}, consents(), "no consent on file yet")

	given := call[cabinet.GiveConsentResponse](t, k, "GiveConsent", mine, &cabinet.GiveConsentRequest{
		Purpose: "personal_data", Scope: []string{" phone", "iin", "phone"}}).Consent
	assert.Equal(t, "personal_data", given.Purpose)
	assert.Equal(t, []string{"iin", "phone"}, given.Scope, "trimmed, sorted, once each")
	assert.Equal(t, "active", given.Status)
	assert.WithinDuration(t, k.Now(), dateTime(t, given.GivenAt), 5*time.Second)
	assert.Empty(t, given.ExpiresAt)
	assert.Empty(t, given.WithdrawnAt)
	profile, err := clientprofile.Get(t.Context(), k.DB, c.ID)
	require.NoError(t, err)
	require.Len(t, profile.Consents, 1, "the read models show the consent once GiveConsent answers")
	assert.Equal(t, client.PurposePersonalData, profile.Consents[0].Purpose)

	events := clientEvents(t, k, c)
	again := call[cabinet.GiveConsentResponse](t, k, "GiveConsent", mine, &cabinet.GiveConsentRequest{
		Purpose: "personal_data", Scope: []string{"phone", "iin"}}).Consent
	assert.Equal(t, given, again)
	assert.Equal(t, events, clientEvents(t, k, c), "the same consent given again records nothing")

	expires := k.Now().Add(time.Hour).Truncate(time.Second)
	limited := call[cabinet.GiveConsentResponse](t, k, "GiveConsent", mine, &cabinet.GiveConsentRequest{
		Purpose: "third_parties", Scope: []string{"iin"}, ExpiresAt: cabinet.DateTime(expires.Format(time.RFC3339))}).Consent
	assert.True(t, expires.Equal(dateTime(t, limited.ExpiresAt)))
	call[cabinet.GiveConsentResponse](t, k, "GiveConsent", mine, &cabinet.GiveConsentRequest{Purpose: "marketing", Scope: []string{"phone"}})

	withdrawn := call[cabinet.WithdrawConsentResponse](t, k, "WithdrawConsent", mine, &cabinet.WithdrawConsentRequest{Purpose: "marketing"}).Consent
	assert.Equal(t, "withdrawn", withdrawn.Status)
	assert.WithinDuration(t, k.Now(), dateTime(t, withdrawn.WithdrawnAt), 5*time.Second)
	events = clientEvents(t, k, c)
	assert.Equal(t, withdrawn, call[cabinet.WithdrawConsentResponse](t, k, "WithdrawConsent", mine, &cabinet.WithdrawConsentRequest{Purpose: "marketing"}).Consent)
	assert.Equal(t, events, clientEvents(t, k, c), "withdrawing again records nothing")

	k.Advance(2 * time.Hour)
	list := consents()
	require.Len(t, list, 3)
	var purposes, statuses []string
	for _, x := range list {
		purposes, statuses = append(purposes, x.Purpose), append(statuses, x.Status)
	}
	assert.Equal(t, []string{"marketing", "personal_data", "third_parties"}, purposes, "by purpose")
	assert.Equal(t, []string{"withdrawn", "active", "expired"}, statuses)

	// Withdrawn personal data consent stops the sending to KIAS at once.
	call[cabinet.WithdrawConsentResponse](t, k, "WithdrawConsent", mine, &cabinet.WithdrawConsentRequest{Purpose: "personal_data"})
	wantError(t, refused(t, k, "UpdatePersonalData", mine, &cabinet.UpdatePersonalDataRequest{
		PersonalData: cabinet.PersonalData{LastName: c.LastName, FirstName: c.FirstName}}), cabinet.CodeConsentRequired, "")
}

func TestAConsentAContractNeedsCannotBeWithdrawn(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testAConsentAContractNeedsCannotBeWithdrawn)
}

func testAConsentAContractNeedsCannotBeWithdrawn(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	for _, p := range []string{"personal_data", "third_parties", "marketing"} {
		call[cabinet.GiveConsentResponse](t, k, "GiveConsent", mine, &cabinet.GiveConsentRequest{Purpose: p, Scope: []string{"iin", "name"}})
	}
	k.Policy(t, c, cabinettest.PolicyOptions{})

	for _, p := range []string{"personal_data", "third_parties"} {
		e := refused(t, k, "WithdrawConsent", mine, &cabinet.WithdrawConsentRequest{Purpose: p})
		wantError(t, e, cabinet.CodeConsentRequiredByContract, "purpose")
		assert.Equal(t, 409, e.Status())
	}
	marketing := call[cabinet.WithdrawConsentResponse](t, k, "WithdrawConsent", mine, &cabinet.WithdrawConsentRequest{Purpose: "marketing"}).Consent
	assert.Equal(t, "withdrawn", marketing.Status, "marketing is no contract's business")
	for _, x := range call[cabinet.GetConsentsResponse](t, k, "GetConsents", mine, &cabinet.GetConsentsRequest{}).Consents {
		if x.Purpose != "marketing" {
			assert.Equal(t, "active", x.Status, x.Purpose)
		}
	}
}

func TestConsentRequestsNameTheFieldAtFault(t *testing.T) {
	t.Parallel()
	k := newKit(t, cabinettest.Options{SQLite: true})
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	past := cabinet.DateTime(k.Now().Add(-time.Minute).Format(time.RFC3339))
	for _, tc := range []struct {
		name  string
		op    string
		req   any
		code  cabinet.Code
		field string
	}{
		{"no purpose", "GiveConsent", &cabinet.GiveConsentRequest{Scope: []string{"iin"}}, cabinet.CodeInvalidArgument, "purpose"},
		{"an unknown purpose", "GiveConsent", &cabinet.GiveConsentRequest{Purpose: "research", Scope: []string{"iin"}}, cabinet.CodeInvalidArgument, "purpose"},
		{"no scope", "GiveConsent", &cabinet.GiveConsentRequest{Purpose: "marketing"}, cabinet.CodeInvalidArgument, "scope"},
		{"an empty category", "GiveConsent", &cabinet.GiveConsentRequest{Purpose: "marketing", Scope: []string{"phone", " "}}, cabinet.CodeInvalidArgument, "scope[1]"},
		{"too many categories", "GiveConsent", &cabinet.GiveConsentRequest{Purpose: "marketing", Scope: make([]string, 21)}, cabinet.CodeInvalidArgument, "scope"},
		{"an expiry that is no time", "GiveConsent", &cabinet.GiveConsentRequest{Purpose: "marketing", Scope: []string{"phone"}, ExpiresAt: "next year"}, cabinet.CodeInvalidArgument, "expiresAt"},
		{"an expiry in the past", "GiveConsent", &cabinet.GiveConsentRequest{Purpose: "marketing", Scope: []string{"phone"}, ExpiresAt: past}, cabinet.CodeInvalidArgument, "expiresAt"},
		{"no purpose to withdraw", "WithdrawConsent", &cabinet.WithdrawConsentRequest{}, cabinet.CodeInvalidArgument, "purpose"},
		{"a consent never given", "WithdrawConsent", &cabinet.WithdrawConsentRequest{Purpose: "third_parties"}, cabinet.CodeNotFound, "purpose"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, refused(t, k, tc.op, mine, tc.req), tc.code, tc.field)
		})
	}
	assert.Equal(t, []cabinet.Consent{}, call[cabinet.GetConsentsResponse](t, k, "GetConsents", mine, &cabinet.GetConsentsRequest{}).Consents)
}
