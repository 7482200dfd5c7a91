package synth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/memory"
	"github.com/kabinet/kabinet/internal/synth"
)

func TestStoriesAppendAndCoverEveryAggregate(t *testing.T) {
	s := memory.New(memory.Options{})
	n, err := synth.Fill(context.Background(), s, 2000, 2, 1, time.Now())
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, int64(2000))

	types := map[string]int{}
	var after eventstore.Position
	for {
		batch, err := s.ReadAll(context.Background(), after, 1000)
		require.NoError(t, err)
		if len(batch) == 0 {
			break
		}
		for _, e := range batch {
			types[e.Type]++
		}
		after = batch[len(batch)-1].Position
	}
	for _, want := range []string{"client.registered", "policy.issued", "policy.installment_paid", "policy.payment_received",
		"claim.reported", "claim.document_received", "claim.status_changed", "bonus.accrued", "bonus.spent"} {
		assert.Positive(t, types[want], "the mix has %s", want)
	}
	var total int
	for typ, c := range types {
		total += c
		assert.True(t, strings.Contains(typ, "."))
	}
	assert.Equal(t, int(n), total)
}

func TestSameSeedSameShape(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a, err := synth.New(5, now).Next()
	require.NoError(t, err)
	b, err := synth.New(5, now).Next()
	require.NoError(t, err)
	require.Len(t, b, len(a))
	for i := range a {
		require.Len(t, b[i].Events, len(a[i].Events))
		for j := range a[i].Events {
			assert.Equal(t, a[i].Events[j].Type, b[i].Events[j].Type)
		}
	}
}
