package pii_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/eventstoretest"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/pii"
)

const (
	iin   = "900115300003"
	phone = "+77011234567"
	first = "Айгерим"
	last  = "Нурланова"
	email = "aigerim@example.kz"
)

func masterKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, pii.KeySize)
	_, _ = rand.Read(k)
	return k
}

func wrap(t *testing.T, b dbtest.Backend, master []byte) *pii.Store {
	t.Helper()
	keys, err := pii.NewKeyring(b.DB, master)
	require.NoError(t, err)
	return pii.Wrap(b.Store, pii.NewSealer(keys, pii.Rules()...))
}

func registered(t testing.TB, clientID uuid.UUID) eventstore.Event {
	t.Helper()
	ev := client.Registered{
		ClientID: clientID, IIN: kz.MustParseIIN(iin), FirstName: first, LastName: last, Phone: kz.MustParsePhone(phone),
		Source: client.SourceKIAS, Settings: client.Settings{Email: email}, RegisteredAt: time.Now().UTC(),
	}
	typ, data, err := client.EncodeEvent(ev)
	require.NoError(t, err)
	return eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: 1, Data: data, OccurredAt: ev.RegisteredAt}
}

// stored is every payload as the events table keeps it.
func stored(t *testing.T, b dbtest.Backend) [][]byte {
	t.Helper()
	rows, err := b.DB.Query(context.Background(), `SELECT data FROM events`)
	require.NoError(t, err)
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var p []byte
		require.NoError(t, rows.Scan(&p))
		out = append(out, p)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestSealOpenAndErase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		st := wrap(t, b, masterKey(t))
		id := uuid.New()
		stream := eventstore.StreamName(client.Aggregate, id)
		in := registered(t, id)
		plain := bytes.Clone(in.Data)
		_, err := st.Append(ctx, stream, eventstore.NoStream, in)
		require.NoError(t, err)
		assert.Equal(t, plain, []byte(in.Data), "the caller's event is not changed")
		again, err := st.Append(ctx, stream, eventstore.NoStream, in)
		require.NoError(t, err, "a retried append seals to the same bytes")
		assert.True(t, again.Duplicate)

		for _, p := range stored(t, b) {
			for _, s := range []string{iin, phone, "77011234567", first, last, email} {
				assert.NotContains(t, string(p), s, "stored payload")
			}
		}

		got, err := st.Load(ctx, stream, 1)
		require.NoError(t, err)
		require.Len(t, got, 1)
		ev, err := client.DecodeEvent(got[0].Type, got[0].SchemaVersion, got[0].Data)
		require.NoError(t, err)
		reg := ev.(client.Registered)
		assert.Equal(t, iin, reg.IIN.String())
		assert.Equal(t, first, reg.FirstName)
		assert.Equal(t, last, reg.LastName)
		assert.Equal(t, email, reg.Settings.Email)
		assert.Equal(t, client.SourceKIAS, reg.Source, "members that are not personal are untouched")

		all := eventstoretest.ReadVisible(t, st, eventstore.Position{}, 10, 1)
		require.Len(t, all, 1)
		assert.JSONEq(t, string(got[0].Data), string(all[0].Data))

		require.NoError(t, st.Sealer().Keys().Destroy(ctx, id))
		require.NoError(t, st.Sealer().Keys().Destroy(ctx, id), "destroying twice")

		got, err = st.Load(ctx, stream, 1)
		require.NoError(t, err)
		ev, err = client.DecodeEvent(got[0].Type, got[0].SchemaVersion, got[0].Data)
		require.NoError(t, err)
		reg = ev.(client.Registered)
		assert.True(t, reg.IIN.IsZero())
		assert.Empty(t, reg.FirstName+reg.LastName+reg.Settings.Email)
		assert.True(t, reg.Phone.IsZero())
		assert.Equal(t, id, reg.ClientID)
		assert.NotContains(t, string(got[0].Data), "personal", "the sealed member is not shown to readers")

		// A fresh process (no cache) reads the same.
		fresh := wrap(t, b, masterKey(t))
		got, err = fresh.Load(ctx, stream, 1)
		require.NoError(t, err)
		assert.NotContains(t, string(got[0].Data), first)

		// Nothing more can be sealed for the erased client.
		_, err = st.Append(ctx, stream, eventstore.Exactly(1), phoneChanged(t))
		assert.ErrorIs(t, err, pii.ErrErased)

		// The chain is over the stored bytes: erasure does not break it.
		require.NoError(t, b.Store.Verify(ctx, stream))
	})
}

