package notice

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/wire/wiretest"
)

// FuzzDecodeEvent feeds the codec what a damaged or hostile event store row
// could hold. Whatever decodes must encode again under the same name to the
// same JSON, and Evolve must take it without panicking: replaying history
// never fails.
func FuzzDecodeEvent(f *testing.F) {
	for _, e := range []Event{
		recorded(noticeA),
		Recorded{NoticeID: noticeB, Kind: KindMissingDocuments, Channels: []Channel{ChannelEmail},
			Title: "Недостача документов", Body: "Пожалуйста, загрузите акт осмотра.", ClaimID: claimID, OccurredAt: now},
		Read{NoticeID: noticeA, ReadAt: now},
	} {
		typ, data, err := EncodeEvent(e)
		require.NoError(f, err)
		f.Add(typ, data)
	}
	f.Add(TypeRecorded, []byte(`{"notice_id":"not-a-uuid","channels":null,"title":"\u0000<script>"}`))
	f.Add(TypeRead, []byte(`{"notice_id":"00000000-0000-0000-0000-000000000000","read_at":"2025-03-01T10:00:00+99:00"}`))
	history := []Event{recorded(noticeA)}
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e, ok := wiretest.RoundTrip(t, DecodeEvent, EncodeEvent, SchemaVersion, typ, data)
		if !ok {
			return
		}

		Evolve(State{}, e)
		Evolve(fold(history), e)
	})
}
