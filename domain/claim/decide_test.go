package claim

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
)

var (
	now      = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	earlier  = time.Date(2025, 2, 27, 9, 30, 0, 0, time.UTC)
	claimID  = uuid.MustParse("0195a1c2-0000-7000-8000-000000000001")
	clientID = uuid.MustParse("0195a1c2-0000-7000-8000-000000000002")
	policyID = uuid.MustParse("0195a1c2-0000-7000-8000-000000000003")
	hashA    = strings.Repeat("a1", 32)
	hashB    = strings.Repeat("b2", 32)
)

func reported() Reported {
	return Reported{
		ClaimID: claimID, ClientID: clientID, PolicyID: policyID,
		Number: "УД-2025-000123", Kind: "road_accident", Description: "rear-ended at a crossing",
		ReportedAt: earlier,
	}
}

func moved(from, to Status) StatusChanged {
	return StatusChanged{From: from, To: to, ChangedAt: now}
}

// at builds the history of a claim that went through the given stages.
func at(stages ...Status) []Event {
	h := []Event{reported()}
	from := StatusReported
	for _, to := range stages {
		e := moved(from, to)
		if to == StatusPaid {
			e.Payout = money.MustParse("250000")
		}
		if to == StatusRefused {
			e.Reason = "not an insured event"
		}
		h = append(h, e)
		from = to
	}
	return h
}

func requested(kinds ...DocumentKind) DocumentsRequested {
	e := DocumentsRequested{RequestedAt: now}
	for _, k := range kinds {
		e.Documents = append(e.Documents, DocumentRequest{Kind: k, Title: "title of " + string(k)})
	}
	return e
}

func requestCmd(kinds ...DocumentKind) RequestClaimDocuments {
	return RequestClaimDocuments{Documents: requested(kinds...).Documents}
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

func runDecide(t *testing.T, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decide(fold(tc.given), tc.when, now)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDecideReportClaim(t *testing.T) {
	cmd := ReportClaim{
		ClaimID: claimID, ClientID: clientID, PolicyID: policyID,
		Number: " УД-2025-000123 ", Kind: "road_accident", Description: "rear-ended at a crossing",
		ReportedAt: earlier,
	}
	with := func(f func(*ReportClaim)) ReportClaim { c := cmd; f(&c); return c }
	nowReported := reported()
	nowReported.ReportedAt = now
	runDecide(t, []decideCase{
		{name: "reports a new claim", when: cmd, want: []Event{reported()}},
		{name: "reported at defaults to now", when: with(func(c *ReportClaim) { c.ReportedAt = time.Time{} }), want: []Event{nowReported}},
		{name: "twice", given: at(), when: cmd, wantErr: ErrClaimExists},
		{name: "without claim id", when: with(func(c *ReportClaim) { c.ClaimID = uuid.Nil }), wantErr: ErrInvalidClaim},
		{name: "without client", when: with(func(c *ReportClaim) { c.ClientID = uuid.Nil }), wantErr: ErrInvalidClaim},
		{name: "without policy", when: with(func(c *ReportClaim) { c.PolicyID = uuid.Nil }), wantErr: ErrInvalidClaim},
		{name: "without number", when: with(func(c *ReportClaim) { c.Number = "  " }), wantErr: ErrInvalidClaim},
		{name: "without kind", when: with(func(c *ReportClaim) { c.Kind = "" }), wantErr: ErrInvalidClaim},
		{name: "in the future", when: with(func(c *ReportClaim) { c.ReportedAt = now.Add(time.Hour) }), wantErr: ErrInvalidClaim},
	})
}

func TestDecideNotFound(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "status", when: ChangeClaimStatus{To: StatusDocumentsRequested}, wantErr: ErrClaimNotFound},
		{name: "request", when: requestCmd(DocumentPhotos), wantErr: ErrClaimNotFound},
		{name: "receive", when: ReceiveClaimDocument{Kind: DocumentPhotos, BlobRef: "b/1", SHA256: hashA}, wantErr: ErrClaimNotFound},
	})
}

