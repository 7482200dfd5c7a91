package eventstoretest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
)

func testLoadAsOf(t *testing.T, newBackend Factory) {
	s := newBackend(t, nil).Store
	ctx := ctxT(t)
	stream := newStream("policy")
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var recorded []time.Time
	for i := 0; i < 3; i++ {
		e := newEvent()
		e.OccurredAt = march.AddDate(0, i, 0) // 1 March, 1 April, 1 May
		mustAppend(t, s, stream, eventstore.Any, e)
		got, err := s.Load(ctx, stream, int64(i+1))
		require.NoError(t, err)
		recorded = append(recorded, got[0].RecordedAt)
		time.Sleep(3 * time.Millisecond) // distinct recorded times
	}

	byOccurred := map[time.Time]int{
		march.Add(-time.Second):                0,
		march:                                  1,
		march.AddDate(0, 1, 0).Add(-time.Hour): 1,
		march.AddDate(0, 1, 15):                2,
		march.AddDate(1, 0, 0):                 3,
	}
	for at, want := range byOccurred {
		got, err := s.LoadAsOf(ctx, stream, at, eventstore.ByOccurred)
		if want == 0 {
			assert.ErrorIs(t, err, eventstore.ErrStreamNotFound, "as of %v", at)
			continue
		}
		require.NoError(t, err)
		assert.Len(t, got, want, "occurred as of %v", at)
	}
	for i, at := range recorded {
		got, err := s.LoadAsOf(ctx, stream, at, eventstore.ByRecorded)
		require.NoError(t, err)
		assert.Len(t, got, i+1, "recorded as of event %d", i+1)
	}
	_, err := s.LoadAsOf(ctx, stream, recorded[0].Add(-time.Microsecond), eventstore.ByRecorded)
	assert.ErrorIs(t, err, eventstore.ErrStreamNotFound)
}

func testUpcasting(t *testing.T, newBackend Factory) {
	up, err := eventstore.NewUpcasters(
		eventstore.Upcast{Type: "test.renamed", From: 1, Lift: func(d json.RawMessage) (json.RawMessage, error) {
			var v map[string]any
			if err := json.Unmarshal(d, &v); err != nil {
				return nil, err
			}
			v["full_name"] = v["name"]
			delete(v, "name")
			return json.Marshal(v)
		}},
		eventstore.Upcast{Type: "test.renamed", From: 2, Lift: func(d json.RawMessage) (json.RawMessage, error) {
			var v map[string]any
			if err := json.Unmarshal(d, &v); err != nil {
				return nil, err
			}
			v["lifted"] = true
			return json.Marshal(v)
		}},
	)
	require.NoError(t, err)
	s := newBackend(t, up).Store
	ctx := ctxT(t)
	stream := newStream("client")
	old := newEvent()
	old.Type, old.Data = "test.renamed", []byte(`{"name":"Aigerim"}`)
	current := newEvent()
	current.Type, current.SchemaVersion, current.Data = "test.renamed", 3, []byte(`{"full_name":"Dana","lifted":false}`)
	mustAppend(t, s, stream, eventstore.NoStream, old, current)

	check := func(path string, got []eventstore.RecordedEvent) {
		require.Len(t, got, 2, path)
		assert.Equal(t, 3, got[0].SchemaVersion, path)
		assert.JSONEq(t, `{"full_name":"Aigerim","lifted":true}`, string(got[0].Data), path)
		assert.JSONEq(t, `{"full_name":"Dana","lifted":false}`, string(got[1].Data), path+": a current event is left alone")
	}
	loaded, err := s.Load(ctx, stream, 0)
	require.NoError(t, err)
	check("Load", loaded)
	asOf, err := s.LoadAsOf(ctx, stream, time.Now().Add(time.Hour), eventstore.ByRecorded)
	require.NoError(t, err)
	check("LoadAsOf", asOf)
	check("ReadAll", ReadVisible(t, s, eventstore.Position{}, 10, 2))
	require.NoError(t, s.Verify(ctx, stream), "upcasting never changes the stored bytes")
}