func phoneChanged(t *testing.T) eventstore.Event {
	t.Helper()
	typ, data, err := client.EncodeEvent(client.PhoneChanged{Old: kz.MustParsePhone(phone), New: kz.MustParsePhone("+77017654321"), ChangedAt: time.Now().UTC()})
	require.NoError(t, err)
	return eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: 1, Data: data, OccurredAt: time.Now()}
}

func TestPolicyAndClaimOwnerFromPayload(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		st := wrap(t, b, masterKey(t))
		holder, other := uuid.New(), uuid.New()
		issued := policy.Issued{
			PolicyID: uuid.New(), Product: policy.ProductOGPOVTS, Number: "OGPO-1",
			Holder:   policy.Holder{ClientID: holder, IIN: kz.MustParseIIN(iin), Name: first + " " + last},
			Drivers:  []policy.Person{{Name: "Ерлан Сериков"}},
			Vehicle:  policy.Vehicle{Make: "Toyota", Model: "Camry", Plate: "123ABC02", VIN: "JTNB11HK103456789"},
			IssuedAt: time.Now().UTC(),
		}
		typ, data, err := policy.EncodeEvent(issued)
		require.NoError(t, err)
		pe := eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: 1, Data: data, OccurredAt: time.Now()}
		_, err = st.Append(ctx, eventstore.StreamName(policy.Aggregate, issued.PolicyID), eventstore.NoStream, pe)
		require.NoError(t, err)

		typ, data, err = claim.EncodeEvent(claim.Reported{ClaimID: uuid.New(), ClientID: other, PolicyID: issued.PolicyID,
			Number: "CL-1", Kind: "road_accident", Description: "наезд у дома Ерлана", ReportedAt: time.Now().UTC()})
		require.NoError(t, err)
		ce := eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: 1, Data: data, OccurredAt: time.Now()}
		_, err = st.Append(ctx, "claim-"+uuid.NewString(), eventstore.NoStream, ce)
		require.NoError(t, err)

		for _, p := range stored(t, b) {
			for _, s := range []string{iin, first, "Ерлан", "123ABC02", "JTNB11HK103456789", "Camry"} {
				assert.NotContains(t, string(p), s)
			}
		}
		assert.Contains(t, string(stored(t, b)[0]), "OGPO-1", "the number is not personal")

		// Erasing the claimant leaves the holder's policy readable.
		require.NoError(t, st.Sealer().Keys().Destroy(ctx, other))
		all := eventstoretest.ReadVisible(t, st, eventstore.Position{}, 10, 2)
		require.Len(t, all, 2)
		pev, err := policy.DecodeEvent(all[0].Type, all[0].SchemaVersion, all[0].Data)
		require.NoError(t, err)
		assert.Equal(t, issued.Holder, pev.(policy.Issued).Holder)
		assert.Equal(t, issued.Vehicle, pev.(policy.Issued).Vehicle)
		assert.Equal(t, issued.Drivers, pev.(policy.Issued).Drivers)
		cev, err := claim.DecodeEvent(all[1].Type, all[1].SchemaVersion, all[1].Data)
		require.NoError(t, err)
		assert.Empty(t, cev.(claim.Reported).Description)
		assert.Equal(t, "CL-1", cev.(claim.Reported).Number)
	})
}

// oneRegistration is an SQLite store with one client's registration
// sealed in it.
func oneRegistration(t *testing.T) (dbtest.Backend, *pii.Store, string) {
	t.Helper()
	b := dbtest.SQLite(t)
	st := wrap(t, b, masterKey(t))
	id := uuid.New()
	stream := eventstore.StreamName(client.Aggregate, id)
	_, err := st.Append(context.Background(), stream, eventstore.NoStream, registered(t, id))
	require.NoError(t, err)
	return b, st, stream
}

