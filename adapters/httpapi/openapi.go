package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// The OpenAPI 3.0 document, built from the route table and the schema tree
// of cabinet.Describe. Only what the API uses is modelled.

type document struct {
	OpenAPI    string             `json:"openapi"`
	Info       info               `json:"info"`
	Servers    []server           `json:"servers"`
	Tags       []tag              `json:"tags"`
	Paths      ordered[*pathItem] `json:"paths"`
	Components components         `json:"components"`
}

type info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description"`
}

type server struct {
	URL string `json:"url"`
}

type tag struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type components struct {
	Schemas         ordered[*schema]         `json:"schemas"`
	Responses       ordered[*response]       `json:"responses"`
	Parameters      ordered[*parameter]      `json:"parameters"`
	Headers         ordered[*header]         `json:"headers"`
	SecuritySchemes ordered[*securityScheme] `json:"securitySchemes"`
}

type securityScheme struct {
	Type        string `json:"type"`
	Name        string `json:"name,omitempty"`
	In          string `json:"in,omitempty"`
	Scheme      string `json:"scheme,omitempty"`
	Description string `json:"description,omitempty"`
}

type operation struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary"`
	Description string                `json:"description,omitempty"`
	Tags        []string              `json:"tags"`
	Security    []map[string][]string `json:"security"`
	Parameters  []*parameter          `json:"parameters,omitempty"`
	RequestBody *requestBody          `json:"requestBody,omitempty"`
	Responses   ordered[*response]    `json:"responses"`
}

type parameter struct {
	Ref         string  `json:"$ref,omitempty"`
	Name        string  `json:"name,omitempty"`
	In          string  `json:"in,omitempty"`
	Required    bool    `json:"required,omitempty"`
	Description string  `json:"description,omitempty"`
	Schema      *schema `json:"schema,omitempty"`
}

type requestBody struct {
	Required bool                `json:"required"`
	Content  ordered[*mediaType] `json:"content"`
}

type response struct {
	Ref         string              `json:"$ref,omitempty"`
	Description string              `json:"description,omitempty"`
	Headers     ordered[*header]    `json:"headers,omitempty"`
	Content     ordered[*mediaType] `json:"content,omitempty"`
}

type header struct {
	Ref         string  `json:"$ref,omitempty"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required,omitempty"`
	Schema      *schema `json:"schema,omitempty"`
}

type mediaType struct {
	Schema *schema `json:"schema"`
}

type schema struct {
	Ref         string           `json:"$ref,omitempty"`
	AllOf       []*schema        `json:"allOf,omitempty"`
	Type        string           `json:"type,omitempty"`
	Format      string           `json:"format,omitempty"`
	Pattern     string           `json:"pattern,omitempty"`
	MaxLength   int              `json:"maxLength,omitempty"`
	Enum        []string         `json:"enum,omitempty"`
	Description string           `json:"description,omitempty"`
	Example     any              `json:"example,omitempty"`
	Properties  ordered[*schema] `json:"properties,omitempty"`
	Required    []string         `json:"required,omitempty"`
	Items       *schema          `json:"items,omitempty"`
}

// ordered is a JSON object that keeps the order its members were added in.
type ordered[V any] []entry[V]

type entry[V any] struct {
	key   string
	value V
}

func (o *ordered[V]) set(key string, v V) { *o = append(*o, entry[V]{key, v}) }

func (o ordered[V]) get(key string) (V, bool) {
	for _, e := range o {
		if e.key == key {
			return e.value, true
		}
	}
	var zero V
	return zero, false
}

