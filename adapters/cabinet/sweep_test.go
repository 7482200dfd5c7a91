package cabinet_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

// Sweep clears expired sessions, registrations and closed rate-limit
// windows, and leaves whatever may still be used.
func TestSweepClearsOnlyWhatExpired(t *testing.T) {
	eachDatabase(t, testSweepClearsOnlyWhatExpired)
}

func testSweepClearsOnlyWhatExpired(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	ctx := context.Background()
	c := k.Client(t) // a live session
	call[cabinet.StartRegistrationResponse](t, k, "StartRegistration", k.Website(), &cabinet.StartRegistrationRequest{IIN: "851231400001"})
	count := func(table string) int {
		var n int
		require.NoError(t, k.DB.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n))
		return n
	}
	sessions, registrations, limits := count("sessions"), count("registrations"), count("rate_limits")
	require.Positive(t, registrations)
	require.Positive(t, limits)

	n, err := k.Service.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing has expired yet")

	k.Advance(13 * time.Hour) // past the registration, and the 12-hour session by an hour
	n, err = k.Service.Sweep(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, registrations, n, "sessions stay a day past their expiry, rate-limit windows a day past their start")
	assert.Equal(t, sessions, count("sessions"))
	assert.Equal(t, limits, count("rate_limits"))

	k.Advance(24 * time.Hour) // a day more
	n, err = k.Service.Sweep(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, sessions+limits, n)
	assert.Zero(t, count("sessions")+count("registrations")+count("rate_limits"))
	_, err = k.Call(ctx, "GetSettings", c.Session, &cabinet.GetSettingsRequest{})
	e, _ := cabinet.ErrorOf(err)
	assert.Equal(t, cabinet.CodeSessionRequired, e.Code)
}

// The periodic sweep completes the erasures that no longer have to wait,
// beginning with its first round.
func TestRunSweeperFinishesErasures(t *testing.T) {
	t.Parallel()
	k := newKit(t, cabinettest.Options{SQLite: true})
	c := k.Client(t)
	today := policy.DateOf(k.Now())
	k.Policy(t, c, cabinettest.PolicyOptions{StartsOn: today.AddDays(-30), EndsOn: today.AddDays(3)})
	got := call[cabinet.RequestErasureResponse](t, k, "RequestErasure", session(k, c.Session.SessionToken), &cabinet.RequestErasureRequest{})
	require.Equal(t, "deferred", got.Status)
	k.Advance(5 * 24 * time.Hour)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- k.Service.RunSweeper(ctx) }()
	require.Eventually(t, func() bool {
		p, err := clientprofile.Get(ctx, k.DB, c.ID)
		return err == nil && p.Erased()
	}, 20*time.Second, 10*time.Millisecond, "the sweep did not complete the erasure")
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	assert.Equal(t, []uuid.UUID{c.ID}, k.Keys.Destroyed())
}
