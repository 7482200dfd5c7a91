package kias_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/partnerhttp"
)

const apiKey = "kias-test-key"

var (
	known   = cabinettest.NewIIN()
	unknown = cabinettest.NewIIN()
)

// served starts the simulator's HTTP API, wrapped by wrap when given, and a
// client of it.
func served(t *testing.T, sim *kias.Simulator, wrap func(http.Handler) http.Handler) *kias.Client {
	t.Helper()
	sim.RequireAPIKey(apiKey)
	h := sim.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := kias.NewClient(kias.Config{BaseURL: srv.URL, APIKey: apiKey, Timeout: 2 * time.Second})
	require.NoError(t, err)
	return c
}

func simWithPerson() *kias.Simulator {
	sim := kias.NewSimulator()
	sim.AddPerson(kias.Person{IIN: known, LastName: "Сарсенова", FirstName: "Айгерим", MiddleName: "Болатовна",
		Phone: kz.MustParsePhone("+77011234567")}, "OGPO-1", "KASKO 7/2")
	return sim
}

func TestClientFindsClientsAndPolicies(t *testing.T) {
	sim := simWithPerson()
	c := served(t, sim, nil)
	ctx := context.Background()

	p, found, err := c.FindClient(ctx, known)
	require.NoError(t, err)
	require.True(t, found)
	want, _, _ := sim.FindClient(ctx, known)
	assert.Equal(t, want, p)

	_, found, err = c.FindClient(ctx, unknown)
	require.NoError(t, err)
	assert.False(t, found)

	for number, want := range map[string]bool{"OGPO-1": true, " KASKO 7/2 ": true, "OGPO-2": false, "": false} {
		has, err := c.HasPolicy(ctx, known, number)
		require.NoError(t, err)
		assert.Equal(t, want, has, "%q", number)
	}
	has, err := c.HasPolicy(ctx, unknown, "OGPO-1")
	require.NoError(t, err)
	assert.False(t, has)
}

func TestClientReadsAndSavesPersonalData(t *testing.T) {
	sim := simWithPerson()
	c := served(t, sim, nil)
	ctx := context.Background()

	_, err := c.PersonalData(ctx, unknown)
	require.ErrorIs(t, err, kias.ErrNotFound)

	d := kias.PersonalData{
		LastName: "Сарсенова", FirstName: "Айгерим", BirthDate: "1990-01-15", Phone: kz.MustParsePhone("+77011234567"),
		AdditionalPhone: "+77779998877", Email: "a@example.kz", Address: "Алматы, ул. Абая 1", DocumentType: "id_card",
		DocumentNumber: "012345678", DocumentIssuedBy: "МВД РК", DocumentIssuedOn: "2020-02-02",
		DrivingLicence: "AB123456", DrivingLicenceDate: "2010-05-05",
	}
	require.NoError(t, c.SavePersonalData(ctx, unknown, d))

	got, err := c.PersonalData(ctx, unknown)
	require.NoError(t, err)
	assert.Equal(t, d, got)
	direct, err := sim.PersonalData(ctx, unknown)
	require.NoError(t, err)
	assert.Equal(t, d, direct, "the simulator holds what went over the wire")
}

func TestClientSavesAndReadsScans(t *testing.T) {
	sim := simWithPerson()
	c := served(t, sim, nil)
	ctx := context.Background()
	content := []byte("%PDF-1.4 scan")

	saved, err := c.SaveScan(ctx, known, kias.Scan{Kind: kias.ScanIDCard, FileName: "id.pdf", ContentType: "application/pdf", Content: content})
	require.NoError(t, err)
	assert.NotEmpty(t, saved.ID)
	assert.EqualValues(t, len(content), saved.Size)
	assert.Len(t, saved.SHA256, 64)
	assert.Nil(t, saved.Content)

	list, err := c.Scans(ctx, known)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, saved, list[0])

	one, err := c.Scan(ctx, known, saved.ID)
	require.NoError(t, err)
	assert.Equal(t, content, one.Content)
	assert.Equal(t, saved.ID, one.ID)

	_, err = c.Scan(ctx, known, "SCAN-404")
	require.ErrorIs(t, err, kias.ErrNotFound)
	none, err := c.Scans(ctx, unknown)
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestClientReadsPrintForms(t *testing.T) {
	sim := simWithPerson()
	sim.SetPrintForm("KD/1", []byte("%PDF form"))
	c := served(t, sim, nil)

	pdf, found, err := c.PrintForm(context.Background(), "KD/1")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, []byte("%PDF form"), pdf)

	_, found, err = c.PrintForm(context.Background(), "KD/2")
	require.NoError(t, err)
	assert.False(t, found)
}

