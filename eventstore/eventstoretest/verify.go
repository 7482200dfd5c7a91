package eventstoretest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
)

func testVerifyIntact(t *testing.T, newBackend Factory) {
	s := newBackend(t, nil).Store
	ctx := ctxT(t)
	require.NoError(t, s.Verify(ctx, ""), "an empty store verifies")
	a, b := newStream("a"), newStream("b")
	mustAppend(t, s, a, eventstore.NoStream, newEvents(3)...)
	mustAppend(t, s, b, eventstore.NoStream, newEvents(1)...)
	mustAppend(t, s, a, eventstore.Exactly(3), newEvents(2)...)
	assert.NoError(t, s.Verify(ctx, a))
	assert.NoError(t, s.Verify(ctx, ""))
	assert.ErrorIs(t, s.Verify(ctx, newStream("a")), eventstore.ErrStreamNotFound)

	got, err := s.Load(ctx, a, 0)
	require.NoError(t, err)
	var prev []byte
	for _, e := range got {
		_, meta := eventstore.Canonical(e.Event)
		digest := eventstore.Digest(e.ID, e.Stream, e.Type, e.SchemaVersion, e.Data, meta, e.OccurredAt)
		assert.Equal(t, eventstore.ChainHash(prev, e.Version, e.RecordedAt, digest), e.Hash,
			"version %d: the stored hash is ChainHash over the envelope", e.Version)
		prev = e.Hash
	}
}

func testVerifyTampered(t *testing.T, newBackend Factory) {
	cases := []struct {
		name        string
		tamper      func(Tamperer, string) error
		wantVersion int64
	}{
		{"payload changed", func(tp Tamperer, s string) error { return tp.SetData(s, 3, []byte(`{"n":0}`)) }, 3},
		{"middle event deleted", func(tp Tamperer, s string) error { return tp.Delete(s, 2) }, 2},
		{"last event deleted", func(tp Tamperer, s string) error { return tp.Delete(s, 5) }, 5},
		{"first event deleted", func(tp Tamperer, s string) error { return tp.Delete(s, 1) }, 1},
		{"events swapped", func(tp Tamperer, s string) error { return tp.Swap(s, 2, 4) }, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, nil)
			require.NotNil(t, b.Tamper, "the backend must provide a Tamperer")
			ctx := ctxT(t)
			victim, bystander := newStream("policy"), newStream("policy")
			mustAppend(t, b.Store, bystander, eventstore.NoStream, newEvents(2)...)
			mustAppend(t, b.Store, victim, eventstore.NoStream, newEvents(5)...)
			require.NoError(t, b.Store.Verify(ctx, ""))

			require.NoError(t, tc.tamper(b.Tamper, victim))
			for _, scope := range []string{victim, ""} {
				err := b.Store.Verify(ctx, scope)
				require.ErrorIs(t, err, eventstore.ErrChainBroken, "verify %q", scope)
				var ce *eventstore.ChainError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, victim, ce.Stream)
				assert.Equal(t, tc.wantVersion, ce.Version, "the first broken link: %v", err)
			}
			assert.NoError(t, b.Store.Verify(ctx, bystander), "other streams still verify")
		})
	}
}
