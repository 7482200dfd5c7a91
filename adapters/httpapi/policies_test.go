package httpapi

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

func TestLoginListAndGetPolicies(t *testing.T) {
	a := newAPI(t)
	c := a.kit.Client(t)
	p := a.kit.Policy(t, c, cabinettest.PolicyOptions{})
	a.kit.Policy(t, c, cabinettest.PolicyOptions{Installments: 3})

	var login cabinet.LoginResponse
	a.ok(call{method: http.MethodPost, path: "/sessions", key: a.kit.WebsiteKey,
		body: map[string]string{"login": c.IIN.String(), "accessCode": c.Code}}, &login)
	require.NotEmpty(t, login.Session.Token)
	assert.Equal(t, c.ID.String(), login.Session.ClientID)
	session := call{key: a.kit.WebsiteKey, token: login.Session.Token}

	var list cabinet.ListPoliciesResponse
	a.ok(call{method: http.MethodGet, path: "/policies", key: session.key, token: session.token}, &list)
	assert.EqualValues(t, 2, list.Counts.All)
	assert.EqualValues(t, 1, list.Counts.Installments)
	assert.Len(t, list.Policies, 2)

	a.ok(call{method: http.MethodGet, path: "/policies?bucket=installments", key: session.key, token: session.token}, &list)
	require.Len(t, list.Policies, 1)
	require.NotNil(t, list.Policies[0].NextInstallment)

	var got cabinet.GetPolicyResponse
	r := a.ok(call{method: http.MethodGet, path: "/policies/" + p.ID.String(), key: session.key, token: session.token}, &got)
	assert.Equal(t, p.Number, got.Policy.Summary.Number)
	assert.Contains(t, string(r.body), `"insuredPersons":[]`, "an empty array is [], not null")
	require.Len(t, got.Policy.Drivers, 1)
	require.NotNil(t, got.Policy.Drivers[0].KBM)
	assert.Equal(t, "0.90", got.Policy.Drivers[0].KBM.Coefficient)
}

func TestPolicyDocumentAsJSONAndAsPDF(t *testing.T) {
	a := newAPI(t)
	c := a.kit.Client(t)
	p := a.kit.Policy(t, c, cabinettest.PolicyOptions{})
	path := "/policies/" + p.ID.String() + "/document"

	var doc cabinet.GetPolicyDocumentResponse
	a.ok(call{method: http.MethodGet, path: path}.as(c.Session), &doc)
	assert.Equal(t, "application/pdf", doc.ContentType)
	assert.Equal(t, "kabinet", doc.Source)
	require.True(t, len(doc.Content) > 1000)
	assert.Equal(t, "%PDF-", string(doc.Content[:5]))

	raw := a.ok(call{method: http.MethodGet, path: path, header: map[string]string{"Accept": "application/pdf"}}.as(c.Session), nil)
	assert.Equal(t, "application/pdf", raw.header.Get("Content-Type"))
	assert.Contains(t, raw.header.Get("Content-Disposition"), "attachment")
	assert.True(t, bytes.HasPrefix(raw.body, []byte("%PDF-")), "the PDF itself")
	assert.InDelta(t, len(doc.Content), len(raw.body), 64, "the same document either way, bar its time stamp")

	file := filepath.Join(t.TempDir(), "policy.pdf")
	require.NoError(t, os.WriteFile(file, raw.body, 0o600))
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	require.NoError(t, err, "pdftotext (poppler-utils) reads the document")
	assert.Contains(t, string(text), p.Number)

	// JSON stays the answer when the caller prefers it or asks for anything.
	for _, accept := range []string{"application/json", "*/*", "application/json, application/pdf;q=0.5"} {
		r := a.ok(call{method: http.MethodGet, path: path, header: map[string]string{"Accept": accept}}.as(c.Session), nil)
		assert.Equal(t, "application/json", r.header.Get("Content-Type"), accept)
	}
}
