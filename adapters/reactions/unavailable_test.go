package reactions_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/sqlite"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// The errors come from real calls: a database nobody listens for, a closed
// store, a partner that does not answer, and failures that are answers.
func TestUnavailableTellsAnOutageFromAFailure(t *testing.T) {
	ctx := context.Background()
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hanging.Close)
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadRequest) }))
	t.Cleanup(refusing.Close)
	partner := func(base string) error {
		c, err := partnerhttp.New(partnerhttp.Config{Partner: "sms", BaseURL: base, AttemptTimeout: 20 * time.Millisecond, MaxAttempts: 1})
		require.NoError(t, err)
		return c.Do(ctx, partnerhttp.Request{Method: http.MethodGet, Path: "/send"}, nil)
	}

	_, down := pgx.Connect(ctx, "postgres://kabinet@127.0.0.1:1/kabinet?connect_timeout=5")
	require.Error(t, down)
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "closed.db"), sqlite.Options{})
	require.NoError(t, err)
	require.NoError(t, store.Close())
	_, closed := store.Append(ctx, eventstore.StreamName("test", uuid.New()), eventstore.Any)
	require.Error(t, closed)
	slowCtx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(slowCtx, http.MethodGet, hanging.URL, nil)
	require.NoError(t, err)
	_, slow := http.DefaultClient.Do(req)
	require.Error(t, slow)
	var syntax error
	_, syntax = dbtest.Postgres(t).DB.Exec(ctx, `SELEKT 1`)
	require.Error(t, syntax)

	for name, err := range map[string]error{
		"database down":                down,
		"event store unavailable":      closed,
		"partner timed out":            partner(hanging.URL),
		"call ran out of its deadline": slow,
	} {
		assert.True(t, reactions.Unavailable(err), "%s: %v", name, err)
		assert.True(t, reactions.Unavailable(fmt.Errorf("wrapped: %w", err)), "%s, wrapped", name)
	}
	for name, err := range map[string]error{
		"no error":          nil,
		"statement refused": syntax,
		"domain refusal":    fmt.Errorf("pay: %w", policy.ErrPolicyNotFound),
		"partner said no":   partner(refusing.URL),
		"plain failure":     errors.New("template: missing key"),
		"cancelled":         context.Canceled,
	} {
		assert.False(t, reactions.Unavailable(err), "%s: %v", name, err)
	}
}
