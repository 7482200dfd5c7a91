package httpapi

import (
	"fmt"
	"net/http"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

const (
	schemaRef    = "#/components/schemas/"
	problemRef   = "#/components/responses/Problem"
	requestIDRef = "#/components/headers/X-Request-ID"
)

// operation describes one endpoint.
func (b *docBuilder) operation(ep *endpoint) (*operation, error) {
	o := ep.op
	op := &operation{
		OperationID: o.Name,
		Summary:     o.Doc,
		Description: roleNote[o.Access],
		Tags:        []string{accessTags[o.Access].Name},
		Security:    []map[string][]string{{"apiKey": {}}},
	}
	if o.Access == cabinet.ClientSession {
		op.Security = []map[string][]string{{"apiKey": {}, "session": {}}}
	}
	if ep.download != "" {
		op.Description += " Answers with JSON, the document in base64, by default; with Accept: " + ep.download +
			", with the document itself."
	}
	for _, m := range ep.binding.path {
		s, err := b.fieldSchema(m.field)
		if err != nil {
			return nil, err
		}
		op.Parameters = append(op.Parameters, &parameter{Name: m.name, In: "path", Required: true, Schema: s})
	}
	for _, m := range ep.binding.order {
		s, err := b.fieldSchema(m.field)
		if err != nil {
			return nil, err
		}
		desc := s.Description
		s.Description = ""
		op.Parameters = append(op.Parameters, &parameter{Name: m.name, In: "query", Required: m.required, Description: desc, Schema: s})
	}
	op.Parameters = append(op.Parameters, &parameter{Ref: "#/components/parameters/RequestId"})
	if ep.method != http.MethodGet {
		op.Parameters = append(op.Parameters, &parameter{Ref: "#/components/parameters/IdempotencyKey"})
	}

	if body := ep.binding.body; body != nil && len(body.order) > 0 {
		t := cabinet.Describe(o.Request)
		skip := make(map[string]bool)
		for _, m := range ep.binding.path {
			skip[m.name] = true
		}
		ref, err := b.structSchema(t, skip)
		if err != nil {
			return nil, err
		}
		rb := &requestBody{}
		for _, m := range body.order {
			rb.Required = rb.Required || m.required
		}
		rb.Content.set("application/json", &mediaType{Schema: ref})
		op.RequestBody = rb
	}

	ref, err := b.structSchema(cabinet.Describe(o.Response), nil)
	if err != nil {
		return nil, err
	}
	ok := &response{Description: "The operation's answer."}
	ok.Headers.set("X-Request-ID", &header{Ref: requestIDRef})
	ok.Content.set("application/json", &mediaType{Schema: ref})
	if ep.download != "" {
		ok.Content.set(ep.download, &mediaType{Schema: &schema{Type: "string", Format: "binary"}})
	}
	op.Responses.set("200", ok)
	for _, status := range errorStatuses {
		op.Responses.set(status, &response{Ref: problemRef})
	}
	return op, nil
}

var roleNote = map[cabinet.Access]string{
	cabinet.Public:        "Needs an API key of the website role.",
	cabinet.ClientSession: "Needs an API key of the website role and the client's session token.",
	cabinet.InsurerSystem: "Needs an API key of the insurer role.",
}

// structSchema registers the schema of a struct type, without the members
// in skip, and returns a reference to it.
func (b *docBuilder) structSchema(t cabinet.Type, skip map[string]bool) (*schema, error) {
	origin := t.Name
	if len(skip) > 0 {
		origin += " without its path parameters"
	}
	ref := &schema{Ref: schemaRef + t.Name}
	if prev, ok := b.origin[t.Name]; ok {
		if prev != origin {
			return nil, fmt.Errorf("two schemas named %s: %s and %s", t.Name, prev, origin)
		}
		return ref, nil
	}
	b.origin[t.Name] = origin
	s := &schema{Type: "object"}
	b.components.Schemas.set(t.Name, s)
	for _, f := range t.Fields {
		if skip[f.JSONName] {
			continue
		}
		fs, err := b.fieldSchema(f)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t.Name, f.JSONName, err)
		}
		s.Properties.set(f.JSONName, fs)
		// Arrays are always written in answers, so they are required there.
		if !f.Optional || (f.List && !b.inRequest[t.Name]) {
			s.Required = append(s.Required, f.JSONName)
		}
	}
	return ref, nil
}

