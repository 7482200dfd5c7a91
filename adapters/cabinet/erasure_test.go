package cabinet_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

// erasure is where the read models say a client's erasure stands.
func erasure(t *testing.T, k *cabinettest.Kit, c cabinettest.Client) clientprofile.ErasureState {
	t.Helper()
	p, err := clientprofile.Get(t.Context(), k.DB, c.ID)
	require.NoError(t, err)
	return p.Erasure.State
}

// finish runs the sweep's completion of waiting erasures.
func finish(t *testing.T, k *cabinettest.Kit) int {
	t.Helper()
	n, err := k.Service.FinishErasures(t.Context())
	require.NoError(t, err)
	return n
}

// gone checks that an erased client's sessions ended and that their login
// no longer opens one, while their events stay and still verify.
func gone(t *testing.T, k *cabinettest.Kit, c cabinettest.Client, sessions ...cabinet.Credentials) {
	t.Helper()
	for _, s := range sessions {
		wantError(t, refused(t, k, "GetPolicy", s, &cabinet.GetPolicyRequest{PolicyID: uuid.NewString()}), cabinet.CodeSessionRequired, "")
		wantError(t, refused(t, k, "RequestErasure", s, &cabinet.RequestErasureRequest{}), cabinet.CodeSessionRequired, "")
	}
	for _, login := range []string{c.IIN.String(), c.Phone.String()} {
		wantError(t, refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: login, AccessCode: c.Code}), cabinet.CodeInvalidCredentials, "")
	}
	assert.Equal(t, clientprofile.ErasureErased, erasure(t, k, c), "the read models show it once the operation answers")
	stream := eventstore.StreamName(client.Aggregate, c.ID)
	events, err := k.Store.Load(t.Context(), stream, 0)
	require.NoError(t, err)
	assert.Equal(t, client.TypeErased, events[len(events)-1].Type)
	assert.Equal(t, client.TypeRegistered, events[0].Type, "the events stay")
	v, ok := k.Store.(interface {
		Verify(ctx context.Context, stream string) error
	})
	require.True(t, ok, "%T verifies its chains", k.Store)
	assert.NoError(t, v.Verify(t.Context(), stream), "the chain still verifies")
}

func TestErasureWithNothingInForceIsDoneAtOnce(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testErasureWithNothingInForceIsDoneAtOnce)
}

func testErasureWithNothingInForceIsDoneAtOnce(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c, other := k.Client(t), k.Client(t)
	k.Policy(t, c, cabinettest.PolicyOptions{StartsOn: policy.DateOf(k.Now()).AddDays(-400), EndsOn: policy.DateOf(k.Now()).AddDays(-36)})
	mine := session(k, c.Session.SessionToken)
	second := session(k, login(t, k, c.Phone.String(), c.Code).Token)

	got := call[cabinet.RequestErasureResponse](t, k, "RequestErasure", mine, &cabinet.RequestErasureRequest{})
	assert.Equal(t, cabinet.RequestErasureResponse{Status: "erased"}, *got, "a policy that ended holds nothing back")
	assert.Equal(t, []uuid.UUID{c.ID}, k.Keys.Destroyed(), "the client's data key is destroyed")
	gone(t, k, c, mine, second)

	again := call[cabinet.EraseClientResponse](t, k, "EraseClient", k.Insurer(), &cabinet.EraseClientRequest{IIN: c.IIN.String()})
	assert.Equal(t, cabinet.EraseClientResponse{ClientID: c.ID.String(), Status: "erased"}, *again)
	assert.Len(t, k.Keys.Destroyed(), 1, "asking again destroys nothing more")
	assert.Zero(t, finish(t, k))

	call[cabinet.GetSettingsResponse](t, k, "GetSettings", session(k, other.Session.SessionToken), &cabinet.GetSettingsRequest{})
	assert.Equal(t, clientprofile.ErasureNone, erasure(t, k, other), "other clients stay")
}

