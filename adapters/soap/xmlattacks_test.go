package soap

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

// nested is n elements named name, each inside the one before.
func nested(name string, n int, inner string) string {
	var b strings.Builder
	b.Grow(n * (2*len(name) + 5))
	for range n {
		b.WriteString("<" + name + ">")
	}
	b.WriteString(inner)
	for range n {
		b.WriteString("</" + name + ">")
	}
	return b.String()
}

// attributes is n distinct attributes written by one.
func attributes(n int, one func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(" " + one(i))
	}
	return b.String()
}

// TestXMLAttacks sends the shapes that make XML parsers run out of memory,
// time or stack, or read what they should not, each under the 1 MiB body
// limit and in both SOAP versions. Every answer is a well-formed Fault of
// the sender's making (server.post checks it against the schemas), nothing
// of the server's files comes back, and the endpoint serves the next
// request as before.
func TestXMLAttacks(t *testing.T) {
	s := newServer(t)
	const deep = 100_000 // levels of nesting; "<a></a>" each, about 700 KiB
	login := func(inner string) string {
		return `<Login xmlns="` + Namespace + `">` + inner + `</Login>`
	}
	cases := []struct {
		name  string
		body  func(v version) []byte
		codes []cabinet.Code // any of them
	}{
		{"deep nesting inside the operation", func(v version) []byte {
			return envelope(v, login(nested("a", deep, "")))
		}, []cabinet.Code{cabinet.CodeInvalidArgument, cabinet.CodeMalformedRequest}},
		{"deep nesting inside a field", func(v version) []byte {
			return envelope(v, login(`<login>`+nested("a", deep, "870412300415")+`</login><accessCode>1234</accessCode>`))
		}, []cabinet.Code{cabinet.CodeInvalidArgument, cabinet.CodeMalformedRequest}},
		{"deep nesting inside a header block", func(v version) []byte {
			env := envelope(v, login(`<login>870412300415</login><accessCode>1234</accessCode>`))
			prefix := map[version]string{soap11: "soap", soap12: "env"}[v]
			header := "<" + prefix + ":Header>" + `<h xmlns="urn:h">` + nested("a", deep, "") + `</h></` + prefix + ":Header>"
			return bytes.Replace(env, []byte("<"+prefix+":Body>"), []byte(header+"<"+prefix+":Body>"), 1)
		}, []cabinet.Code{cabinet.CodeInvalidCredentials, cabinet.CodeInvalidArgument, cabinet.CodeMalformedRequest}},
		{"deep nesting in place of the Body", func(v version) []byte {
			env := envelope(v, "")
			prefix := map[version]string{soap11: "soap", soap12: "env"}[v]
			return bytes.Replace(env, []byte("<"+prefix+":Body></"+prefix+":Body>"), []byte(nested("a", deep, "")), 1)
		}, []cabinet.Code{cabinet.CodeMalformedRequest}},
		{"deep nesting never closed", func(v version) []byte {
			return envelope(v, login(strings.Repeat("<a>", 250_000)))
		}, []cabinet.Code{cabinet.CodeMalformedRequest}},
		{"a huge attribute", func(v version) []byte {
			return envelope(v, `<Login xmlns="`+Namespace+`" note="`+strings.Repeat("x", 900_000)+`"><login>870412300415</login><accessCode>1234</accessCode></Login>`)
		}, []cabinet.Code{cabinet.CodeInvalidCredentials, cabinet.CodeInvalidArgument}},
		{"many attributes", func(v version) []byte {
			attrs := attributes(60_000, func(i int) string { return fmt.Sprintf(`a%d=""`, i) })
			return envelope(v, `<Login xmlns="`+Namespace+`"`+attrs+`><login>870412300415</login><accessCode>1234</accessCode></Login>`)
		}, []cabinet.Code{cabinet.CodeInvalidCredentials, cabinet.CodeInvalidArgument}},
		{"many namespace declarations", func(v version) []byte {
			decls := attributes(30_000, func(i int) string { return fmt.Sprintf(`xmlns:p%d="urn:p:%d"`, i, i) })
			return bytes.Replace(envelope(v, login(`<login>870412300415</login><accessCode>1234</accessCode>`)),
				[]byte(`Envelope xmlns:`), []byte(`Envelope`+decls+` xmlns:`), 1)
		}, []cabinet.Code{cabinet.CodeInvalidCredentials, cabinet.CodeInvalidArgument}},
		{"a huge element name", func(v version) []byte {
			name := strings.Repeat("n", 900_000)
			return envelope(v, login(`<`+name+`/>`))
		}, []cabinet.Code{cabinet.CodeInvalidArgument}},
		{"many character references", func(v version) []byte {
			return envelope(v, login(`<login>`+strings.Repeat("&#x37;", 150_000)+`</login><accessCode>1234</accessCode>`))
		}, []cabinet.Code{cabinet.CodeInvalidCredentials, cabinet.CodeInvalidArgument}},
		{"a NUL character reference", func(v version) []byte {
			return envelope(v, login(`<login>870412300415&#0;</login><accessCode>1234</accessCode>`))
		}, []cabinet.Code{cabinet.CodeMalformedRequest}},
		{"an entity never declared", func(v version) []byte {
			return envelope(v, login(`<login>&lol9;</login><accessCode>1234</accessCode>`))
		}, []cabinet.Code{cabinet.CodeMalformedRequest}},
		{"an entity in an attribute", func(v version) []byte {
			return envelope(v, `<Login xmlns="`+Namespace+`" a="&xxe;"><login>870412300415</login><accessCode>1234</accessCode></Login>`)
		}, []cabinet.Code{cabinet.CodeMalformedRequest}},
		{"a parameter entity", func(v version) []byte {
			return append([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>`),
				bytes.TrimPrefix(envelope(v, login(`<login>870412300415</login><accessCode>1234</accessCode>`)), []byte(xmlDecl))...)
		}, []cabinet.Code{cabinet.CodeMalformedRequest}},
		{"a DOCTYPE after the Envelope", func(v version) []byte {
			return append(envelope(v, login(`<login>870412300415</login><accessCode>1234</accessCode>`)), []byte(`<!DOCTYPE x [<!ENTITY a "b">]>`)...)
		}, []cabinet.Code{cabinet.CodeMalformedRequest}},
		{"an XInclude", func(v version) []byte {
			return envelope(v, login(`<login><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/></login><accessCode>1234</accessCode>`))
		}, []cabinet.Code{cabinet.CodeInvalidArgument}},
		{"a CDATA section hiding markup", func(v version) []byte {
			return envelope(v, login(`<login><![CDATA[<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>&a;]]></login><accessCode>1234</accessCode>`))
		}, []cabinet.Code{cabinet.CodeInvalidArgument}},
	}
	for _, c := range cases {
		for _, v := range []version{soap11, soap12} {
			t.Run(c.name+map[version]string{soap11: " 1.1", soap12: " 1.2"}[v], func(t *testing.T) {
				body := c.body(v)
				require.LessOrEqual(t, len(body), MaxBodyBytes, "the attack fits under the body limit")
				r := s.post(t, v.contentType(), headers(s.kit.Website()), body)
				require.NotNil(t, r.fault, "a fault, not a response:\n%.2000s", r.body)
				assert.Equal(t, family(v, true), r.fault.code, "the sender's fault: %.2000s", r.body)
				assert.Contains(t, c.codes, cabinet.Code(r.fault.detail.Code), "%.2000s", r.body)
				assert.Less(t, len(r.body), 4096, "the fault does not echo the request")
				assert.NotContains(t, string(r.body), "root:", "nothing of the server's files comes back")
			})
		}
	}

	// The endpoint is none the worse for them.
	var resp cabinet.ResetAccessCodeResponse
	s.call(t, soap11, s.kit.Website(), "ResetAccessCode", &cabinet.ResetAccessCodeRequest{Login: cabinettest.NewIIN().String()}).decode(t, &resp)
	assert.True(t, resp.Accepted)
}

const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>`
