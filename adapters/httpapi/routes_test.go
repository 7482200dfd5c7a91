package httpapi

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

func TestEveryOperationHasExactlyOneRoute(t *testing.T) {
	eps, err := compile(routes, cabinet.Operations())
	require.NoError(t, err)
	count := map[string]int{}
	for _, ep := range eps {
		count[ep.op.Name]++
	}
	for _, op := range cabinet.Operations() {
		assert.Equal(t, 1, count[op.Name], op.Name)
	}
	assert.Len(t, eps, len(cabinet.Operations()))
}

func TestCompileRefusesABrokenTable(t *testing.T) {
	ops := cabinet.Operations()
	without := append([]route(nil), routes[1:]...)
	_, err := compile(without, ops)
	assert.ErrorContains(t, err, "operation StartRegistration has no route")

	twice := append(append([]route(nil), routes...), route{op: "Login", method: http.MethodPut, path: "/sessions/again"})
	_, err = compile(twice, ops)
	assert.ErrorContains(t, err, "operation Login has more than one route")

	unknown := append(append([]route(nil), routes...), route{op: "Teleport", method: http.MethodPost, path: "/teleport"})
	_, err = compile(unknown, ops)
	assert.ErrorContains(t, err, `no operation "Teleport"`)

	clash := append(append([]route(nil), routes[:len(routes)-1]...), route{op: "ReceiveClaimDocument", method: http.MethodGet, path: "/policies/{policyId}"})
	_, err = compile(clash, ops)
	assert.ErrorContains(t, err, "share GET /policies/{policyId}")

	badParam := append([]route(nil), routes...)
	for i := range badParam {
		if badParam[i].op == "GetPolicy" {
			badParam[i].path = "/policies/{id}"
		}
	}
	_, err = compile(badParam, ops)
	assert.ErrorContains(t, err, "path parameter id is no member of GetPolicyRequest")

	// A request with an object member cannot travel in a query.
	getSettings := append([]route(nil), routes...)
	for i := range getSettings {
		if getSettings[i].op == "UpdateSettings" {
			getSettings[i].method = http.MethodGet
			getSettings[i].path = "/me/settings/next"
		}
	}
	_, err = compile(getSettings, ops)
	assert.ErrorContains(t, err, "member settings of UpdateSettingsRequest cannot be a query parameter")
}

func TestCheckResponseRefusesAPointerWithoutOmitempty(t *testing.T) {
	type inner struct {
		A string `xml:"a" json:"a"`
	}
	type bad struct {
		In *inner `xml:"in" json:"in"`
	}
	assert.ErrorContains(t, checkResponse(reflect.TypeFor[bad]()), "nil would be null")
}

func TestFillNilSlices(t *testing.T) {
	resp := &cabinet.GetPolicyResponse{}
	resp.Policy.Summary.Vehicle = &cabinet.Vehicle{}
	fillNilSlices(reflect.ValueOf(resp))
	assert.NotNil(t, resp.Policy.Drivers)
	assert.NotNil(t, resp.Policy.Payments)

	list := &cabinet.ListClaimsResponse{Claims: []cabinet.ClaimSummary{{}}}
	claim := &cabinet.GetClaimResponse{Claim: cabinet.ClaimDetails{Timeline: []cabinet.ClaimEvent{{}}}}
	fillNilSlices(reflect.ValueOf(list))
	fillNilSlices(reflect.ValueOf(claim))
	assert.NotNil(t, claim.Claim.Timeline[0].Documents, "slices inside list elements too")
}

func TestPrefers(t *testing.T) {
	const pdf = "application/pdf"
	for accept, want := range map[string]bool{
		"":                                  false,
		"*/*":                               false,
		"application/json":                  false,
		"application/pdf":                   true,
		"application/pdf, */*":              true,
		"application/*":                     false,
		"application/json, application/pdf": false,
		"application/json;q=0.5, application/pdf": true,
		"application/pdf;q=0.5, */*":              false,
		"application/pdf;q=0":                     false,
		"APPLICATION/PDF":                         true,
		"text/html, application/pdf;q=0.9":        true,
	} {
		assert.Equal(t, want, prefers(accept, pdf), "Accept: %s", accept)
	}
}

