package notice

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	now      = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	noticeA  = uuid.MustParse("0195a1c2-0000-7000-8000-0000000000a1")
	noticeB  = uuid.MustParse("0195a1c2-0000-7000-8000-0000000000b2")
	policyID = uuid.MustParse("0195a1c2-0000-7000-8000-000000000003")
	claimID  = uuid.MustParse("0195a1c2-0000-7000-8000-000000000004")
)

func expiring(id uuid.UUID) RecordNotice {
	return RecordNotice{
		NoticeID: id, Kind: KindExpiringPolicy, Channels: []Channel{ChannelSMS, ChannelInbox},
		Title: "Полис скоро истекает", Body: "Срок действия полиса ОГПО ВТС № 123 истекает 31.03.2025.", PolicyID: policyID,
	}
}

func recorded(id uuid.UUID) Recorded {
	return Recorded{
		NoticeID: id, Kind: KindExpiringPolicy, Channels: []Channel{ChannelSMS, ChannelInbox},
		Title: "Полис скоро истекает", Body: "Срок действия полиса ОГПО ВТС № 123 истекает 31.03.2025.",
		PolicyID: policyID, OccurredAt: now,
	}
}

func fold(events []Event) State {
	var s State
	for _, e := range events {
		s = Evolve(s, e)
	}
	return s
}

type decideCase struct {
	name    string
	given   []Event
	when    Command
	want    []Event
	wantErr error
}

func runDecide(t *testing.T, tests []decideCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decide(fold(tt.given), tt.when, now)
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRecordNotice(t *testing.T) {
	withCode := RecordNotice{NoticeID: noticeA, Kind: KindAccessCode, Channels: []Channel{ChannelSMS}}
	runDecide(t, []decideCase{
		{name: "a policy notice", when: expiring(noticeA), want: []Event{recorded(noticeA)}},
		{
			name: "text is trimmed and channels put in order",
			when: RecordNotice{
				NoticeID: noticeA, Kind: KindClaimStatus, Channels: []Channel{ChannelInbox, ChannelEmail, ChannelSMS},
				Title: "  Статус выплаты изменён ", Body: "\nУбыток урегулирован.\n", ClaimID: claimID,
			},
			want: []Event{Recorded{
				NoticeID: noticeA, Kind: KindClaimStatus, Channels: []Channel{ChannelSMS, ChannelEmail, ChannelInbox},
				Title: "Статус выплаты изменён", Body: "Убыток урегулирован.", ClaimID: claimID, OccurredAt: now,
			}},
		},
		{
			name: "an access-code notice gets the fixed text",
			when: withCode,
			want: []Event{Recorded{
				NoticeID: noticeA, Kind: KindAccessCode, Channels: []Channel{ChannelSMS},
				Title: AccessCodeTitle, Body: AccessCodeBody, OccurredAt: now,
			}},
		},
		{
			name: "an access-code notice may name the fixed text itself",
			when: RecordNotice{NoticeID: noticeA, Kind: KindAccessCode, Channels: []Channel{ChannelSMS}, Title: AccessCodeTitle, Body: AccessCodeBody},
			want: []Event{Recorded{
				NoticeID: noticeA, Kind: KindAccessCode, Channels: []Channel{ChannelSMS},
				Title: AccessCodeTitle, Body: AccessCodeBody, OccurredAt: now,
			}},
		},
		{
			name:    "an access-code notice never records the message sent",
			when:    RecordNotice{NoticeID: noticeA, Kind: KindAccessCode, Channels: []Channel{ChannelSMS}, Body: "Ваш код доступа: 482913"},
			wantErr: ErrInvalidCommand,
		},
		{
			name:    "nor a title of its own",
			when:    RecordNotice{NoticeID: noticeA, Kind: KindAccessCode, Channels: []Channel{ChannelSMS}, Title: "Код 482913"},
			wantErr: ErrInvalidCommand,
		},
		{name: "same notice twice records once", given: []Event{recorded(noticeA)}, when: expiring(noticeA), want: nil},
		{
			name:  "same notice ID with other text still records nothing",
			given: []Event{recorded(noticeA)},
			when:  RecordNotice{NoticeID: noticeA, Kind: KindBonus, Channels: []Channel{ChannelInbox}, Title: "Бонусы", Body: "Начислено 150 баллов"},
			want:  nil,
		},
		{name: "another notice", given: []Event{recorded(noticeA)}, when: expiring(noticeB), want: []Event{recorded(noticeB)}},
		{name: "notice ID required", when: expiring(uuid.Nil), wantErr: ErrInvalidCommand},
		{name: "unknown kind", when: func() Command { c := expiring(noticeA); c.Kind = "weather"; return c }(), wantErr: ErrInvalidCommand},
		{name: "no channel", when: func() Command { c := expiring(noticeA); c.Channels = nil; return c }(), wantErr: ErrInvalidCommand},
		{name: "unknown channel", when: func() Command { c := expiring(noticeA); c.Channels = []Channel{"telegram"}; return c }(), wantErr: ErrInvalidCommand},
		{name: "channel twice", when: func() Command { c := expiring(noticeA); c.Channels = []Channel{ChannelSMS, ChannelSMS}; return c }(), wantErr: ErrInvalidCommand},
		{name: "empty title", when: func() Command { c := expiring(noticeA); c.Title = "  "; return c }(), wantErr: ErrInvalidCommand},
		{name: "empty body", when: func() Command { c := expiring(noticeA); c.Body = ""; return c }(), wantErr: ErrInvalidCommand},
		{name: "long title", when: func() Command { c := expiring(noticeA); c.Title = strings.Repeat("я", MaxTitleLength+1); return c }(), wantErr: ErrInvalidCommand},
		{name: "long body", when: func() Command { c := expiring(noticeA); c.Body = strings.Repeat("я", MaxBodyLength+1); return c }(), wantErr: ErrInvalidCommand},
		{name: "NUL in body", when: func() Command { c := expiring(noticeA); c.Body = "a\x00b"; return c }(), wantErr: ErrInvalidCommand},
		{name: "invalid UTF-8", when: func() Command { c := expiring(noticeA); c.Title = "\xff"; return c }(), wantErr: ErrInvalidCommand},
	})
}

func TestTextAtTheLimitsIsKept(t *testing.T) {
	c := expiring(noticeA)
	c.Title = strings.Repeat("я", MaxTitleLength)
	c.Body = strings.Repeat("я", MaxBodyLength-2) + "\r\n"
	got, err := Decide(State{}, c, now)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, c.Title, got[0].(Recorded).Title)
}

