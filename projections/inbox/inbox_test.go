package inbox_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/inbox"
)

var start = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now moves a minute on every call, so every decision has its own time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Minute)
	return c.now
}

// noContracts answers that no client has a policy in force or an open claim.
type noContracts struct{}

func (noContracts) HasActivePolicy(context.Context, uuid.UUID, time.Time) (bool, error) {
	return false, nil
}
func (noContracts) HasOpenClaim(context.Context, uuid.UUID) (bool, error) { return false, nil }

type env struct {
	t       *testing.T
	db      sqldb.DB
	store   eventstore.Store
	notices *commands.Notices
	clients *commands.Clients
	last    eventstore.Position
}

func newEnv(t *testing.T, b dbtest.Backend) *env {
	r := commands.New(b.Store, &clock{now: start})
	ids, err := commands.NewKeyedIDs(bytes.Repeat([]byte{1}, 32))
	require.NoError(t, err)
	codes, err := commands.NewAccessCodes(commands.AccessCodeConfig{
		HMACKey: bytes.Repeat([]byte{2}, 32), Argon2Time: 1, Argon2MemoryKiB: 1024, Argon2Threads: 1,
	})
	require.NoError(t, err)
	return &env{
		t: t, db: b.DB, store: b.Store,
		notices: commands.NewNotices(r),
		clients: commands.NewClients(r, ids, codes, noContracts{}),
	}
}

func (e *env) wrote(res commands.Result, err error) commands.Result {
	e.t.Helper()
	require.NoError(e.t, err)
	if e.last.Less(res.Position) {
		e.last = res.Position
	}
	return res
}

// catchUp applies the log up to the last write. CatchUp stops at the visible
// end of the log, which an open transaction elsewhere on the server can hold
// back, so it is repeated until the checkpoint passes the write.
func (e *env) catchUp() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		g, err := projections.CatchUp(ctx, e.db, e.store, inbox.Projection{})
		require.NoError(e.t, err)
		if !g.Position.Less(e.last) {
			return
		}
		select {
		case <-ctx.Done():
			e.t.Fatalf("projection stopped at %s before %s", g.Position, e.last)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (e *env) record(clientID uuid.UUID, cmd notice.RecordNotice) uuid.UUID {
	e.t.Helper()
	if cmd.NoticeID == uuid.Nil {
		cmd.NoticeID = uuid.New()
	}
	e.wrote(e.notices.Record(context.Background(), uuid.New(), clientID, cmd))
	return cmd.NoticeID
}

func (e *env) read(clientID, noticeID uuid.UUID) {
	e.t.Helper()
	e.wrote(e.notices.MarkRead(context.Background(), uuid.New(), clientID, noticeID))
}

func (e *env) list(clientID uuid.UUID, limit int, unreadOnly bool) ([]inbox.Notice, int) {
	e.t.Helper()
	notices, unread, err := inbox.List(context.Background(), e.db, clientID, limit, unreadOnly)
	require.NoError(e.t, err)
	return notices, unread
}

func (e *env) noDrift() {
	e.t.Helper()
	diffs, err := projections.Verify(context.Background(), e.db, e.store, inbox.Projection{}, 5)
	require.NoError(e.t, err)
	assert.Empty(e.t, diffs)
}

func ids(notices []inbox.Notice) []uuid.UUID {
	out := []uuid.UUID{}
	for _, n := range notices {
		out = append(out, n.ID)
	}
	return out
}

func bonusNotice(body string) notice.RecordNotice {
	return notice.RecordNotice{Kind: notice.KindBonus, Channels: []notice.Channel{notice.ChannelInbox}, Title: "Бонусы", Body: body}
}

func TestListNewestFirstWithUnreadCount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b)
		alice, bob, stranger := uuid.New(), uuid.New(), uuid.New()
		policyID, claimID := uuid.New(), uuid.New()

		expiring := e.record(alice, notice.RecordNotice{
			Kind: notice.KindExpiringPolicy, Channels: []notice.Channel{notice.ChannelInbox, notice.ChannelSMS},
			Title: "Полис скоро истекает", Body: "Срок действия полиса ОГПО ВТС истекает 31.03.2025. Продлите его в кабинете.",
			PolicyID: policyID,
		})
		status := e.record(alice, notice.RecordNotice{
			Kind: notice.KindClaimStatus, Channels: []notice.Channel{notice.ChannelEmail},
			Title: "Статус выплаты", Body: "Выплатное дело урегулировано.", ClaimID: claimID,
		})
		code := e.record(alice, notice.RecordNotice{Kind: notice.KindAccessCode, Channels: []notice.Channel{notice.ChannelSMS}})
		bobs := e.record(bob, bonusNotice("Начислено 150 баллов"))
		e.catchUp()
		e.read(alice, status) // read in a later batch than its record
		e.catchUp()

		all, unread := e.list(alice, 0, false)
		assert.Equal(t, []uuid.UUID{code, status, expiring}, ids(all), "newest first")
		assert.Equal(t, 2, unread)
		assert.Equal(t, inbox.Notice{
			ID: expiring, Kind: notice.KindExpiringPolicy, Channels: []notice.Channel{notice.ChannelSMS, notice.ChannelInbox},
			Title: "Полис скоро истекает", Body: "Срок действия полиса ОГПО ВТС истекает 31.03.2025. Продлите его в кабинете.",
			PolicyID: policyID, OccurredAt: start.Add(time.Minute),
		}, all[2])
		assert.Equal(t, claimID, all[1].ClaimID)
		assert.Equal(t, uuid.Nil, all[1].PolicyID)
		assert.True(t, all[1].IsRead())
		assert.Equal(t, start.Add(5*time.Minute), all[1].ReadAt)
		assert.False(t, all[0].IsRead())
		assert.Equal(t, notice.AccessCodeBody, all[0].Body, "the inbox says a code was sent, never the code")

		tests := []struct {
			name       string
			client     uuid.UUID
			limit      int
			unreadOnly bool
			want       []uuid.UUID
			wantUnread int
		}{
			{"unread only", alice, 10, true, []uuid.UUID{code, expiring}, 2},
			{"limit keeps the newest and the full count", alice, 1, false, []uuid.UUID{code}, 2},
			{"limit above the maximum is the maximum", alice, inbox.MaxLimit + 1, false, []uuid.UUID{code, status, expiring}, 2},
			{"another client sees only their own", bob, 10, false, []uuid.UUID{bobs}, 1},
			{"a client with no notices", stranger, 10, false, []uuid.UUID{}, 0},
			{"unread only of a client with no notices", stranger, 10, true, []uuid.UUID{}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, unread := e.list(tt.client, tt.limit, tt.unreadOnly)
				assert.Equal(t, tt.want, ids(got))
				assert.Equal(t, tt.wantUnread, unread)
			})
		}

		e.read(alice, code)
		e.read(alice, expiring)
		e.catchUp()
		got, unread := e.list(alice, 10, true)
		assert.Empty(t, got)
		assert.Zero(t, unread)
		e.noDrift()
	})
}

func TestRecordAndReadInOneBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b)
		alice := uuid.New()
		first := e.record(alice, bonusNotice("Начислено 150 баллов"))
		second := e.record(alice, bonusNotice("Списано 100 баллов"))
		e.read(alice, first)
		e.catchUp()

		got, unread := e.list(alice, 10, false)
		assert.Equal(t, []uuid.UUID{second, first}, ids(got))
		assert.Equal(t, 1, unread)
		assert.True(t, got[1].IsRead())
		e.noDrift()
	})
}

func TestErasedClientHasNoInbox(t *testing.T) {
	for _, tt := range []struct {
		name     string
		catchUpB bool // apply the notices in a batch before the erasure
	}{
		{"notices and erasure in one batch", false},
		{"erasure in a later batch", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, b dbtest.Backend) { erasedClientHasNoInbox(t, b, tt.catchUpB) })
		})
	}
}

func erasedClientHasNoInbox(t *testing.T, b dbtest.Backend, catchUpB bool) {
	e := newEnv(t, b)
	ctx := context.Background()
	alice, _, err := e.clients.RegisterClient(ctx, uuid.New(), client.RegisterClient{
		IIN: kz.MustParseIIN("900115300003"), FirstName: "Айгерим", LastName: "Сапарова",
		Phone: kz.MustParsePhone("+7 701 123 45 67"), Source: client.SourceKIAS,
	})
	require.NoError(t, err)
	bob := uuid.New()
	read := e.record(alice, notice.RecordNotice{Kind: notice.KindRegistration, Channels: []notice.Channel{notice.ChannelSMS},
		Title: "Добро пожаловать", Body: "Айгерим, регистрация личного кабинета прошла успешно!"})
	e.read(alice, read)
	e.record(alice, bonusNotice("Начислено 150 баллов"))
	kept := e.record(bob, bonusNotice("Начислено 20 баллов"))
	if catchUpB {
		e.catchUp()
		got, _ := e.list(alice, 10, false)
		require.Len(t, got, 2)
	}

	_, res, err := e.clients.RequestErasure(ctx, uuid.New(), alice)
	e.wrote(res, err)
	e.wrote(e.clients.CompleteErasure(ctx, uuid.New(), alice, nil))
	e.catchUp()

	got, unread := e.list(alice, 10, false)
	assert.Empty(t, got)
	assert.Zero(t, unread)
	got, _ = e.list(bob, 10, false)
	assert.Equal(t, []uuid.UUID{kept}, ids(got), "other inboxes stay")
	e.noDrift()
}

// A notice event type this version does not know (one added later) is
// skipped, not a reason to stop.
func TestUnknownNoticeEventIsSkipped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b)
		alice := uuid.New()
		id := e.record(alice, bonusNotice("Начислено 150 баллов"))
		res, err := e.store.Append(context.Background(), eventstore.StreamName(notice.Aggregate, alice), eventstore.Exactly(1),
			eventstore.Event{ID: uuid.New(), Type: "notice.archived", SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: start})
		require.NoError(t, err)
		e.last = res.Position
		e.catchUp()
		got, unread := e.list(alice, 10, false)
		assert.Equal(t, []uuid.UUID{id}, ids(got))
		assert.Equal(t, 1, unread)
	})
}