// A scan whose answer is lost on the way back is retried with the same
// idempotency key, and KIAS stores it once.
func TestClientRetriesALostAnswerAndKIASStoresOnce(t *testing.T) {
	sim := simWithPerson()
	var lost atomic.Bool
	lost.Store(true)
	c := served(t, sim, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && lost.Swap(false) {
				next.ServeHTTP(httptest.NewRecorder(), r) // KIAS does the work…
				w.WriteHeader(http.StatusBadGateway)      // …and the answer is lost
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	ctx := context.Background()

	saved, err := c.SaveScan(ctx, known, kias.Scan{Kind: kias.ScanPassport, FileName: "p.jpg", ContentType: "image/jpeg", Content: []byte{1, 2, 3}})
	require.NoError(t, err)

	assert.Equal(t, "SCAN-000001", saved.ID, "the retry got the first attempt's answer, not a second scan")
	next, err := sim.SaveScan(ctx, known, kias.Scan{Kind: kias.ScanIDCard, Content: []byte{4}})
	require.NoError(t, err)
	assert.Equal(t, "SCAN-000002", next.ID, "KIAS stored one scan for the two attempts")
}

func TestClientWithAWrongKeyIsRefusedAtOnce(t *testing.T) {
	sim := simWithPerson()
	sim.RequireAPIKey("another key")
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	c, err := kias.NewClient(kias.Config{BaseURL: srv.URL, APIKey: apiKey})
	require.NoError(t, err)

	_, _, err = c.FindClient(context.Background(), known)

	var e *partnerhttp.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusUnauthorized, e.Status)
	assert.Equal(t, 1, e.Attempts)
	assert.NotContains(t, err.Error(), known.String(), "errors name the route, never the IIN")
}

func TestClientReadsTheFeedInPages(t *testing.T) {
	sim := kias.NewSimulator()
	var appended []kias.Change
	for i := range 5 {
		appended = append(appended, sim.AppendChange(kias.Change{Kind: kias.ChangeClaimStatusChanged,
			ClaimStatus: &kias.FeedClaimStatus{Number: "VD-1", Status: "appraisal", Reason: string(rune('a' + i))}}))
	}
	c := served(t, sim, nil)
	ctx := context.Background()

	first, err := c.Changes(ctx, "", 3)
	require.NoError(t, err)
	require.Len(t, first.Changes, 3)
	assert.Equal(t, appended[2].Cursor, first.Next)
	rest, err := c.Changes(ctx, first.Next, 3)
	require.NoError(t, err)
	require.Len(t, rest.Changes, 2)
	empty, err := c.Changes(ctx, rest.Next, 3)
	require.NoError(t, err)
	assert.Empty(t, empty.Changes)
	assert.Equal(t, rest.Next, empty.Next, "nothing new: the cursor stays")

	direct, err := sim.Changes(ctx, "", 0)
	require.NoError(t, err)
	require.Len(t, direct.Changes, 5)
	got := append(first.Changes, rest.Changes...)
	for i := range got {
		assert.Equal(t, direct.Changes[i].ID, got[i].ID)
		assert.Equal(t, direct.Changes[i].Cursor, got[i].Cursor)
		assert.Equal(t, direct.Changes[i].ClaimStatus, got[i].ClaimStatus)
		assert.True(t, direct.Changes[i].OccurredAt.Equal(got[i].OccurredAt))
	}

	_, err = c.Changes(ctx, "not-a-cursor", 3)
	assert.Equal(t, http.StatusBadRequest, partnerhttp.StatusOf(err))
}

func TestConfigValidate(t *testing.T) {
	err := kias.Config{Timeout: -1}.Validate()
	require.Error(t, err)
	assert.ErrorContains(t, err, "BaseURL")
	assert.ErrorContains(t, err, "APIKey")
	assert.ErrorContains(t, err, "Timeout")
	assert.ErrorContains(t, kias.Config{BaseURL: "kias", APIKey: "k"}.Validate(), "absolute")
	assert.NoError(t, kias.Config{BaseURL: "https://kias.example.kz/api", APIKey: "k"}.Validate())
}

func TestFeedOnTheWireHasTheDocumentedShape(t *testing.T) {
	sim := simWithPerson()
	sim.AppendChange(kias.Change{Kind: kias.ChangePolicyCancelled, Cancellation: &kias.FeedCancellation{
		ContractID: "KD-1", Reason: "по заявлению", EffectiveOn: "2025-06-01"}})
	sim.RequireAPIKey(apiKey)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/feed?limit=10", nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", apiKey)

	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var page map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))

	assert.Equal(t, "000000000001", page["next"])
	changes := page["changes"].([]any)
	require.Len(t, changes, 1)
	ch := changes[0].(map[string]any)
	assert.Equal(t, "CHG-000001", ch["id"])
	assert.Equal(t, "000000000001", ch["cursor"])
	assert.Equal(t, "policy_cancelled", ch["kind"])
	assert.NotEmpty(t, ch["occurred_at"])
	assert.Equal(t, map[string]any{"contract_id": "KD-1", "reason": "по заявлению", "effective_on": "2025-06-01"}, ch["cancellation"])
	assert.NotContains(t, ch, "policy", "only the kind's payload is sent")
}

func TestAnIssuedPolicyInTheFeedIsKnownForItsHolder(t *testing.T) {
	sim := simWithPerson()
	sim.AppendChange(kias.Change{Kind: kias.ChangePolicyIssued, Policy: &kias.FeedPolicy{
		ContractID: "KD-9", Number: "OGPO-9", Holder: kias.FeedPerson{IIN: known.String()}}})

	has, err := sim.HasPolicy(context.Background(), known, "OGPO-9")
	require.NoError(t, err)
	assert.True(t, has)
}