// fieldSchema is the schema of a member, with its enum and doc.
func (b *docBuilder) fieldSchema(f cabinet.Field) (*schema, error) {
	s, err := b.typeSchema(f.Type)
	if err != nil {
		return nil, err
	}
	if len(f.Enum) > 0 {
		if s.Ref != "" {
			return nil, fmt.Errorf("an enum on the struct %s", f.Type.Name)
		}
		s.Enum = f.Enum
	}
	if f.List {
		s = &schema{Type: "array", Items: s}
	}
	if f.Doc != "" {
		if s.Ref != "" { // siblings of $ref are ignored in OpenAPI 3.0
			s = &schema{AllOf: []*schema{s}}
		}
		s.Description = f.Doc
	}
	return s, nil
}

func (b *docBuilder) typeSchema(t cabinet.Type) (*schema, error) {
	switch t.Kind {
	case cabinet.KindString:
		return &schema{Type: "string"}, nil
	case cabinet.KindDate:
		return &schema{Type: "string", Format: "date"}, nil
	case cabinet.KindDateTime:
		return &schema{Type: "string", Format: "date-time"}, nil
	case cabinet.KindMoney:
		return &schema{Type: "string", Pattern: moneyPattern, Example: "1234.50"}, nil
	case cabinet.KindInt:
		return &schema{Type: "integer", Format: "int64"}, nil
	case cabinet.KindBool:
		return &schema{Type: "boolean"}, nil
	case cabinet.KindBinary:
		return &schema{Type: "string", Format: "byte"}, nil
	case cabinet.KindStruct:
		return b.structSchema(t, nil)
	}
	return nil, fmt.Errorf("no schema for %s (kind %d)", t.Name, t.Kind)
}

// commonComponents adds what every operation refers to: the problem, the
// headers and the security schemes.
func (b *docBuilder) commonComponents() error {
	if _, taken := b.origin["Problem"]; taken {
		return fmt.Errorf("a wire type is named Problem, the name of the error schema")
	}
	c := &b.components
	str := &schema{Type: "string"}
	p := &schema{Type: "object", Description: "An RFC 9457 problem document with kabinet's members.",
		Required: []string{"type", "title", "status", "detail", "code", "requestId"}}
	p.Properties.set("type", &schema{Type: "string", Example: problemType + "INVALID_ARGUMENT",
		Description: problemType + " followed by the code."})
	p.Properties.set("title", &schema{Type: "string", Description: "A fixed summary of the code."})
	p.Properties.set("status", &schema{Type: "integer", Format: "int32", Description: "The HTTP status."})
	p.Properties.set("detail", &schema{Type: "string", Description: "What went wrong, in English, for developers; not meant to be shown to end users as is."})
	p.Properties.set("code", &schema{Type: "string", Example: "INVALID_ARGUMENT",
		Description: "Stable and machine-readable; the same codes as the SOAP faults. New codes may be added."})
	p.Properties.set("field", &schema{Type: "string", Description: "The request member at fault, as a path such as personalData.birthDate."})
	p.Properties.set("retryAfterSeconds", &schema{Type: "integer", Format: "int64", Description: "How long to wait before trying again, as in Retry-After."})
	p.Properties.set("requestId", &schema{Type: "string", Description: "The request's X-Request-ID; quote it when reporting a problem."})
	c.Schemas.set("Problem", p)

	problem := &response{Description: "The operation failed; code says why."}
	problem.Headers.set("X-Request-ID", &header{Ref: requestIDRef})
	problem.Headers.set("Retry-After", &header{Ref: "#/components/headers/Retry-After"})
	problem.Content.set("application/problem+json", &mediaType{Schema: &schema{Ref: schemaRef + "Problem"}})
	c.Responses.set("Problem", problem)

	c.Parameters.set("RequestId", &parameter{Name: "X-Request-ID", In: "header",
		Description: "Names the request in kabinet's logs and is echoed back; made up when absent.",
		Schema:      &schema{Type: "string", MaxLength: 128, Pattern: `^[!-~]+$`}})
	c.Parameters.set("IdempotencyKey", &parameter{Name: "Idempotency-Key", In: "header",
		Description: "The same key on a retried write makes it take effect once.", Schema: str})

	c.Headers.set("X-Request-ID", &header{Required: true, Description: "The request's ID, sent or made up.", Schema: str})
	c.Headers.set("Retry-After", &header{Description: "Seconds to wait before trying again (429).",
		Schema: &schema{Type: "integer", Format: "int64"}})

	c.SecuritySchemes.set("apiKey", &securityScheme{Type: "apiKey", In: "header", Name: "X-API-Key",
		Description: "The caller's API key; its role (website or insurer) decides which operations it may call."})
	c.SecuritySchemes.set("session", &securityScheme{Type: "http", Scheme: "bearer",
		Description: "The client's session token from Login or ConfirmRegistration."})
	return nil
}
