package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/wire/wiretest"
)

func allEvents() map[string][]Event {
	renewal := installmentsIssued()
	renewal.RenewedFrom = oldPolicyID
	renewal.InsuredPersons = []Person{{Name: "Ахметов Арман", IIN: childIIN}, {Name: "John Smith"}}
	return map[string][]Event{
		"policy.issued":            {issued(), renewal},
		"policy.payment_received":  {received("kaspi-77", "45000.50")},
		"policy.installment_paid":  {instPaid(2, "kaspi-78", "40000")},
		"policy.prolonged":         {Prolonged{NewPolicyID: newPolicyID, ProlongedAt: now}},
		"policy.cancelled":         {Cancelled{Reason: "sold the car", EffectiveOn: MustParseDate("2025-06-15"), CancelledAt: now}},
		"policy.document_attached": {DocumentAttached{Kind: DocumentPolicyPDF, BlobRef: "blob/1", SHA256: hashA, AttachedAt: now}},
		"policy.payment_refunded":  {PaymentRefunded{PaymentRef: "kaspi-77", RefundRef: "r-1", Amount: money.MustParse("100.50"), RefundedAt: now}},
	}
}

func TestCodecRoundTrip(t *testing.T) {
	for wireName, events := range allEvents() {
		for _, e := range events {
			typ, data, err := EncodeEvent(e)
			require.NoError(t, err)
			assert.Equal(t, wireName, typ)
			back, err := DecodeEvent(typ, SchemaVersion, data)
			require.NoError(t, err, wireName)
			assert.Equal(t, e, back, wireName)
		}
	}
}

// Whatever Decide emits must come back from the store unchanged, including
// a KBM coefficient written as "0.90".
func TestDecidedIssuedRoundTrips(t *testing.T) {
	c := issueCmd()
	c.Drivers[0].KBM = kbm("M", "2.450")
	events, err := Decide(State{}, c, now)
	require.NoError(t, err)
	typ, data, err := EncodeEvent(events[0])
	require.NoError(t, err)
	back, err := DecodeEvent(typ, SchemaVersion, data)
	require.NoError(t, err)
	assert.Equal(t, events[0], back)
}

// The JSON field names are the stored format; renaming a Go field must not change them.
func TestCodecFieldNames(t *testing.T) {
	cases := []struct {
		event Event
		json  string
	}{
		{issued(), `{"policy_id":"0195a1c2-0000-7000-8000-0000000000a1","product":"ogpo_vts","number":"OGPO-2025-0001",
			"kias_contract_id":"KIAS-778812","insurer":"АО «СК Пример»","starts_on":"2025-03-01","ends_on":"2026-02-28",
			"holder":{"client_id":"0195a1c2-0000-7000-8000-0000000000c1","iin":"900115300003","name":"Ахметов Ерлан",
				"kbm":{"class":"3","coefficient":"0.9","as_of":"2025-02-20"}},
			"drivers":[{"name":"Ахметова Айгерим","iin":"851231400001","kbm":{"class":"M","coefficient":"2.45","as_of":"2025-02-20"}}],
			"vehicle":{"make":"Toyota","model":"Camry","plate":"123ABC02","vin":"JTNB11HK503456789","year":2019},
			"premium":"45000.00","payment_method":"card","issued_at":"2025-03-01T10:00:00Z"}`},
		{installmentsIssued(), ``},
		{received("p1", "1.5"), `{"payment_ref":"p1","amount":"1.50","paid_at":"2025-03-01T10:00:00Z"}`},
		{instPaid(1, "p1", "1.5"), `{"number":1,"payment_ref":"p1","amount":"1.50","paid_at":"2025-03-01T10:00:00Z"}`},
		{Prolonged{NewPolicyID: newPolicyID, ProlongedAt: now}, `{"new_policy_id":"0195a1c2-0000-7000-8000-0000000000a2","prolonged_at":"2025-03-01T10:00:00Z"}`},
		{Cancelled{Reason: "r", EffectiveOn: MustParseDate("2025-06-15"), CancelledAt: now}, `{"reason":"r","effective_on":"2025-06-15","cancelled_at":"2025-03-01T10:00:00Z"}`},
		{DocumentAttached{Kind: DocumentReceipt, BlobRef: "b", SHA256: hashA, AttachedAt: now}, `{"kind":"receipt","blob_ref":"b","sha256":"` + hashA + `","attached_at":"2025-03-01T10:00:00Z"}`},
		{PaymentRefunded{PaymentRef: "p1", RefundRef: "r1", Amount: money.MustParse("1.5"), RefundedAt: now}, `{"payment_ref":"p1","refund_ref":"r1","amount":"1.50","refunded_at":"2025-03-01T10:00:00Z"}`},
	}
	for _, tc := range cases {
		typ, data, err := EncodeEvent(tc.event)
		require.NoError(t, err)
		if tc.json == "" {
			assert.Contains(t, string(data), `"installments":[{"number":1,"due_on":"2025-03-01","amount":"40000.00"}`, typ)
			continue
		}
		assert.JSONEq(t, tc.json, string(data), typ)
	}
}

func TestDecodeRefuses(t *testing.T) {
	_, err := DecodeEvent("policy.expired", SchemaVersion, []byte(`{}`))
	assert.ErrorIs(t, err, ErrUnknownEvent)
	_, err = DecodeEvent(TypeIssued, 2, []byte(`{}`))
	assert.ErrorIs(t, err, ErrUnknownEvent)
	_, err = DecodeEvent(TypeIssued, SchemaVersion, []byte(`{"holder":{"iin":"900115300004"}}`))
	assert.Error(t, err, "a bad IIN must not decode")
	assert.NotContains(t, err.Error(), "900115300004")
	_, err = DecodeEvent(TypePaymentReceived, SchemaVersion, []byte(`{"amount":1.5}`))
	assert.Error(t, err, "an amount must be a JSON string")
}

func FuzzDecodeEvent(f *testing.F) {
	for _, events := range allEvents() {
		for _, e := range events {
			typ, data, err := EncodeEvent(e)
			require.NoError(f, err)
			f.Add(typ, data)
		}
	}
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		wiretest.RoundTrip(t, DecodeEvent, EncodeEvent, SchemaVersion, typ, data)
	})
}

func TestAggregateName(t *testing.T) {
	assert.Equal(t, "policy", Aggregate)
}