func TestMarkRead(t *testing.T) {
	runDecide(t, []decideCase{
		{
			name:  "read a notice",
			given: []Event{recorded(noticeA), recorded(noticeB)},
			when:  MarkRead{NoticeID: noticeA},
			want:  []Event{Read{NoticeID: noticeA, ReadAt: now}},
		},
		{
			name:  "twice reads once",
			given: []Event{recorded(noticeA), Read{NoticeID: noticeA, ReadAt: now}},
			when:  MarkRead{NoticeID: noticeA},
			want:  nil,
		},
		{name: "unknown notice", given: []Event{recorded(noticeA)}, when: MarkRead{NoticeID: noticeB}, wantErr: ErrNoticeNotFound},
		{name: "empty inbox", when: MarkRead{NoticeID: noticeA}, wantErr: ErrNoticeNotFound},
		{name: "notice ID required", when: MarkRead{}, wantErr: ErrInvalidCommand},
	})
}

type unknownCommand struct{}

func (unknownCommand) isCommand() {}

func TestDecideUnknownCommand(t *testing.T) {
	_, err := Decide(State{}, unknownCommand{}, now)
	assert.ErrorIs(t, err, ErrUnknownCommand)
}

func TestDecideStoresTimeAsTheStoreKeepsIt(t *testing.T) {
	almaty := time.FixedZone("Asia/Almaty", 5*3600)
	got, err := Decide(State{}, expiring(noticeA), now.In(almaty).Add(1234*time.Nanosecond))
	require.NoError(t, err)
	assert.Equal(t, now.Add(time.Microsecond), got[0].(Recorded).OccurredAt)
	assert.Equal(t, time.UTC, got[0].(Recorded).OccurredAt.Location())
}

func TestEvolve(t *testing.T) {
	s := fold([]Event{recorded(noticeA), recorded(noticeB), Read{NoticeID: noticeA, ReadAt: now}, recorded(noticeA)})
	assert.Equal(t, 2, s.Len())
	assert.Equal(t, 1, s.Unread())
	assert.True(t, s.IsRead(noticeA), "a repeated record does not make a read notice unread")
	assert.False(t, s.IsRead(noticeB))
	assert.True(t, s.Has(noticeB))
	assert.False(t, State{}.Has(noticeA))
}

func TestEvolveLeavesEarlierStatesAlone(t *testing.T) {
	before := fold([]Event{recorded(noticeA)})
	_ = Evolve(before, Read{NoticeID: noticeA, ReadAt: now})
	_ = Evolve(before, recorded(noticeB))
	assert.False(t, before.IsRead(noticeA), "Evolve must not write into the map of the state it was given")
	assert.False(t, before.Has(noticeB))
}