func TestDecideChangeClaimStatus(t *testing.T) {
	paid := moved(StatusPayoutDecision, StatusPaid)
	paid.Payout = money.MustParse("250000.50")
	paid.DecisionRef = "РВ-77"
	refused := moved(StatusPayoutDecision, StatusRefused)
	refused.Reason = "not an insured event"
	pipeline := []Status{StatusDocumentsRequested, StatusDocumentsComplete, StatusAppraisal, StatusPayoutDecision}
	runDecide(t, []decideCase{
		{name: "reported to documents requested", given: at(), when: ChangeClaimStatus{To: StatusDocumentsRequested},
			want: []Event{moved(StatusReported, StatusDocumentsRequested)}},
		{name: "documents complete back to requested", given: at(StatusDocumentsRequested, StatusDocumentsComplete),
			when: ChangeClaimStatus{To: StatusDocumentsRequested, Reason: " photos unreadable "},
			want: []Event{StatusChanged{From: StatusDocumentsComplete, To: StatusDocumentsRequested, Reason: "photos unreadable", ChangedAt: now}}},
		{name: "appraisal needs more documents", given: at(pipeline[:3]...), when: ChangeClaimStatus{To: StatusDocumentsRequested},
			want: []Event{moved(StatusAppraisal, StatusDocumentsRequested)}},
		{name: "payout decision needs more documents", given: at(pipeline...), when: ChangeClaimStatus{To: StatusDocumentsRequested},
			want: []Event{moved(StatusPayoutDecision, StatusDocumentsRequested)}},
		{name: "paid with amount", given: at(pipeline...),
			when: ChangeClaimStatus{To: StatusPaid, Payout: money.MustParse("250000.50"), DecisionRef: "РВ-77"}, want: []Event{paid}},
		{name: "refused with reason", given: at(pipeline...),
			when: ChangeClaimStatus{To: StatusRefused, Reason: "not an insured event"}, want: []Event{refused}},
		{name: "withdrawn from reported", given: at(), when: ChangeClaimStatus{To: StatusWithdrawn},
			want: []Event{moved(StatusReported, StatusWithdrawn)}},
		{name: "withdrawn from appraisal", given: at(pipeline[:3]...), when: ChangeClaimStatus{To: StatusWithdrawn},
			want: []Event{moved(StatusAppraisal, StatusWithdrawn)}},
		{name: "same status is a no-op", given: at(StatusDocumentsRequested), when: ChangeClaimStatus{To: StatusDocumentsRequested}},
		{name: "reported straight to paid", given: at(), when: ChangeClaimStatus{To: StatusPaid, Payout: money.MustParse("1")}, wantErr: ErrInvalidTransition},
		{name: "skips appraisal", given: at(pipeline[:2]...), when: ChangeClaimStatus{To: StatusPayoutDecision}, wantErr: ErrInvalidTransition},
		{name: "refused before payout decision", given: at(pipeline[:3]...), when: ChangeClaimStatus{To: StatusRefused, Reason: "x"}, wantErr: ErrInvalidTransition},
		{name: "back to reported", given: at(StatusDocumentsRequested), when: ChangeClaimStatus{To: StatusReported}, wantErr: ErrInvalidTransition},
		{name: "unknown status", given: at(), when: ChangeClaimStatus{To: "lost"}, wantErr: ErrUnknownStatus},
		{name: "paid without amount", given: at(pipeline...), when: ChangeClaimStatus{To: StatusPaid}, wantErr: ErrPayoutRequired},
		{name: "paid with negative amount", given: at(pipeline...), when: ChangeClaimStatus{To: StatusPaid, Payout: money.MustParse("-5")}, wantErr: ErrPayoutRequired},
		{name: "amount on another stage", given: at(pipeline[:3]...), when: ChangeClaimStatus{To: StatusPayoutDecision, Payout: money.MustParse("5")}, wantErr: ErrUnexpectedPayout},
		{name: "refused without reason", given: at(pipeline...), when: ChangeClaimStatus{To: StatusRefused, Reason: " "}, wantErr: ErrReasonRequired},
		{name: "after paid", given: at(append(pipeline, StatusPaid)...), when: ChangeClaimStatus{To: StatusWithdrawn}, wantErr: ErrClaimClosed},
		{name: "after refused", given: at(append(pipeline, StatusRefused)...), when: ChangeClaimStatus{To: StatusDocumentsRequested}, wantErr: ErrClaimClosed},
		{name: "after withdrawn", given: at(StatusWithdrawn), when: ChangeClaimStatus{To: StatusWithdrawn}, wantErr: ErrClaimClosed},
	})
}

