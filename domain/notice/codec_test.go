package notice

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCodecRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		wire  string
		event Event
		json  string
	}{
		{
			name:  "recorded about a policy",
			wire:  "notice.recorded",
			event: recorded(noticeA),
			json: `{"notice_id":"0195a1c2-0000-7000-8000-0000000000a1","kind":"expiring_policy","channels":["sms","inbox"],
				"title":"Полис скоро истекает","body":"Срок действия полиса ОГПО ВТС № 123 истекает 31.03.2025.",
				"policy_id":"0195a1c2-0000-7000-8000-000000000003","occurred_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			name: "recorded about a claim",
			wire: "notice.recorded",
			event: Recorded{NoticeID: noticeB, Kind: KindMissingDocuments, Channels: []Channel{ChannelEmail},
				Title: "Недостача документов", Body: "Пожалуйста, загрузите акт осмотра.", ClaimID: claimID, OccurredAt: now},
			json: `{"notice_id":"0195a1c2-0000-7000-8000-0000000000b2","kind":"missing_documents","channels":["email"],
				"title":"Недостача документов","body":"Пожалуйста, загрузите акт осмотра.",
				"claim_id":"0195a1c2-0000-7000-8000-000000000004","occurred_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			name:  "read",
			wire:  "notice.read",
			event: Read{NoticeID: noticeA, ReadAt: now},
			json:  `{"notice_id":"0195a1c2-0000-7000-8000-0000000000a1","read_at":"2025-03-01T10:00:00Z"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, data, err := EncodeEvent(tt.event)
			require.NoError(t, err)
			assert.Equal(t, tt.wire, typ)
			assert.JSONEq(t, tt.json, string(data))

			got, err := DecodeEvent(typ, SchemaVersion, data)
			require.NoError(t, err)
			assert.Equal(t, tt.event, got)
		})
	}
}

type strayEvent struct{}

func (strayEvent) eventType() string { return "notice.stray" }

func TestCodecRefusesUnknown(t *testing.T) {
	_, _, err := EncodeEvent(strayEvent{})
	assert.ErrorIs(t, err, ErrUnknownEvent)

	_, err = DecodeEvent("notice.deleted", SchemaVersion, []byte(`{}`))
	assert.ErrorIs(t, err, ErrUnknownEvent)

	_, err = DecodeEvent(TypeRead, SchemaVersion+1, []byte(`{}`))
	assert.ErrorIs(t, err, ErrUnknownEvent)

	_, err = DecodeEvent(TypeRead, SchemaVersion, []byte(`{"notice_id":42}`))
	assert.Error(t, err)
}
