package bench

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

func claimURL(number string) string {
	return "http://127.0.0.1:1/api/v1/insurer/claims/" + number + "/status"
}

func TestTheMixSharesOutTheWholeRate(t *testing.T) {
	sum := 0
	for _, op := range loadOps {
		sum += op.weight
	}
	assert.Equal(t, mixWeight, sum)
	assert.Equal(t, 12000, func() int {
		n := 0
		for _, op := range loadOps {
			n += op.requests(200, time.Minute)
		}
		return n
	}())
}

func TestClaimPoolMovesEachClaimOneChangeAtATime(t *testing.T) {
	p := newClaimPool([]string{"VD-1", "VD-2"}, 10*time.Millisecond)
	first, to1, err := p.take()
	require.NoError(t, err)
	second, to2, err := p.take()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"VD-1", "VD-2"}, []string{first, second})
	assert.Equal(t, claim.StatusDocumentsRequested, to1)
	assert.Equal(t, claim.StatusDocumentsRequested, to2)
	_, _, err = p.take()
	assert.ErrorIs(t, err, errNoClaimFree, "both claims have a change in flight")

	// An answered change moves the claim on; a failed one retires it.
	p.done(claimURL(first), true)
	p.done(claimURL(second), false)
	for _, want := range []claim.Status{claim.StatusDocumentsComplete, claim.StatusDocumentsRequested, claim.StatusDocumentsComplete} {
		number, to, err := p.take()
		require.NoError(t, err)
		assert.Equal(t, first, number)
		assert.Equal(t, want, to)
		assert.True(t, claim.CanTransition(p.status[p.index[number]], to))
		p.done(claimURL(number), true)
	}
}

func TestLoadConfigNamesWhatIsWrong(t *testing.T) {
	serve := func(context.Context, sqldb.DB, eventstore.Store) (LoadServer, error) { return LoadServer{}, nil }
	for _, tc := range []struct {
		name string
		cfg  LoadConfig
		want []string
	}{
		{"the defaults", LoadConfig{Database: "sqlite:", Serve: serve}, nil},
		{"no operation left out", LoadConfig{Database: "sqlite:", Rate: 10, Duration: time.Second, Serve: serve},
			[]string{"rate × duration: Login gets 1 in 50 of the requests, so none in 1s at 10/s"}},
		{"the login limit", LoadConfig{Database: "sqlite:", Rate: 1000, Duration: time.Minute, Clients: 10, Serve: serve},
			[]string{"clients 10: each would log in 120 times in 15 minutes, over the limit of 20; use at least 60 clients"}},
		{"everything at once", LoadConfig{Database: "mysql://db", Rate: -1, Clients: -2},
			[]string{"the database must be", "Serve is required", "rate -1: must be positive", "clients -2: must be positive"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.setDefaults()
			err := tc.cfg.Validate()
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestATransportErrorCountsOnceWhateverTheURL(t *testing.T) {
	assert.Equal(t, "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
		noAnswer(`Post "http://127.0.0.1:43395/api/v1/insurer/claims/VD-LOAD-00001-0/status": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`))
	assert.Equal(t, errNoClaimFree.Error(), noAnswer(errNoClaimFree.Error()))
}
