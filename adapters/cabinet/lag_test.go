package cabinet_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/eventstore"
)

// stuckWaiter is read models that never catch up.
type stuckWaiter struct{}

func (stuckWaiter) WaitFor(ctx context.Context, _ eventstore.Position, _ ...string) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestACommittedWriteAnswersOKWhenTheReadModelsLag: a write is answered by
// what the log holds. When the read models do not show it in time it is
// still answered OK, since an error would invite a retry that, without an
// idempotency key, writes it again.
func TestACommittedWriteAnswersOKWhenTheReadModelsLag(t *testing.T) {
	k := cabinettest.New(t)
	deps := k.Deps
	deps.Projections = stuckWaiter{}
	svc, err := cabinet.New(deps, cabinet.Config{WaitTimeout: 50 * time.Millisecond, Now: k.Now})
	require.NoError(t, err)
	op, ok := cabinet.Lookup("IssuePolicy")
	require.True(t, ok)
	req := issueRequest(cabinettest.NewIIN().String(), "KD-LAG-1", "OGPO-LAG-1")
	out, err := svc.Invoke(context.Background(), op, k.Insurer(), &req)
	require.NoError(t, err)
	res := out.(*cabinet.IssuePolicyResponse)
	assert.True(t, res.Created)

	again, err := svc.Invoke(context.Background(), op, k.Insurer(), &req)
	require.NoError(t, err)
	assert.False(t, again.(*cabinet.IssuePolicyResponse).Created, "the write is in the log once")
}
