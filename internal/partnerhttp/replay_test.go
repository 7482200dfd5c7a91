package partnerhttp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/internal/partnerhttp"
)

func TestReplayWritesRunsAKeyOnce(t *testing.T) {
	var runs atomic.Int32
	fail := atomic.Bool{}
	fail.Store(true)
	h := partnerhttp.ReplayWrites(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && fail.Swap(false) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		n := runs.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"n":%d}`, n)
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, _ := newClient(t, srv.URL, partnerhttp.Config{})
	ctx := context.Background()

	var first, again, other, read struct{ N int }
	require.NoError(t, c.Do(ctx, partnerhttp.Request{Method: http.MethodPost, Path: "/scans", IdempotencyKey: "k"}, &first))
	require.NoError(t, c.Do(ctx, partnerhttp.Request{Method: http.MethodPost, Path: "/scans", IdempotencyKey: "k"}, &again))
	require.NoError(t, c.Do(ctx, partnerhttp.Request{Method: http.MethodPost, Path: "/scans", IdempotencyKey: "k2"}, &other))
	require.NoError(t, c.Do(ctx, partnerhttp.Request{Method: http.MethodGet, Path: "/scans"}, &read))

	assert.Equal(t, 1, first.N, "the 503 was not remembered: the retry ran")
	assert.Equal(t, 1, again.N, "the same key is answered from memory")
	assert.Equal(t, 2, other.N)
	assert.Equal(t, 3, read.N, "reads always run")
	assert.EqualValues(t, 3, runs.Load())
}
