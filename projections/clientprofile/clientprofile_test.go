package clientprofile_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

func TestProfileFollowsTheClient(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := e.register(iinA, phoneA, "Айгерим", "Сапарова")
		code := e.issue(id)
		e.catchUp()

		p := e.get(id)
		assert.Equal(t, clientprofile.Profile{
			ClientID: id, RegisteredAt: start, Source: client.SourceKIAS, KIASClientID: "EKK-900115300003",
			IIN: iinA, Phone: phoneA, PhoneMasked: "+7 701 *** ** 67", FirstName: "Айгерим", LastName: "Сапарова",
			Settings: client.DefaultSettings(),
		}, p)

		// The login by phone goes through this read model as the directory.
		e.clock.Advance(time.Minute)
		loggedIn, res, err := e.clients.Login(ctx, uuid.New(), "8 701 123 45 67", code)
		e.wrote(res, err)
		assert.Equal(t, id, loggedIn)

		settings := client.DefaultSettings()
		settings.Email = "aigerim@example.kz"
		settings.Notifications.Bonus = client.Channels{SMS: true, Email: true}
		settings.AutoProlongation = true
		e.clock.Advance(time.Minute)
		e.wrote(e.clients.ChangeSettings(ctx, uuid.New(), id, settings))
		e.catchUp() // the rest lands in another batch

		yearOn := start.AddDate(1, 0, 0)
		e.wrote(e.clients.GiveConsent(ctx, uuid.New(), id, client.GiveConsent{Purpose: client.PurposePersonalData, Scope: []string{"iin", "phone"}}))
		e.wrote(e.clients.GiveConsent(ctx, uuid.New(), id, client.GiveConsent{Purpose: client.PurposeMarketing, Scope: []string{"phone"}, ExpiresAt: yearOn}))
		e.catchUp() // the withdrawal merges into consents written by an earlier batch
		e.clock.Advance(time.Minute)
		e.wrote(e.clients.WithdrawConsent(ctx, uuid.New(), id, client.PurposeMarketing))
		e.wrote(e.clients.ChangePhone(ctx, uuid.New(), id, phoneA2, "P-1", true))
		e.catchUp()

		p = e.get(id)
		assert.Equal(t, phoneA2, p.Phone)
		assert.Equal(t, "+7 777 *** ** 21", p.PhoneMasked)
		assert.Equal(t, start.Add(time.Minute), p.LastLoginAt)
		assert.Equal(t, settings, p.Settings)
		assert.Equal(t, []clientprofile.Consent{
			{Purpose: client.PurposeMarketing, Scope: []string{"phone"}, GivenAt: start.Add(2 * time.Minute), ExpiresAt: yearOn, WithdrawnAt: start.Add(3 * time.Minute)},
			{Purpose: client.PurposePersonalData, Scope: []string{"iin", "phone"}, GivenAt: start.Add(2 * time.Minute)},
		}, p.Consents)
		assert.False(t, p.Consents[0].Active(start.Add(3*time.Minute)))
		assert.True(t, p.Consents[1].Active(start.Add(3*time.Minute)))
		assert.False(t, p.Locked(start.Add(3*time.Minute)))
		assert.Equal(t, clientprofile.Erasure{}, p.Erasure)
		assert.Equal(t, iinA, p.IIN, "the IIN does not change with the phone")

		got, err := clientprofile.Settings(ctx, e.db, id)
		require.NoError(t, err)
		assert.Equal(t, settings, got)

		_, found := e.byPhone(phoneA)
		assert.False(t, found, "a phone change moves the directory entry")
		moved, found := e.byPhone(phoneA2)
		assert.True(t, found)
		assert.Equal(t, id, moved)

		// A consent given again after its withdrawal is active again.
		e.clock.Advance(time.Minute)
		e.wrote(e.clients.GiveConsent(ctx, uuid.New(), id, client.GiveConsent{Purpose: client.PurposeMarketing, Scope: []string{"phone", "email"}}))
		e.catchUp()
		p = e.get(id)
		assert.Equal(t, clientprofile.Consent{Purpose: client.PurposeMarketing, Scope: []string{"phone", "email"}, GivenAt: start.Add(4 * time.Minute)}, p.Consents[0])
		e.noDrift()
	})
}

func TestLoginLock(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := e.register(iinB, phoneB, "Ерлан", "Ахметов")
		e.issue(id)
		e.catchUp() // the lock lands on a row written by an earlier batch
		for range client.DefaultMaxFailures {
			_, _, err := e.clients.Login(ctx, uuid.New(), iinB.String(), "000000x")
			require.Error(t, err)
		}
		e.sawStream(id)
		e.catchUp()

		p := e.get(id)
		until := start.Add(client.DefaultLockFor)
		assert.Equal(t, until, p.LockedUntil)
		assert.True(t, p.Locked(until.Add(-time.Second)))
		assert.False(t, p.Locked(until))
		assert.True(t, p.LastLoginAt.IsZero())
		e.noDrift()
	})
}

