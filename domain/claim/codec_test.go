package claim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
)

func TestCodecRoundTrip(t *testing.T) {
	paid := moved(StatusPayoutDecision, StatusPaid)
	paid.Payout = money.MustParse("250000.50")
	paid.Reason = "agreed"
	paid.DecisionRef = "РВ-77"
	cases := []struct {
		wireName string
		event    Event
	}{
		{"claim.reported", reported()},
		{"claim.status_changed", paid},
		{"claim.status_changed", moved(StatusReported, StatusDocumentsRequested)},
		{"claim.documents_requested", requested(DocumentIDCard, DocumentPhotos)},
		{"claim.document_received", DocumentReceived{Kind: DocumentPhotos, BlobRef: "blob/1", SHA256: hashA, ReceivedAt: now}},
	}
	for _, tc := range cases {
		t.Run(tc.wireName, func(t *testing.T) {
			typ, data, err := EncodeEvent(tc.event)
			require.NoError(t, err)
			assert.Equal(t, tc.wireName, typ)
			back, err := DecodeEvent(typ, SchemaVersion, data)
			require.NoError(t, err)
			assert.Equal(t, tc.event, back)
		})
	}
}

// The JSON field names are the stored format; renaming a Go field must not change them.
func TestCodecFieldNames(t *testing.T) {
	paid := moved(StatusPayoutDecision, StatusPaid)
	paid.Payout = money.MustParse("100")
	_, data, err := EncodeEvent(paid)
	require.NoError(t, err)
	assert.JSONEq(t, `{"from":"payout_decision","to":"paid","payout":"100.00","changed_at":"2025-03-01T10:00:00Z"}`, string(data))

	_, data, err = EncodeEvent(reported())
	require.NoError(t, err)
	assert.JSONEq(t, `{"claim_id":"0195a1c2-0000-7000-8000-000000000001","client_id":"0195a1c2-0000-7000-8000-000000000002",
		"policy_id":"0195a1c2-0000-7000-8000-000000000003","number":"УД-2025-000123","kind":"road_accident",
		"description":"rear-ended at a crossing","reported_at":"2025-02-27T09:30:00Z"}`, string(data))

	_, data, err = EncodeEvent(requested(DocumentPhotos))
	require.NoError(t, err)
	assert.JSONEq(t, `{"documents":[{"kind":"photos","title":"title of photos"}],"requested_at":"2025-03-01T10:00:00Z"}`, string(data))

	_, data, err = EncodeEvent(DocumentReceived{Kind: DocumentPhotos, BlobRef: "blob/1", SHA256: hashA, ReceivedAt: now})
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"photos","blob_ref":"blob/1","sha256":"`+hashA+`","received_at":"2025-03-01T10:00:00Z"}`, string(data))
}

func TestDecodeRefuses(t *testing.T) {
	_, err := DecodeEvent("claim.lost", SchemaVersion, []byte(`{}`))
	assert.ErrorIs(t, err, ErrUnknownEvent)
	_, err = DecodeEvent(TypeReported, SchemaVersion+1, []byte(`{}`))
	assert.ErrorIs(t, err, ErrUnknownEvent)
	_, err = DecodeEvent(TypeStatusChanged, SchemaVersion, []byte(`{"payout":1500}`))
	assert.Error(t, err, "a payout must be a JSON string")
	_, err = DecodeEvent(TypeReported, SchemaVersion, []byte(`[`))
	assert.Error(t, err)
}

func FuzzDecodeEvent(f *testing.F) {
	for _, e := range []Event{reported(), moved(StatusReported, StatusWithdrawn), requested(DocumentPhotos),
		DocumentReceived{Kind: DocumentPhotos, BlobRef: "b", SHA256: hashA, ReceivedAt: now}} {
		typ, data, err := EncodeEvent(e)
		require.NoError(f, err)
		f.Add(typ, data)
	}
	f.Add(TypeStatusChanged, []byte(`{"payout":"1.234"}`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e, err := DecodeEvent(typ, SchemaVersion, data)
		if err != nil {
			return
		}
		// Whatever decodes must encode again under the same name and decode to the same event.
		typ2, data2, err := EncodeEvent(e)
		require.NoError(t, err)
		require.Equal(t, typ, typ2)
		again, err := DecodeEvent(typ2, SchemaVersion, data2)
		require.NoError(t, err)
		require.Equal(t, e, again)
	})
}

func TestAggregateName(t *testing.T) {
	assert.Equal(t, "claim", Aggregate)
}
