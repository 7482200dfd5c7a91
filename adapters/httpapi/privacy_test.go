package httpapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

func TestConsentsOverJSON(t *testing.T) {
	a := newAPI(t)
	c := a.kit.Client(t)

	var list cabinet.GetConsentsResponse
	r := a.ok(call{method: http.MethodGet, path: "/me/consents"}.as(c.Session), &list)
	assert.Contains(t, string(r.body), `"consents":[]`)

	expires := a.kit.Now().Add(30 * 24 * time.Hour).Truncate(time.Second).Format(time.RFC3339)
	var given cabinet.GiveConsentResponse
	a.ok(call{method: http.MethodPut, path: "/me/consents/marketing",
		body: map[string]any{"scope": []string{"phone", "email"}, "expiresAt": expires}}.as(c.Session), &given)
	assert.Equal(t, "marketing", given.Consent.Purpose, "the purpose is the path's")
	assert.Equal(t, []string{"email", "phone"}, given.Consent.Scope)
	assert.Equal(t, cabinet.DateTime(expires), given.Consent.ExpiresAt)
	a.ok(call{method: http.MethodPut, path: "/me/consents/personal_data", body: map[string]any{"scope": []string{"iin"}}}.as(c.Session), nil)

	a.ok(call{method: http.MethodGet, path: "/me/consents"}.as(c.Session), &list)
	require.Len(t, list.Consents, 2)
	assert.Equal(t, "active", list.Consents[0].Status)

	var withdrawn cabinet.WithdrawConsentResponse
	a.ok(call{method: http.MethodDelete, path: "/me/consents/marketing"}.as(c.Session), &withdrawn)
	assert.Equal(t, "withdrawn", withdrawn.Consent.Status)

	a.kit.Policy(t, c, cabinettest.PolicyOptions{})
	p := a.fails(call{method: http.MethodDelete, path: "/me/consents/personal_data"}.as(c.Session), http.StatusConflict, cabinet.CodeConsentRequiredByContract)
	assert.Equal(t, "purpose", p.Field)
	p = a.fails(call{method: http.MethodDelete, path: "/me/consents/third_parties"}.as(c.Session), http.StatusNotFound, cabinet.CodeNotFound)
	assert.Equal(t, "purpose", p.Field, "no such consent on file")

	p = a.fails(call{method: http.MethodPut, path: "/me/consents/research", body: map[string]any{"scope": []string{"iin"}}, outside: true}.as(c.Session),
		http.StatusBadRequest, cabinet.CodeInvalidArgument)
	assert.Equal(t, "purpose", p.Field)
	p = a.fails(call{method: http.MethodPut, path: "/me/consents/marketing", body: map[string]any{"scope": []string{}}}.as(c.Session),
		http.StatusBadRequest, cabinet.CodeInvalidArgument)
	assert.Equal(t, "scope", p.Field)
	p = a.fails(call{method: http.MethodPut, path: "/me/consents/marketing", body: map[string]any{"scope": "iin"}, outside: true}.as(c.Session),
		http.StatusBadRequest, cabinet.CodeInvalidArgument)
	assert.Equal(t, "scope", p.Field, "a scope is a list")
}

func TestErasureOverJSON(t *testing.T) {
	a := newAPI(t)
	holder, leaver := a.kit.Client(t), a.kit.Client(t)
	a.kit.Policy(t, holder, cabinettest.PolicyOptions{})

	var deferred cabinet.RequestErasureResponse
	a.ok(call{method: http.MethodPost, path: "/me/erasure"}.as(holder.Session), &deferred)
	assert.Equal(t, cabinet.RequestErasureResponse{Status: "deferred", Reason: "active_policy"}, deferred)
	a.ok(call{method: http.MethodGet, path: "/me/settings"}.as(holder.Session), nil)

	var office cabinet.EraseClientResponse
	a.ok(call{method: http.MethodPost, path: "/insurer/clients/erasure", body: map[string]string{"clientId": holder.ID.String()}}.as(a.kit.Insurer()), &office)
	assert.Equal(t, cabinet.EraseClientResponse{ClientID: holder.ID.String(), Status: "deferred", Reason: "active_policy"}, office)

	var erased cabinet.RequestErasureResponse
	a.ok(call{method: http.MethodPost, path: "/me/erasure"}.as(leaver.Session), &erased)
	assert.Equal(t, cabinet.RequestErasureResponse{Status: "erased"}, erased)
	a.fails(call{method: http.MethodGet, path: "/me/settings"}.as(leaver.Session), http.StatusUnauthorized, cabinet.CodeSessionRequired)
	a.fails(call{method: http.MethodPost, path: "/sessions", body: map[string]string{"login": leaver.IIN.String(), "accessCode": leaver.Code}}.as(a.kit.Website()),
		http.StatusUnauthorized, cabinet.CodeInvalidCredentials)
	var again cabinet.EraseClientResponse
	a.ok(call{method: http.MethodPost, path: "/insurer/clients/erasure", body: map[string]string{"iin": leaver.IIN.String()}}.as(a.kit.Insurer()), &again)
	assert.Equal(t, cabinet.EraseClientResponse{ClientID: leaver.ID.String(), Status: "erased"}, again)
	assert.Len(t, a.kit.Keys.Destroyed(), 1)

	p := a.fails(call{method: http.MethodPost, path: "/insurer/clients/erasure", body: map[string]string{}}.as(a.kit.Insurer()),
		http.StatusBadRequest, cabinet.CodeInvalidArgument)
	assert.Equal(t, "iin", p.Field)
}