func TestBoxMovedToAnotherEventDoesNotOpen(t *testing.T) {
	b, st, stream := oneRegistration(t)
	got, err := b.Store.Load(context.Background(), stream, 1)
	require.NoError(t, err)
	moved := got[0]
	moved.ID = uuid.New()
	err = st.Sealer().Open(context.Background(), &moved)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), iin)
}

func TestWrongMasterKeyIsNamed(t *testing.T) {
	b, st, stream := oneRegistration(t)
	require.NoError(t, st.Sealer().Keys().Check(context.Background()))
	wrong := wrap(t, b, masterKey(t))
	_, err := wrong.Load(context.Background(), stream, 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "KABINET_MASTER_KEY")
	err = wrong.Sealer().Keys().Check(context.Background())
	require.Error(t, err, "a wrong master key is refused at start")
	assert.Contains(t, err.Error(), "KABINET_MASTER_KEY")
}

func TestAMissingKeyIsNotReadAsErased(t *testing.T) {
	b, _, stream := oneRegistration(t)
	_, err := b.DB.Exec(context.Background(), `DELETE FROM client_keys`)
	require.NoError(t, err)
	fresh := wrap(t, b, masterKey(t))
	_, err = fresh.Load(context.Background(), stream, 1)
	require.ErrorContains(t, err, "no data key")
}

func TestConcurrentFirstUseMakesOneKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		master := masterKey(t)
		id := uuid.New()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := wrap(t, b, master) // a cache of its own, like another process
				_, err := st.Append(ctx, eventstore.StreamName(client.Aggregate, id), eventstore.Any, phoneChanged(t))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		var n int
		require.NoError(t, b.DB.QueryRow(ctx, `SELECT count(*) FROM client_keys`).Scan(&n))
		assert.Equal(t, 1, n)
		got, err := wrap(t, b, master).Load(ctx, eventstore.StreamName(client.Aggregate, id), 1)
		require.NoError(t, err)
		assert.Len(t, got, 8)
		for _, e := range got {
			assert.Contains(t, string(e.Data), "+77017654321")
		}
	})
}

func TestNewKeyringRefusesAShortKey(t *testing.T) {
	_, err := pii.NewKeyring(dbtest.SQLite(t).DB, make([]byte, 16))
	require.Error(t, err)
	assert.False(t, errors.Is(err, pii.ErrErased))
}

func TestBlobsAreSealedAndShredded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		keys, err := pii.NewKeyring(b.DB, masterKey(t))
		require.NoError(t, err)
		id := uuid.New()
		scan := []byte("%PDF-1.4 удостоверение личности " + iin)
		box, err := keys.SealBlob(ctx, id, "scan-1", scan)
		require.NoError(t, err)
		assert.NotContains(t, string(box), iin)
		got, err := keys.OpenBlob(ctx, id, "scan-1", box)
		require.NoError(t, err)
		assert.Equal(t, scan, got)
		_, err = keys.OpenBlob(ctx, id, "scan-2", box)
		require.Error(t, err, "a box under another name does not open")

		require.NoError(t, keys.Destroy(ctx, id))
		_, err = keys.OpenBlob(ctx, id, "scan-1", box)
		require.ErrorIs(t, err, pii.ErrErased)
		_, err = keys.SealBlob(ctx, id, "scan-3", scan)
		require.ErrorIs(t, err, pii.ErrErased)
	})
}

// TestAKeyDestroyedElsewhereSealsNothingMore: sealing asks the table, not
// the cache, so a process whose cache still holds a key another process
// destroyed refuses to seal for the erased client.
func TestAKeyDestroyedElsewhereSealsNothingMore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		master := masterKey(t)
		here, there := wrap(t, b, master), wrap(t, b, master)
		id := uuid.New()
		stream := eventstore.StreamName(client.Aggregate, id)
		_, err := here.Append(ctx, stream, eventstore.NoStream, registered(t, id))
		require.NoError(t, err)
		_, err = here.Load(ctx, stream, 1) // the key is in here's cache now
		require.NoError(t, err)

		require.NoError(t, there.Sealer().Keys().Destroy(ctx, id))
		_, err = here.Append(ctx, stream, eventstore.Exactly(1), phoneChanged(t))
		require.ErrorIs(t, err, pii.ErrErased)
	})
}