func TestProblemBasics(t *testing.T) {
	assert.Equal(t, "Invalid argument", title(cabinet.CodeInvalidArgument))
	assert.Equal(t, "Not found", title(cabinet.CodeNotFound))
	assert.EqualValues(t, 2, (&cabinet.Error{RetryAfter: 1100 * time.Millisecond}).RetryAfterSeconds(), "rounded up")
	assert.EqualValues(t, 60, (&cabinet.Error{RetryAfter: time.Minute}).RetryAfterSeconds())
	assert.Zero(t, (&cabinet.Error{}).RetryAfterSeconds())

	w := httptest.NewRecorder()
	writeProblem(w, "r-1", &cabinet.Error{Code: cabinet.CodeLocked, Message: "wait", RetryAfter: 90*time.Second + time.Millisecond})
	assert.Equal(t, http.StatusTooManyRequests, w.Code)
	assert.Equal(t, "91", w.Header().Get("Retry-After"))
	assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"type":"urn:kabinet:problem:LOCKED","title":"Locked","status":429,"detail":"wait",
		"code":"LOCKED","retryAfterSeconds":91,"requestId":"r-1"}`, w.Body.String())
}

func TestBindingUnitCases(t *testing.T) {
	eps, err := compile(routes, cabinet.Operations())
	require.NoError(t, err)
	byOp := map[string]*endpoint{}
	for _, ep := range eps {
		byOp[ep.op.Name] = ep
	}
	bind := func(op, target, body string) (any, error) {
		ep := byOp[op]
		r := httptest.NewRequest(ep.method, basePath+target, strings.NewReader(body))
		mux := http.NewServeMux()
		var req any
		var err error
		mux.HandleFunc(ep.method+" "+basePath+ep.path, func(w http.ResponseWriter, r *http.Request) {
			req = ep.op.NewRequest()
			err = ep.binding.bind(r, req)
		})
		mux.ServeHTTP(httptest.NewRecorder(), r)
		return req, err
	}

	req, err := bind("GetBonusAccount", "/bonus?limit=20&before=7", "")
	require.NoError(t, err)
	assert.Equal(t, &cabinet.GetBonusAccountRequest{Limit: 20, Before: 7}, req)

	req, err = bind("SendRegistrationCode", "/registrations/r-9/code", `{"phone":"+77011234567"}`)
	require.NoError(t, err)
	assert.Equal(t, &cabinet.SendRegistrationCodeRequest{RegistrationID: "r-9", Phone: "+77011234567"}, req)

	req, err = bind("PayInstallment", "/policies/p-1/installment-payment", "")
	require.NoError(t, err, "an operation without body members takes an empty body")
	assert.Equal(t, &cabinet.PayInstallmentRequest{PolicyID: "p-1"}, req)
	_, err = bind("PayInstallment", "/policies/p-1/installment-payment", "{}")
	require.NoError(t, err, "or an empty object")

	req, err = bind("UploadDocumentScan", "/me/scans", `{"kind":"passport","fileName":"a.pdf","contentType":"application/pdf","content":"JVBERi0="}`)
	require.NoError(t, err)
	assert.Equal(t, cabinet.Binary("%PDF-"), req.(*cabinet.UploadDocumentScanRequest).Content)

	req, err = bind("IssuePolicy", "/insurer/policies", `{"kiasContractId":"K","number":"N","product":"kasko","insurer":"I",
		"startsOn":"2026-01-01","endsOn":"2026-12-31","holder":{"name":"H","kbm":{"class":"3","coefficient":"0.90","asOf":"2026-01-01"}},
		"vehicle":null,"premium":"1.00","paymentMethod":"card","drivers":[{"name":"D"}]}`)
	require.NoError(t, err)
	issue := req.(*cabinet.IssuePolicyRequest)
	assert.Nil(t, issue.Vehicle, "null is absent")
	require.NotNil(t, issue.Holder.KBM)
	assert.Equal(t, "0.90", issue.Holder.KBM.Coefficient)
	assert.Equal(t, []cabinet.PersonInput{{Name: "D"}}, issue.Drivers)

	_, err = bind("IssuePolicy", "/insurer/policies", `{"drivers":[null]}`)
	e, _ := cabinet.ErrorOf(err)
	assert.Equal(t, "drivers[0]", e.Field)
}

func TestConfigValidate(t *testing.T) {
	for url, ok := range map[string]bool{
		"": true, "/api/v1": true, "https://cabinet.example.kz/api/v1": true,
		"api/v1": false, "https://": false, "://x": false,
	} {
		err := Config{ServerURL: url}.Validate()
		assert.Equal(t, ok, err == nil, "%q: %v", url, err)
	}
}
