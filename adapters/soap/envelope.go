package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// version is the SOAP version of a message.
type version int

const (
	soap11 version = iota + 1
	soap12
)

const (
	envelope11 = "http://schemas.xmlsoap.org/soap/envelope/"
	envelope12 = "http://www.w3.org/2003/05/soap-envelope"

	actorNext11          = "http://schemas.xmlsoap.org/soap/actor/next"
	roleNext12           = "http://www.w3.org/2003/05/soap-envelope/role/next"
	roleUltimateReceiver = "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"
)

func (v version) namespace() string {
	if v == soap12 {
		return envelope12
	}
	return envelope11
}

func (v version) contentType() string {
	if v == soap12 {
		return "application/soap+xml; charset=utf-8"
	}
	return "text/xml; charset=utf-8"
}

// faultKind is the SOAP fault code family of a refusal.
type faultKind int

const (
	byCode          faultKind = iota // Client/Sender or Server/Receiver, from the error's code
	mustUnderstand                   // a header block we were told to understand and do not
	versionMismatch                  // the root is not an Envelope of 1.1 or 1.2
)

// refusal is a request the edge refuses before it reaches the service.
type refusal struct {
	kind          faultKind
	err           *cabinet.Error
	notUnderstood []xml.Name // header blocks, for mustUnderstand
}

func (r *refusal) Error() string { return r.err.Error() }

func malformed(format string, args ...any) *refusal {
	return &refusal{err: &cabinet.Error{Code: cabinet.CodeMalformedRequest, Message: fmt.Sprintf(format, args...)}}
}

// request is a decoded envelope.
type request struct {
	version version
	op      cabinet.Operation
	payload any // a pointer to op's request type
}

var (
	errDirective = errors.New("DTDs and entity declarations are not allowed")
	errCharset   = errors.New("only UTF-8 is accepted")
)

// guard hands the raw tokens of the body to the namespace-aware decoder,
// refusing any directive (DOCTYPE, ENTITY) wherever it is. It keeps the
// path of open elements and whether the last token closed one: encoding/xml
// converts a value right after reading its end tag, so a conversion error
// then names the field at fault.
type guard struct {
	raw     *xml.Decoder
	path    []string
	lastEnd string // the element the last token closed; "" when it closed none
}

func (g *guard) Token() (xml.Token, error) {
	t, err := g.raw.RawToken()
	if err != nil {
		return nil, err
	}
	g.lastEnd = ""
	switch t := t.(type) {
	case xml.Directive:
		return nil, errDirective
	case xml.StartElement:
		g.path = append(g.path, t.Name.Local)
	case xml.EndElement:
		if len(g.path) > 0 {
			g.lastEnd = g.path[len(g.path)-1]
			g.path = g.path[:len(g.path)-1]
		}
	}
	return t, nil
}

// field is the path of the element that just closed, below the operation
// element (Envelope, Body, operation, then the field), such as
// "installment.number".
func (g *guard) field() string {
	if g.lastEnd == "" || len(g.path) < 3 {
		return ""
	}
	return strings.Join(append(slices.Clone(g.path[3:]), g.lastEnd), ".")
}

// decoder reads one envelope.
type decoder struct {
	g   *guard
	d   *xml.Decoder
	ops map[string]cabinet.Operation
	ver version
}

// decodeEnvelope reads a SOAP 1.1 or 1.2 envelope and decodes its Body's
// one element as the request of the operation it names. fallback is the
// version to answer in when the envelope does not say.
func decodeEnvelope(body []byte, ops map[string]cabinet.Operation, fallback version) (request, *refusal) {
	raw := xml.NewDecoder(bytes.NewReader(body))
	raw.Strict = true
	raw.CharsetReader = func(string, io.Reader) (io.Reader, error) { return nil, errCharset }
	g := &guard{raw: raw}
	dec := &decoder{g: g, d: xml.NewTokenDecoder(g), ops: ops, ver: fallback}
	req, ref := dec.envelope()
	req.version = dec.ver
	return req, ref
}

func (dec *decoder) token() (xml.Token, *refusal) {
	t, err := dec.d.Token()
	if err != nil {
		return nil, dec.syntax(err)
	}
	return t, nil
}

// syntax turns an error of the XML reader into a refusal.
func (dec *decoder) syntax(err error) *refusal {
	var se *xml.SyntaxError
	switch {
	case errors.Is(err, errDirective), errors.Is(err, errCharset):
		return malformed("%s", err)
	case errors.Is(err, io.EOF):
		return malformed("the body ends before the envelope does")
	case errors.As(err, &se):
		return malformed("the body is not well-formed XML: %s", se.Msg)
	}
	return malformed("the body is not well-formed XML")
}

