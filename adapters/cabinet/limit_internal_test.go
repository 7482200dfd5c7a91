package cabinet

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/internal/dbtest"
)

func TestLimitCountsInAWindow(t *testing.T) {
	dbtest.Each(t, testLimitCountsInAWindow)
}

func testLimitCountsInAWindow(t *testing.T, b dbtest.Backend) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := &Service{d: Deps{DB: b.DB}, cfg: Config{Now: func() time.Time { return now }}}

	for range 3 {
		require.NoError(t, s.limit(ctx, "sms-phone:a", 3, time.Hour))
	}
	now = now.Add(20 * time.Minute)
	err := s.limit(ctx, "sms-phone:a", 3, time.Hour)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, CodeRateLimited, e.Code)
	assert.Equal(t, 40*time.Minute, e.RetryAfter)
	require.NoError(t, s.limit(ctx, "sms-phone:b", 3, time.Hour), "each key has its own counter")

	// Regression: less than half a second before the window ends, the
	// refusal asked to wait zero seconds.
	now = now.Add(40*time.Minute - 300*time.Millisecond)
	err = s.limit(ctx, "sms-phone:a", 3, time.Hour)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, time.Second, e.RetryAfter)

	now = now.Add(300 * time.Millisecond)
	assert.NoError(t, s.limit(ctx, "sms-phone:a", 3, time.Hour), "a new window starts")
}