func TestDirectory(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := e.register(iinA, phoneA, "Айгерим", "Сапарова")
		b := e.register(iinB, phoneB, "Ерлан", "Ахметов")
		c := e.register(iinC, phoneB, "Дана", "Ахметова") // a family sharing one number
		e.catchUp()

		d := clientprofile.Directory{Q: e.db}
		tests := []struct {
			name   string
			phone  kz.Phone
			want   uuid.UUID
			wantOK bool
		}{
			{"a client's own number", phoneA, a, true},
			{"a shared number names no login", phoneB, uuid.Nil, false},
			{"an unknown number", kz.MustParsePhone("+7 747 999 99 99"), uuid.Nil, false},
			{"no number", kz.Phone{}, uuid.Nil, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, ok, err := d.ClientByPhone(ctx, tt.phone)
				require.NoError(t, err)
				assert.Equal(t, tt.wantOK, ok)
				assert.Equal(t, tt.want, got)
			})
		}
		// Once one of them moves to a number of their own, both are found.
		e.wrote(e.clients.ChangePhone(ctx, uuid.New(), c, kz.MustParsePhone("+7 775 123 00 00"), "P-7", true))
		e.catchUp()
		got, ok := e.byPhone(phoneB)
		assert.True(t, ok)
		assert.Equal(t, b, got)
		got, ok = e.byPhone(kz.MustParsePhone("+7 775 123 00 00"))
		assert.True(t, ok)
		assert.Equal(t, c, got)
	})
}

func TestUnknownClient(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.register(iinA, phoneA, "Айгерим", "Сапарова")
		e.catchUp()
		stranger := uuid.New()
		_, err := clientprofile.Get(context.Background(), e.db, stranger)
		assert.ErrorIs(t, err, clientprofile.ErrNotFound)
		_, err = clientprofile.Settings(context.Background(), e.db, stranger)
		assert.ErrorIs(t, err, clientprofile.ErrNotFound)
	})
}

var _ commands.ContractLookup = (*contracts)(nil)

// Consents given and withdrawn in one batch, for a client written earlier
// and for one registered in the same batch, give what the aggregate says.
func TestConsentsWithinOneBatch(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		old := e.register(iinA, phoneA, "Айгерим", "Сапарова")
		e.catchUp()
		fresh := e.register(iinB, phoneB, "Ерлан", "Ахметов")
		for _, id := range []uuid.UUID{old, fresh} {
			e.wrote(e.clients.GiveConsent(ctx, uuid.New(), id, client.GiveConsent{Purpose: client.PurposeMarketing, Scope: []string{"phone"}}))
			e.clock.Advance(time.Minute)
			e.wrote(e.clients.WithdrawConsent(ctx, uuid.New(), id, client.PurposeMarketing))
			e.clock.Advance(time.Minute)
			e.wrote(e.clients.GiveConsent(ctx, uuid.New(), id, client.GiveConsent{Purpose: client.PurposeThirdParties, Scope: []string{"iin"}}))
		}
		e.catchUp()
		assert.Equal(t, []clientprofile.Consent{
			{Purpose: client.PurposeMarketing, Scope: []string{"phone"}, GivenAt: start, WithdrawnAt: start.Add(time.Minute)},
			{Purpose: client.PurposeThirdParties, Scope: []string{"iin"}, GivenAt: start.Add(2 * time.Minute)},
		}, e.get(old).Consents)
		assert.Equal(t, []clientprofile.Consent{
			{Purpose: client.PurposeMarketing, Scope: []string{"phone"}, GivenAt: start.Add(2 * time.Minute), WithdrawnAt: start.Add(3 * time.Minute)},
			{Purpose: client.PurposeThirdParties, Scope: []string{"iin"}, GivenAt: start.Add(4 * time.Minute)},
		}, e.get(fresh).Consents)
		e.noDrift()
	})
}

// A client event type this version does not know (one added later) is
// skipped, not a reason to stop.
func TestUnknownClientEventIsSkipped(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		id := e.register(iinA, phoneA, "Айгерим", "Сапарова")
		res, err := e.store.Append(context.Background(), eventstore.StreamName(client.Aggregate, id), eventstore.Exactly(1),
			eventstore.Event{ID: uuid.New(), Type: "client.nickname_changed", SchemaVersion: 1, Data: []byte(`{"nickname":"А"}`), OccurredAt: start})
		require.NoError(t, err)
		e.last = res.Position
		e.catchUp()
		assert.Equal(t, "Айгерим", e.get(id).FirstName)
	})
}