func TestDecideDocuments(t *testing.T) {
	recv := func(k DocumentKind, hash string) ReceiveClaimDocument {
		return ReceiveClaimDocument{Kind: k, BlobRef: "blob/" + string(k), SHA256: hash}
	}
	got := func(k DocumentKind, hash string) DocumentReceived {
		return DocumentReceived{Kind: k, BlobRef: "blob/" + string(k), SHA256: hash, ReceivedAt: now}
	}
	withPhotos := append(at(), requested(DocumentIDCard, DocumentPhotos))
	runDecide(t, []decideCase{
		{name: "requests documents", given: at(), when: requestCmd(DocumentIDCard, DocumentPoliceReport),
			want: []Event{requested(DocumentIDCard, DocumentPoliceReport)}},
		{name: "already missing kinds are left out", given: withPhotos, when: requestCmd(DocumentPhotos, DocumentBankDetails),
			want: []Event{requested(DocumentBankDetails)}},
		{name: "all already missing is a no-op", given: withPhotos, when: requestCmd(DocumentPhotos)},
		{name: "a received kind can be asked again", given: append(withPhotos, got(DocumentPhotos, hashA)), when: requestCmd(DocumentPhotos),
			want: []Event{requested(DocumentPhotos)}},
		{name: "nothing asked", given: at(), when: RequestClaimDocuments{}, wantErr: ErrInvalidDocument},
		{name: "kind asked twice in one request", given: at(), when: requestCmd(DocumentPhotos, DocumentPhotos), wantErr: ErrInvalidDocument},
		{name: "without title", given: at(), when: RequestClaimDocuments{Documents: []DocumentRequest{{Kind: DocumentPhotos}}}, wantErr: ErrInvalidDocument},
		{name: "without kind", given: at(), when: RequestClaimDocuments{Documents: []DocumentRequest{{Title: "Фото"}}}, wantErr: ErrInvalidDocument},
		{name: "request on a closed claim", given: at(StatusWithdrawn), when: requestCmd(DocumentPhotos), wantErr: ErrClaimClosed},
		{name: "receives a missing document", given: withPhotos, when: recv(DocumentPhotos, hashA), want: []Event{got(DocumentPhotos, hashA)}},
		{name: "hash is stored lower case", given: withPhotos, when: recv(DocumentPhotos, strings.ToUpper(hashA)), want: []Event{got(DocumentPhotos, hashA)}},
		{name: "same document again is a no-op", given: append(withPhotos, got(DocumentPhotos, hashA)), when: recv(DocumentPhotos, hashA)},
		{name: "other scan of a received kind", given: append(withPhotos, got(DocumentPhotos, hashA)), when: recv(DocumentPhotos, hashB), wantErr: ErrDocumentNotRequested},
		{name: "kind nobody asked for", given: withPhotos, when: recv(DocumentBankDetails, hashA), wantErr: ErrDocumentNotRequested},
		{name: "bad hash", given: withPhotos, when: recv(DocumentPhotos, "abc"), wantErr: ErrInvalidDocument},
		{name: "without blob", given: withPhotos, when: ReceiveClaimDocument{Kind: DocumentPhotos, SHA256: hashA}, wantErr: ErrInvalidDocument},
		{name: "receive on a closed claim", given: append(withPhotos, moved(StatusReported, StatusWithdrawn)), when: recv(DocumentPhotos, hashA), wantErr: ErrClaimClosed},
	})
}

