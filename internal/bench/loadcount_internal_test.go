package bench

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/memory"
)

// appendRun appends one event of a type that a request of the load appended.
func appendRun(t *testing.T, store eventstore.Store, eventType, requestID string) {
	t.Helper()
	require.NoError(t, appendEvent(store, eventType, requestID))
}

func appendEvent(store eventstore.Store, eventType, requestID string) error {
	_, err := store.Append(context.Background(), eventstore.StreamName("load", uuid.New()), eventstore.Any, eventstore.Event{
		ID: uuid.New(), Type: eventType, SchemaVersion: 1, Data: json.RawMessage(`{}`),
		Metadata: eventstore.Metadata{CorrelationID: requestID}, OccurredAt: time.Now()})
	return err
}

func TestCountWritesFindsLostRepeatedAndUnansweredWrites(t *testing.T) {
	store := memory.New(memory.Options{})
	appendRun(t, store, client.TypeLoginSucceeded, "load-a-Login-0")
	appendRun(t, store, client.TypeSettingsChanged, "load-a-UpdateSettings-0")
	appendRun(t, store, bonus.TypeSpent, "load-a-SpendBonus-0")
	appendRun(t, store, bonus.TypeSpent, "load-a-SpendBonus-0")                // twice for one request
	appendRun(t, store, claim.TypeStatusChanged, "load-a-ChangeClaimStatus-1") // its request was not answered 200
	appendRun(t, store, bonus.TypeSpent, "load-b-SpendBonus-0")                // another run's
	appendRun(t, store, "notice.sent", "load-a-ChangeClaimStatus-0")           // a reaction's, of a type no request appends
	appendRun(t, store, claim.TypeStatusChanged, "load-a-ChangeClaimStatus-0")
	answered := map[string]map[string]bool{
		"Login":             {"load-a-Login-0": true},
		"UpdateSettings":    {"load-a-UpdateSettings-0": true, "load-a-UpdateSettings-1": true}, // the second has no event
		"SpendBonus":        {"load-a-SpendBonus-0": true},
		"ChangeClaimStatus": {"load-a-ChangeClaimStatus-0": true},
	}

	counts, lost, err := countWrites(context.Background(), store, "load-a", answered, 0, t.Logf)
	require.NoError(t, err)
	assert.Equal(t, []LoadWrites{
		{Operation: "Login", Event: client.TypeLoginSucceeded, Answered: 1, Logged: 1},
		{Operation: "UpdateSettings", Event: client.TypeSettingsChanged, Answered: 2, Logged: 1, Lost: 1},
		{Operation: "SpendBonus", Event: bonus.TypeSpent, Answered: 1, Logged: 2, Repeated: 1},
		{Operation: "ChangeClaimStatus", Event: claim.TypeStatusChanged, Answered: 1, Logged: 2, Unanswered: 1},
	}, counts)
	assert.Equal(t, []string{"load-a-UpdateSettings-1"}, lost)
	rep := LoadReport{Writes: counts}
	assert.Equal(t, 1, rep.LostWrites())
	assert.Equal(t, 2, rep.Miscounted())
	assert.True(t, rep.Failed())
}

// An answered write that becomes visible only later, as behind an open
// transaction on PostgreSQL, is found by reading on, not reported lost.
func TestCountWritesReadsOnForAWriteNotVisibleYet(t *testing.T) {
	store := memory.New(memory.Options{})
	appendRun(t, store, bonus.TypeSpent, "load-a-SpendBonus-0")
	answered := map[string]map[string]bool{"SpendBonus": {"load-a-SpendBonus-0": true, "load-a-SpendBonus-1": true}}
	late := make(chan error, 1)
	go func() {
		time.Sleep(3 * countPoll)
		late <- appendEvent(store, bonus.TypeSpent, "load-a-SpendBonus-1")
	}()

	counts, lost, err := countWrites(context.Background(), store, "load-a", answered, time.Minute, t.Logf)
	require.NoError(t, err)
	require.NoError(t, <-late)
	assert.Empty(t, lost)
	for _, c := range counts {
		if c.Operation == "SpendBonus" {
			assert.Equal(t, LoadWrites{Operation: "SpendBonus", Event: bonus.TypeSpent, Answered: 2, Logged: 2}, c)
		}
	}
}
