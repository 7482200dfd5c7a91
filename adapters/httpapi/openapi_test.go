package httpapi

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// testDocument is the document the handler serves, built without a service.
func testDocument(t *testing.T, serverURL string) []byte {
	t.Helper()
	eps, err := compile(routes, cabinet.Operations())
	require.NoError(t, err)
	cfg := Config{ServerURL: serverURL}
	cfg.setDefaults()
	doc, err := buildDocument(eps, cfg.ServerURL)
	require.NoError(t, err)
	return doc
}

func loadDocument(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(data)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	return doc
}

func TestDocumentIsValidOpenAPI(t *testing.T) {
	doc := loadDocument(t, testDocument(t, ""))
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	assert.Equal(t, "/api/v1", doc.Servers[0].URL)
}

func TestDocumentDescribesEveryOperationOnce(t *testing.T) {
	doc := loadDocument(t, testDocument(t, "https://cabinet.example.kz/api/v1"))
	seen := map[string]int{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			seen[op.OperationID]++
			o, ok := cabinet.Lookup(op.OperationID)
			require.True(t, ok, "%s %s: operationId %s is no operation", method, path, op.OperationID)
			sec := (*op.Security)[0]
			assert.Contains(t, sec, "apiKey", op.OperationID)
			_, session := sec["session"]
			assert.Equal(t, o.Access == cabinet.ClientSession, session, "%s: bearer security", op.OperationID)
			for _, status := range []string{"400", "401", "500", "default"} {
				r := op.Responses.Value(status)
				require.NotNil(t, r, "%s: %s", op.OperationID, status)
				assert.Equal(t, "#/components/responses/Problem", r.Ref, "%s: %s", op.OperationID, status)
			}
			assert.NotNil(t, op.Responses.Value("200").Value.Content.Get("application/json"), op.OperationID)
		}
	}
	for _, o := range cabinet.Operations() {
		assert.Equal(t, 1, seen[o.Name], "operation %s", o.Name)
	}
	assert.Len(t, seen, len(cabinet.Operations()))
}

func TestDocumentSchemas(t *testing.T) {
	doc := loadDocument(t, testDocument(t, ""))
	schemas := doc.Components.Schemas

	list := schemas["ListPoliciesResponse"].Value
	assert.Contains(t, list.Required, "policies", "arrays of answers are always present")
	assert.Equal(t, "#/components/schemas/PolicySummary", list.Properties["policies"].Value.Items.Ref)

	summary := schemas["PolicySummary"].Value
	assert.Equal(t, moneyPattern, summary.Properties["premium"].Value.Pattern)
	assert.Equal(t, "date", summary.Properties["startsOn"].Value.Format)
	assert.ElementsMatch(t, []any{"expiring", "active", "history"}, summary.Properties["bucket"].Value.Enum)
	assert.NotContains(t, summary.Required, "vehicle")
	assert.Contains(t, summary.Required, "number")

	issue := schemas["IssuePolicyRequest"].Value
	assert.NotContains(t, issue.Required, "drivers", "a request may leave an array out")
	assert.Contains(t, issue.Required, "kiasContractId")

	body := schemas["SendRegistrationCodeRequest"].Value
	assert.NotContains(t, body.Properties, "registrationId", "a path parameter is not in the body")

	assert.Equal(t, "byte", schemas["GetPolicyDocumentResponse"].Value.Properties["content"].Value.Format)
	assert.Equal(t, "date-time", schemas["Session"].Value.Properties["expiresAt"].Value.Format)

	doc2 := doc.Paths.Find("/policies/{policyId}/document").Get
	assert.NotNil(t, doc2.Responses.Value("200").Value.Content.Get("application/pdf"))

	bucket := doc.Paths.Find("/policies").Get.Parameters.GetByInAndName("query", "bucket")
	require.NotNil(t, bucket)
	assert.False(t, bucket.Required)
	assert.Contains(t, bucket.Schema.Value.Enum, "expiring")

	sec := doc.Components.SecuritySchemes
	assert.Equal(t, "X-API-Key", sec["apiKey"].Value.Name)
	assert.Equal(t, "bearer", sec["session"].Value.Scheme)
}

func TestDocumentIsStable(t *testing.T) {
	a, b := testDocument(t, ""), testDocument(t, "")
	assert.Equal(t, string(a), string(b), "the document is generated in a fixed order")
	assert.True(t, json.Valid(a))
}