func (dec *decoder) envelope() (request, *refusal) {
	var root xml.StartElement
	for root.Name.Local == "" {
		t, ref := dec.token()
		if ref != nil {
			return request{}, ref
		}
		switch t := t.(type) {
		case xml.StartElement:
			root = t
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return request{}, malformed("text before the Envelope")
			}
		case xml.ProcInst:
			if t.Target != "xml" {
				return request{}, malformed("processing instructions are not allowed")
			}
		}
	}
	switch {
	case root.Name.Space == envelope11 && root.Name.Local == "Envelope":
		dec.ver = soap11
	case root.Name.Space == envelope12 && root.Name.Local == "Envelope":
		dec.ver = soap12
	case root.Name.Local == "Envelope":
		return request{}, &refusal{kind: versionMismatch, err: &cabinet.Error{
			Code: cabinet.CodeMalformedRequest, Message: "the Envelope must be of SOAP 1.1 or SOAP 1.2"}}
	default:
		return request{}, malformed("the root element must be a SOAP Envelope")
	}

	var req request
	seenHeader, seenBody := false, false
	for {
		t, ref := dec.token()
		if ref != nil {
			return request{}, ref
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch {
			case t.Name == xml.Name{Space: dec.ver.namespace(), Local: "Header"} && !seenHeader && !seenBody:
				seenHeader = true
				if ref := dec.header(); ref != nil {
					return request{}, ref
				}
			case t.Name == xml.Name{Space: dec.ver.namespace(), Local: "Body"} && !seenBody:
				seenBody = true
				if req, ref = dec.body(); ref != nil {
					return request{}, ref
				}
			default:
				return request{}, malformed("unexpected element %s in the Envelope", t.Name.Local)
			}
		case xml.EndElement:
			if !seenBody {
				return request{}, malformed("the Envelope has no Body")
			}
			return req, dec.rest()
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return request{}, malformed("text in the Envelope")
			}
		case xml.ProcInst:
			return request{}, malformed("processing instructions are not allowed")
		}
	}
}

// header checks the header blocks: one that is meant for us and must be
// understood is refused, since this service implements none.
func (dec *decoder) header() *refusal {
	var notUnderstood []xml.Name
	for {
		t, ref := dec.token()
		if ref != nil {
			return ref
		}
		switch t := t.(type) {
		case xml.StartElement:
			if dec.mustUnderstand(t) {
				notUnderstood = append(notUnderstood, t.Name)
			}
			if err := dec.d.Skip(); err != nil {
				return dec.syntax(err)
			}
		case xml.EndElement:
			if len(notUnderstood) > 0 {
				names := make([]string, len(notUnderstood))
				for i, n := range notUnderstood {
					names[i] = n.Local
				}
				return &refusal{kind: mustUnderstand, notUnderstood: notUnderstood, err: &cabinet.Error{
					Code:    cabinet.CodeMalformedRequest,
					Message: "header blocks that must be understood are not supported: " + strings.Join(names, ", "),
				}}
			}
			return nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return malformed("text in the Header")
			}
		case xml.ProcInst:
			return malformed("processing instructions are not allowed")
		}
	}
}

func (dec *decoder) mustUnderstand(block xml.StartElement) bool {
	ns := dec.ver.namespace()
	must, target := false, ""
	for _, a := range block.Attr {
		switch {
		case a.Name == xml.Name{Space: ns, Local: "mustUnderstand"}:
			v := strings.TrimSpace(a.Value)
			must = v == "1" || v == "true"
		case dec.ver == soap11 && a.Name == xml.Name{Space: ns, Local: "actor"},
			dec.ver == soap12 && a.Name == xml.Name{Space: ns, Local: "role"}:
			target = strings.TrimSpace(a.Value)
		}
	}
	if !must {
		return false
	}
	switch target {
	case "", actorNext11, roleNext12, roleUltimateReceiver:
		return true
	}
	return false // for another node on the path
}

// body decodes the Body's one element.
func (dec *decoder) body() (request, *refusal) {
	var req request
	seenOp := false
	for {
		t, ref := dec.token()
		if ref != nil {
			return request{}, ref
		}
		switch t := t.(type) {
		case xml.StartElement:
			if seenOp {
				return request{}, malformed("the Body must hold one operation element")
			}
			seenOp = true
			if req, ref = dec.operation(t); ref != nil {
				return request{}, ref
			}
		case xml.EndElement:
			if !seenOp {
				return request{}, malformed("the Body has no operation element")
			}
			return req, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return request{}, malformed("text in the Body")
			}
		case xml.ProcInst:
			return request{}, malformed("processing instructions are not allowed")
		}
	}
}

func (dec *decoder) operation(start xml.StartElement) (request, *refusal) {
	if start.Name.Space != Namespace {
		return request{}, &refusal{err: &cabinet.Error{Code: cabinet.CodeUnknownNamespace,
			Message: fmt.Sprintf("the operation element must be in the namespace %s", Namespace)}}
	}
	op, ok := dec.ops[start.Name.Local]
	if !ok {
		return request{}, &refusal{err: &cabinet.Error{Code: cabinet.CodeUnknownOperation,
			Message: fmt.Sprintf("there is no operation %s", start.Name.Local)}}
	}
	payload := op.NewRequest()
	if err := dec.d.DecodeElement(payload, &start); err != nil {
		var se *xml.SyntaxError
		field := dec.g.field()
		if errors.As(err, &se) || errors.Is(err, errDirective) || errors.Is(err, errCharset) || errors.Is(err, io.EOF) || field == "" {
			return request{}, dec.syntax(err)
		}
		// The value of a field did not convert (a number, a boolean,
		// base64). The text is not echoed: it may be personal data.
		return request{}, &refusal{err: &cabinet.Error{Code: cabinet.CodeInvalidArgument, Field: field,
			Message: "the value does not match the field's schema type"}}
	}
	return request{op: op, payload: payload}, nil
}

// rest checks that nothing but comments and white space follow the
// Envelope.
func (dec *decoder) rest() *refusal {
	for {
		t, err := dec.d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return dec.syntax(err)
		}
		switch t := t.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return malformed("text after the Envelope")
			}
		case xml.Comment:
		default:
			return malformed("content after the Envelope")
		}
	}
}