func (o ordered[V]) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(e.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(e.value)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// moneyPattern is the text of a Money value: a decimal with at most two places.
const moneyPattern = `^-?\d+(\.\d{1,2})?$`

// errorStatuses are the statuses every operation documents as a problem;
// "default" covers the rest (405, and any status added later).
var errorStatuses = []string{"400", "401", "403", "404", "409", "429", "500", "503", "default"}

var accessTags = map[cabinet.Access]tag{
	cabinet.Public: {Name: "public", Description: "Registration, login and a forgotten access code: a key of the website role, no session."},
	cabinet.ClientSession: {Name: "client", Description: "The logged-in client's cabinet: a key of the website role and the client's session token. " +
		"Every operation acts on that client only; another client's policy, claim, scan or notification answers 404 NOT_FOUND."},
	cabinet.InsurerSystem: {Name: "insurer", Description: "For the insurer's systems (KIAS, the payment back office): a key of the insurer role."},
}

const apiDescription = `The insurer's website API of kabinet, the client cabinet. The same operations are offered over SOAP at /soap.

Authentication: every request carries the caller's API key in X-API-Key. Operations of a client also carry the session token from Login or ConfirmRegistration as Authorization: Bearer <token>.

Requests: members are matched by exact name; an unknown member, a member of the wrong type or a missing required member is refused with 400 INVALID_ARGUMENT naming it in "field". Bodies over 1 MiB are refused with 400 MALFORMED_REQUEST. A write retried with the same Idempotency-Key does not record its change twice. X-Request-ID, when sent, is echoed back and names the request in kabinet's logs; otherwise kabinet makes one up.

Responses: arrays are always present, empty as []; optional members are absent, never null. Money is a decimal string with at most two places ("1234.50"); dates are "2026-01-31"; times are RFC 3339 with an offset. A write answers once the change shows in every read.

Errors are RFC 9457 problem documents (application/problem+json) whose "code" is stable and machine-readable; 429 answers (RATE_LIMITED, LOCKED) carry Retry-After.`

// buildDocument generates the OpenAPI document of the endpoints.
func buildDocument(eps []*endpoint, serverURL string) ([]byte, error) {
	b := &docBuilder{origin: map[string]string{}, types: map[string]cabinet.Type{}}
	if err := b.sides(eps); err != nil {
		return nil, err
	}
	doc := document{
		OpenAPI: "3.0.3",
		Info:    info{Title: "kabinet website API", Version: "1.0.0", Description: apiDescription},
		Servers: []server{{URL: serverURL}},
		Tags:    []tag{accessTags[cabinet.Public], accessTags[cabinet.ClientSession], accessTags[cabinet.InsurerSystem]},
	}
	for _, ep := range eps {
		op, err := b.operation(ep)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ep.op.Name, err)
		}
		item, ok := doc.Paths.get(ep.path)
		if !ok {
			item = &pathItem{}
			doc.Paths.set(ep.path, item)
		}
		item.set(strings.ToLower(ep.method), op)
	}
	if err := b.commonComponents(); err != nil {
		return nil, err
	}
	doc.Components = b.components
	return json.MarshalIndent(doc, "", "  ")
}

// pathItem holds the operations of one path by lower-case method.
type pathItem = ordered[*operation]

type docBuilder struct {
	components components
	origin     map[string]string       // schema name → the type it describes, to catch two types of one name
	types      map[string]cabinet.Type // every struct met, by name
	inRequest  map[string]bool         // struct schemas a request body holds
	inResponse map[string]bool         // struct schemas a response holds
}

// sides finds which struct types requests and responses hold. In a
// response an array is always present, so it is required; in a request it
// may be left out. A type on both sides with an array could not say both.
func (b *docBuilder) sides(eps []*endpoint) error {
	b.inRequest, b.inResponse = map[string]bool{}, map[string]bool{}
	for _, ep := range eps {
		if ep.binding.body != nil && len(ep.binding.body.order) > 0 {
			b.collect(cabinet.Describe(ep.op.Request), b.inRequest)
		}
		b.collect(cabinet.Describe(ep.op.Response), b.inResponse)
	}
	for name := range b.inRequest {
		if !b.inResponse[name] {
			continue
		}
		for _, f := range b.types[name].Fields {
			if f.List {
				return fmt.Errorf("%s is used in requests and responses and has the array %s, "+
					"which a response always carries and a request may leave out", name, f.JSONName)
			}
		}
	}
	return nil
}

func (b *docBuilder) collect(t cabinet.Type, into map[string]bool) {
	if t.Kind != cabinet.KindStruct || into[t.Name] {
		return
	}
	into[t.Name] = true
	b.types[t.Name] = t
	for _, f := range t.Fields {
		b.collect(f.Type, into)
	}
}