func TestDecideNormalisesNow(t *testing.T) {
	almaty := time.FixedZone("UTC+5", 5*3600)
	local := time.Date(2025, 3, 1, 15, 0, 0, 123456789, almaty)
	got, err := Decide(fold(at()), ChangeClaimStatus{To: StatusWithdrawn}, local)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, time.Date(2025, 3, 1, 10, 0, 0, 123456000, time.UTC), got[0].(StatusChanged).ChangedAt)
}

func TestEvolve(t *testing.T) {
	t.Run("missing in request order until received", func(t *testing.T) {
		s := fold(append(at(), requested(DocumentIDCard, DocumentPoliceReport, DocumentPhotos)))
		assert.Equal(t, []DocumentKind{DocumentIDCard, DocumentPoliceReport, DocumentPhotos}, s.Missing())
		s = Evolve(s, DocumentReceived{Kind: DocumentPoliceReport, BlobRef: "b/1", SHA256: hashA, ReceivedAt: now})
		assert.Equal(t, []DocumentKind{DocumentIDCard, DocumentPhotos}, s.Missing())
		s = Evolve(s, DocumentReceived{Kind: DocumentIDCard, BlobRef: "b/2", SHA256: hashB, ReceivedAt: now})
		s = Evolve(s, DocumentReceived{Kind: DocumentPhotos, BlobRef: "b/3", SHA256: hashB, ReceivedAt: now})
		assert.Empty(t, s.Missing())
		assert.Len(t, s.Received(), 3)
		assert.Equal(t, DocumentPoliceReport, s.Received()[0].Kind)
	})
	t.Run("asked again moves to the end", func(t *testing.T) {
		s := fold(append(at(), requested(DocumentIDCard, DocumentPhotos), requested(DocumentIDCard)))
		assert.Equal(t, []DocumentKind{DocumentPhotos, DocumentIDCard}, s.Missing())
	})
	t.Run("paid records payout and closes", func(t *testing.T) {
		s := fold(at(StatusDocumentsRequested, StatusDocumentsComplete, StatusAppraisal, StatusPayoutDecision, StatusPaid))
		assert.Equal(t, StatusPaid, s.Status)
		assert.True(t, s.Closed())
		assert.True(t, money.MustParse("250000").Equal(s.Payout))
		assert.Equal(t, now, s.ClosedAt)
		assert.Equal(t, ClientSettled, s.Status.ClientFacing())
	})
	t.Run("states that share history stay independent", func(t *testing.T) {
		base := fold(append(at(), requested(DocumentIDCard, DocumentPhotos),
			DocumentReceived{Kind: DocumentIDCard, BlobRef: "b/1", SHA256: hashA, ReceivedAt: now}))
		a := Evolve(base, DocumentReceived{Kind: DocumentPhotos, BlobRef: "b/a", SHA256: hashA, ReceivedAt: now})
		b := Evolve(base, DocumentReceived{Kind: DocumentPhotos, BlobRef: "b/b", SHA256: hashB, ReceivedAt: now})
		assert.Equal(t, "b/a", a.Received()[1].BlobRef)
		assert.Equal(t, "b/b", b.Received()[1].BlobRef)
		assert.Equal(t, []DocumentKind{DocumentPhotos}, base.Missing())
		assert.Len(t, base.Received(), 1)
	})
	t.Run("reported fills the claim", func(t *testing.T) {
		s := fold(at())
		assert.True(t, s.Exists())
		assert.Equal(t, claimID, s.ID)
		assert.Equal(t, clientID, s.ClientID)
		assert.Equal(t, policyID, s.PolicyID)
		assert.Equal(t, StatusReported, s.Status)
		assert.Equal(t, earlier, s.ReportedAt)
		assert.Equal(t, ClientInSettlement, s.Status.ClientFacing())
	})
}