func TestErasureWaitsForThePolicyToEnd(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testErasureWaitsForThePolicyToEnd)
}

func testErasureWaitsForThePolicyToEnd(t *testing.T, o cabinettest.Options) {
	o.Config.SessionTTL = 30 * 24 * time.Hour // the session outlives the policy
	k := newKit(t, o)
	c := k.Client(t)
	today := policy.DateOf(k.Now())
	k.Policy(t, c, cabinettest.PolicyOptions{StartsOn: today.AddDays(-30), EndsOn: today.AddDays(3)})
	mine := session(k, c.Session.SessionToken)

	deferred := cabinet.RequestErasureResponse{Status: "deferred", Reason: "active_policy"}
	assert.Equal(t, deferred, *call[cabinet.RequestErasureResponse](t, k, "RequestErasure", mine, &cabinet.RequestErasureRequest{}))
	assert.Equal(t, clientprofile.ErasureDeferred, erasure(t, k, c))
	events := clientEvents(t, k, c)
	assert.Equal(t, deferred, *call[cabinet.RequestErasureResponse](t, k, "RequestErasure", mine, &cabinet.RequestErasureRequest{}))
	assert.Equal(t, events, clientEvents(t, k, c), "asking again while it waits records nothing")
	assert.Empty(t, k.Keys.Destroyed())
	call[cabinet.GetSettingsResponse](t, k, "GetSettings", mine, &cabinet.GetSettingsRequest{})

	assert.Zero(t, finish(t, k), "the policy is still in force")
	assert.Equal(t, clientprofile.ErasureDeferred, erasure(t, k, c))

	k.Advance(5 * 24 * time.Hour) // past the policy's last day in any time zone
	call[cabinet.GetSettingsResponse](t, k, "GetSettings", mine, &cabinet.GetSettingsRequest{})
	assert.Equal(t, 1, finish(t, k), "the sweep completes it once the policy has ended")
	assert.Equal(t, []uuid.UUID{c.ID}, k.Keys.Destroyed())
	gone(t, k, c, mine)
	assert.Zero(t, finish(t, k), "nothing waits any more")
	assert.Len(t, k.Keys.Destroyed(), 1)
}

func TestErasureWaitsForTheClaimToClose(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testErasureWaitsForTheClaimToClose)
}

func testErasureWaitsForTheClaimToClose(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	today := policy.DateOf(k.Now())
	p := k.Policy(t, c, cabinettest.PolicyOptions{StartsOn: today.AddDays(-400), EndsOn: today.AddDays(-36)})
	cl := k.Claim(t, c, p)
	mine := session(k, c.Session.SessionToken)

	byID := &cabinet.EraseClientRequest{ClientID: c.ID.String()}
	deferred := cabinet.EraseClientResponse{ClientID: c.ID.String(), Status: "deferred", Reason: "open_claim"}
	assert.Equal(t, deferred, *call[cabinet.EraseClientResponse](t, k, "EraseClient", k.Insurer(), byID))
	events := clientEvents(t, k, c)
	assert.Equal(t, deferred, *call[cabinet.EraseClientResponse](t, k, "EraseClient", k.Insurer(), byID))
	assert.Equal(t, events, clientEvents(t, k, c), "the same request sent twice is recorded once")
	assert.Equal(t, cabinet.RequestErasureResponse{Status: "deferred", Reason: "open_claim"},
		*call[cabinet.RequestErasureResponse](t, k, "RequestErasure", mine, &cabinet.RequestErasureRequest{}),
		"the client's own request joins the office's")
	assert.Zero(t, finish(t, k))

	call[cabinet.ChangeClaimStatusResponse](t, k, "ChangeClaimStatus", k.Insurer(), &cabinet.ChangeClaimStatusRequest{Number: cl.Number, Status: "withdrawn"})
	assert.Equal(t, 1, finish(t, k), "the sweep completes it once the claim is closed")
	gone(t, k, c, mine)
	assert.Equal(t, cabinet.EraseClientResponse{ClientID: c.ID.String(), Status: "erased"},
		*call[cabinet.EraseClientResponse](t, k, "EraseClient", k.Insurer(), byID))
	assert.Equal(t, []uuid.UUID{c.ID}, k.Keys.Destroyed())
}

