package bus_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/bus"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
	"github.com/kabinet/kabinet/internal/sqldb"
)

func recordedEvent() eventstore.RecordedEvent {
	return eventstore.RecordedEvent{
		Event: eventstore.Event{
			ID: uuid.New(), Type: "policy.installment_paid", SchemaVersion: 2,
			Data:       json.RawMessage(`{"amount":"12500.00"}`),
			Metadata:   eventstore.Metadata{CorrelationID: "c-1", CausationID: "cause-1", CommandID: "cmd-1", Actor: "website", Trace: "00-abc-def-01"},
			OccurredAt: time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC),
		},
		Stream: "policy-" + uuid.NewString(), Version: 7,
		RecordedAt: time.Date(2026, 3, 1, 9, 30, 1, 654321000, time.UTC),
		Position:   eventstore.Position{Tx: 123456, Seq: 42},
		Hash:       []byte{0xde, 0xad, 0xbe, 0xef},
	}
}

func TestMessageCarriesTheWholeEvent(t *testing.T) {
	e := recordedEvent()
	msg := bus.NewMessage(e)
	assert.Equal(t, e.ID.String(), msg.UUID)
	assert.JSONEq(t, string(e.Data), string(msg.Payload))
	for key, want := range map[string]string{
		bus.MetaEventID: e.ID.String(), bus.MetaEventType: e.Type, bus.MetaStream: e.Stream, bus.MetaVersion: "7",
		bus.MetaPosition: "123456:42", bus.MetaCorrelationID: "c-1", bus.MetaCausationID: "cause-1",
		bus.MetaSchemaVersion: "2", bus.MetaRecordedAt: "2026-03-01T09:30:01.654321Z", bus.MetaOccurredAt: "2026-03-01T09:30:00.123456Z",
	} {
		assert.Equal(t, want, msg.Metadata.Get(key), key)
	}
	got, err := bus.EventFromMessage(msg)
	require.NoError(t, err)
	assert.Equal(t, e, got)
}

func TestMalformedMessageNamesTheFieldNotTheValue(t *testing.T) {
	msg := bus.NewMessage(recordedEvent())
	msg.Metadata.Set(bus.MetaVersion, "IIN 900101300123")
	msg.Metadata.Set(bus.MetaPosition, "")
	_, err := bus.EventFromMessage(msg)
	require.ErrorIs(t, err, bus.ErrMalformedMessage)
	assert.Contains(t, err.Error(), bus.MetaVersion)
	assert.Contains(t, err.Error(), bus.MetaPosition)
	assert.NotContains(t, err.Error(), "900101300123")

	msg = bus.NewMessage(recordedEvent())
	msg.Payload = []byte("not json")
	_, err = bus.EventFromMessage(msg)
	assert.ErrorIs(t, err, bus.ErrMalformedMessage)
}

func TestNewRejectsBadReactionsAndConfig(t *testing.T) {
	pool, _ := pgtest.New(t)
	store := postgres.New(pool, postgres.Options{})
	defer store.Close()
	handle := func(context.Context, eventstore.RecordedEvent) error { return nil }
	good := reactions.Reaction{Name: "SendSMSOnClientRegistered", Types: []string{"client.registered"}, Handle: handle}

	_, err := bus.New(sqldb.FromPgx(pool), store, []reactions.Reaction{good}, bus.Config{})
	require.NoError(t, err, "the zero Config is usable")

	_, err = bus.New(sqldb.FromPgx(pool), store, []reactions.Reaction{
		good, good,
		{Name: "has space", Types: []string{"a.b"}, Handle: handle},
		{Name: "NoTypes", Handle: handle},
		{Name: "NoHandle", Types: []string{"a.b"}},
	}, bus.Config{InitialInterval: time.Second, MaxInterval: time.Millisecond, Multiplier: 0.5, NATSSubject: "kabinet.>"})
	require.Error(t, err)
	for _, want := range []string{"registered twice", `"has space"`, "NoTypes: no event types", "NoHandle: Handle is nil",
		"InitialInterval must not exceed MaxInterval", "Multiplier", "NATSSubject"} {
		assert.Contains(t, err.Error(), want)
	}

	_, err = bus.New(nil, nil, nil, bus.Config{})
	assert.ErrorContains(t, err, "db is required")
}
