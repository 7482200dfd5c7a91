package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/memory"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
)

var noticeNow = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// noticeEachStore runs a test against the memory store and a fresh
// PostgreSQL database.
func noticeEachStore(t *testing.T, test func(t *testing.T, store eventstore.Store, n *commands.Notices)) {
	open := map[string]func(t *testing.T) eventstore.Store{
		"memory": func(*testing.T) eventstore.Store { return memory.New(memory.Options{}) },
		"postgres": func(t *testing.T) eventstore.Store {
			pool, _ := pgtest.New(t)
			s := postgres.New(pool, postgres.Options{})
			t.Cleanup(s.Close)
			return s
		},
	}
	for _, name := range []string{"memory", "postgres"} {
		t.Run(name, func(t *testing.T) {
			store := open[name](t)
			r := commands.New(store, commands.ClockFunc(func() time.Time { return noticeNow }))
			test(t, store, commands.NewNotices(r))
		})
	}
}

func noticeExpiring(id uuid.UUID) notice.RecordNotice {
	return notice.RecordNotice{
		NoticeID: id, Kind: notice.KindExpiringPolicy, Channels: []notice.Channel{notice.ChannelSMS, notice.ChannelInbox},
		Title: "Полис скоро истекает", Body: "Срок действия полиса истекает 31.03.2025.", PolicyID: uuid.New(),
	}
}

func noticeHistory(t *testing.T, store eventstore.Store, clientID uuid.UUID) []eventstore.RecordedEvent {
	t.Helper()
	events, err := store.Load(context.Background(), eventstore.StreamName(notice.Aggregate, clientID), 1)
	if err != nil {
		require.ErrorIs(t, err, eventstore.ErrStreamNotFound)
	}
	return events
}

func TestNoticeRecord(t *testing.T) {
	ctx := context.Background()
	noticeEachStore(t, func(t *testing.T, store eventstore.Store, n *commands.Notices) {
		clientID, noticeID, cmdID := uuid.New(), uuid.New(), uuid.New()
		res, err := n.Record(ctx, cmdID, clientID, noticeExpiring(noticeID))
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		assert.Equal(t, "notice-"+clientID.String(), res.Stream)

		res, err = n.Record(ctx, cmdID, clientID, noticeExpiring(noticeID))
		require.NoError(t, err)
		assert.True(t, res.Duplicate, "the same command returns its first result")
		res, err = n.Record(ctx, uuid.New(), clientID, noticeExpiring(noticeID))
		require.NoError(t, err)
		assert.Zero(t, res.Events, "the same notice under another command is recorded once")

		history := noticeHistory(t, store, clientID)
		require.Len(t, history, 1)
		assert.Equal(t, notice.TypeRecorded, history[0].Type)
		e, err := notice.DecodeEvent(history[0].Type, history[0].SchemaVersion, history[0].Data)
		require.NoError(t, err)
		assert.Equal(t, noticeNow, e.(notice.Recorded).OccurredAt)
		assert.Equal(t, cmdID.String(), history[0].Metadata.CommandID)

		_, err = n.Record(ctx, uuid.New(), uuid.Nil, noticeExpiring(uuid.New()))
		assert.ErrorIs(t, err, notice.ErrInvalidCommand)
		assert.ErrorContains(t, err, "client_id")
		bad := noticeExpiring(uuid.New())
		bad.Kind = "weather"
		_, err = n.Record(ctx, uuid.New(), clientID, bad)
		assert.ErrorIs(t, err, notice.ErrInvalidCommand)
		assert.Len(t, noticeHistory(t, store, clientID), 1, "a refusal writes nothing")
	})
}

func TestNoticeAccessCodeNeverStored(t *testing.T) {
	ctx := context.Background()
	noticeEachStore(t, func(t *testing.T, store eventstore.Store, n *commands.Notices) {
		clientID := uuid.New()
		_, err := n.Record(ctx, uuid.New(), clientID, notice.RecordNotice{
			NoticeID: uuid.New(), Kind: notice.KindAccessCode, Channels: []notice.Channel{notice.ChannelSMS},
			Body: "Ваш код доступа: 482913",
		})
		require.ErrorIs(t, err, notice.ErrInvalidCommand)
		assert.Empty(t, noticeHistory(t, store, clientID))

		_, err = n.Record(ctx, uuid.New(), clientID, notice.RecordNotice{
			NoticeID: uuid.New(), Kind: notice.KindAccessCode, Channels: []notice.Channel{notice.ChannelSMS},
		})
		require.NoError(t, err)
		history := noticeHistory(t, store, clientID)
		require.Len(t, history, 1)
		assert.Contains(t, string(history[0].Data), notice.AccessCodeBody)
		assert.NotContains(t, string(history[0].Data), "482913")
	})
}

func TestNoticeMarkRead(t *testing.T) {
	ctx := context.Background()
	noticeEachStore(t, func(t *testing.T, store eventstore.Store, n *commands.Notices) {
		clientID, other, noticeID := uuid.New(), uuid.New(), uuid.New()
		_, err := n.Record(ctx, uuid.New(), clientID, noticeExpiring(noticeID))
		require.NoError(t, err)

		_, err = n.MarkRead(ctx, uuid.New(), other, noticeID)
		assert.ErrorIs(t, err, notice.ErrNoticeNotFound, "another client's notice is not in this inbox")
		_, err = n.MarkRead(ctx, uuid.New(), clientID, uuid.New())
		assert.ErrorIs(t, err, notice.ErrNoticeNotFound)

		res, err := n.MarkRead(ctx, uuid.New(), clientID, noticeID)
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		assert.Equal(t, int64(2), res.Version)
		res, err = n.MarkRead(ctx, uuid.New(), clientID, noticeID)
		require.NoError(t, err)
		assert.Zero(t, res.Events, "read once")
		assert.Equal(t, int64(2), res.Version)

		var types []string
		for _, e := range noticeHistory(t, store, clientID) {
			types = append(types, e.Type)
		}
		assert.Equal(t, []string{notice.TypeRecorded, notice.TypeRead}, types)
		assert.Empty(t, noticeHistory(t, store, other))
	})
}

func TestNoticeIDFor(t *testing.T) {
	cause := uuid.MustParse("0195a1c2-0000-7000-8000-0000000000e1")
	id := commands.NoticeIDFor(cause, notice.KindClaimStatus)
	assert.Equal(t, id, commands.NoticeIDFor(cause, notice.KindClaimStatus), "stable")
	assert.NotEqual(t, id, commands.NoticeIDFor(cause, notice.KindMissingDocuments), "one notice per kind")
	assert.NotEqual(t, id, commands.NoticeIDFor(uuid.New(), notice.KindClaimStatus))
	assert.Equal(t, cause, uuid.MustParse("0195a1c2-0000-7000-8000-0000000000e1"), "the cause is left alone")
}