// A deferral names what holds the erasure back now: once the policy has
// ended, an open claim.
func TestADeferredErasureSaysWhatHoldsItBackNow(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c := k.Client(t)
	today := policy.DateOf(k.Now())
	p := k.Policy(t, c, cabinettest.PolicyOptions{StartsOn: today.AddDays(-30), EndsOn: today.AddDays(3)})
	k.Claim(t, c, p)
	ask := &cabinet.EraseClientRequest{IIN: c.IIN.String()}
	assert.Equal(t, "active_policy", call[cabinet.EraseClientResponse](t, k, "EraseClient", k.Insurer(), ask).Reason)
	k.Advance(5 * 24 * time.Hour)
	assert.Zero(t, finish(t, k))
	assert.Equal(t, "open_claim", call[cabinet.EraseClientResponse](t, k, "EraseClient", k.Insurer(), ask).Reason)
}

// When the key store fails nothing is recorded as erased; the sweep tries
// again and completes it.
func TestAnErasureWhoseKeySurvivedIsTriedAgain(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testAnErasureWhoseKeySurvivedIsTriedAgain)
}

func testAnErasureWhoseKeySurvivedIsTriedAgain(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	k.Keys.FailWith(errors.New("key store down"))

	_, err := k.Call(t.Context(), "RequestErasure", mine, &cabinet.RequestErasureRequest{})
	require.Error(t, err)
	e, known := cabinet.ErrorOf(err)
	assert.False(t, known, "%v", err)
	assert.Equal(t, cabinet.CodeInternal, e.Code)
	assert.Equal(t, clientprofile.ErasureRequested, erasure(t, k, c), "requested, not erased")
	call[cabinet.GetSettingsResponse](t, k, "GetSettings", mine, &cabinet.GetSettingsRequest{})

	n, err := k.Service.FinishErasures(t.Context())
	assert.Error(t, err)
	assert.Zero(t, n)

	k.Keys.FailWith(nil)
	assert.Equal(t, 1, finish(t, k))
	assert.Equal(t, []uuid.UUID{c.ID}, k.Keys.Destroyed())
	gone(t, k, c, mine)
}

func TestEraseClientNamesTheFieldAtFault(t *testing.T) {
	t.Parallel()
	k := newKit(t, cabinettest.Options{SQLite: true})
	c := k.Client(t)
	for _, tc := range []struct {
		name  string
		req   cabinet.EraseClientRequest
		code  cabinet.Code
		field string
	}{
		{"neither", cabinet.EraseClientRequest{}, cabinet.CodeInvalidArgument, "iin"},
		{"both", cabinet.EraseClientRequest{IIN: c.IIN.String(), ClientID: c.ID.String()}, cabinet.CodeInvalidArgument, "clientId"},
		{"a malformed IIN", cabinet.EraseClientRequest{IIN: "12345"}, cabinet.CodeInvalidArgument, "iin"},
		{"a malformed client ID", cabinet.EraseClientRequest{ClientID: "client-1"}, cabinet.CodeInvalidArgument, "clientId"},
		{"an IIN nobody registered", cabinet.EraseClientRequest{IIN: cabinettest.NewIIN().String()}, cabinet.CodeNotFound, "iin"},
		{"an unknown client ID", cabinet.EraseClientRequest{ClientID: uuid.NewString()}, cabinet.CodeNotFound, "clientId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, refused(t, k, "EraseClient", k.Insurer(), &tc.req), tc.code, tc.field)
		})
	}
	assert.Empty(t, k.Keys.Destroyed())
	assert.Equal(t, clientprofile.ErasureNone, erasure(t, k, c))
}
