package soap

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/kz"
)

// server is the SOAP handler on a real service, with a validator built
// from the WSDL it serves.
type server struct {
	kit *cabinettest.Kit
	srv *httptest.Server
	val *validator
}

func newServer(t *testing.T) *server {
	t.Helper()
	kit := cabinettest.New(t)
	h, err := NewHandler(kit.Service, Config{})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &server{kit: kit, srv: srv}
	s.val = newValidator(t, s.wsdl(t))
	return s
}

func (s *server) url() string { return s.srv.URL + "/soap" }

func (s *server) wsdl(t *testing.T) []byte {
	t.Helper()
	resp, err := http.Get(s.url() + "?wsdl")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return body
}

// reply is an HTTP answer of the endpoint, parsed.
type reply struct {
	status  int
	header  http.Header
	body    []byte
	version version
	payload xml.Name // the Body's child
	fault   *parsedFault
}

type parsedFault struct {
	code    string // local name of faultcode or Code/Value: Client, Sender, MustUnderstand…
	subcode string // 1.2: the Subcode's value, such as k:AUTH_FAILED
	reason  string
	detail  faultDetail
}

// post sends body as it is and checks the answer against the SOAP rules
// and the schemas.
func (s *server) post(t *testing.T, contentType string, header http.Header, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url(), bytes.NewReader(body))
	require.NoError(t, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := reply{status: resp.StatusCode, header: resp.Header, body: out}
	s.inspect(t, &r)
	return r
}

// inspect parses r and checks what every answer must satisfy: a SOAP
// envelope of the version of its Content-Type, valid against the schemas,
// holding either the response element of an operation or a Fault with a
// KabinetFault detail, with the status the SOAP HTTP binding gives.
func (s *server) inspect(t *testing.T, r *reply) {
	t.Helper()
	require.NotEmpty(t, r.header.Get("X-Request-ID"), "every answer carries X-Request-ID")
	ct := r.header.Get("Content-Type")
	switch ct {
	case soap11.contentType():
		r.version = soap11
	case soap12.contentType():
		r.version = soap12
	default:
		t.Fatalf("Content-Type %q is not a SOAP one; body:\n%s", ct, r.body)
	}
	require.NoError(t, s.val.verify(t, r), "the answer is valid:\n%s", r.body)
	switch {
	case r.fault == nil:
		assert.Equal(t, http.StatusOK, r.status)
	case r.version == soap11:
		if r.status != http.StatusMethodNotAllowed {
			assert.Equal(t, http.StatusInternalServerError, r.status, "SOAP 1.1 faults answer 500")
		}
	default:
		want := http.StatusInternalServerError
		if r.fault.code == "Sender" {
			want = http.StatusBadRequest
		}
		assert.Equal(t, want, r.status, "SOAP 1.2 Sender faults answer 400, the others 500")
		assert.Equal(t, "k:"+r.fault.detail.Code, r.fault.subcode, "the Subcode is the fault's code")
	}
}

// decode reads the response element of r into out.
func (r reply) decode(t *testing.T, out any) {
	t.Helper()
	require.Nil(t, r.fault, "a response, not a fault:\n%s", r.body)
	d := xml.NewDecoder(bytes.NewReader(r.body))
	for {
		tok, err := d.Token()
		require.NoError(t, err)
		if se, ok := tok.(xml.StartElement); ok && se.Name == r.payload {
			require.NoError(t, d.DecodeElement(out, &se))
			return
		}
	}
}

// requireFault checks that r is a fault of the family (Client, Server,
// Sender, Receiver…) with the code.
func (r reply) requireFault(t *testing.T, family string, code cabinet.Code) *parsedFault {
	t.Helper()
	require.NotNil(t, r.fault, "a fault, not a response:\n%s", r.body)
	assert.Equal(t, family, r.fault.code, "%s", r.body)
	assert.Equal(t, string(code), r.fault.detail.Code, "%s", r.body)
	return r.fault
}

// family is the SOAP fault family of a client's or the server's mistake in
// version v.
func family(v version, sender bool) string {
	switch {
	case v == soap11 && sender:
		return "Client"
	case v == soap11:
		return "Server"
	case sender:
		return "Sender"
	}
	return "Receiver"
}

// envelope wraps payload in an Envelope of version v.
func envelope(v version, payload string) []byte {
	if v == soap12 {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?>` +
			`<env:Envelope xmlns:env="` + envelope12 + `"><env:Body>` + payload + `</env:Body></env:Envelope>`)
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<soap:Envelope xmlns:soap="` + envelope11 + `"><soap:Body>` + payload + `</soap:Body></soap:Envelope>`)
}

// payload marshals the request of op qualified, as most SOAP stacks send
// it: <Login xmlns="urn:kabinet:v1"><login>…
func payload(t testing.TB, op string, req any) string {
	t.Helper()
	var b strings.Builder
	enc := xml.NewEncoder(&b)
	require.NoError(t, enc.EncodeElement(req, xml.StartElement{Name: xml.Name{Space: Namespace, Local: op}}))
	require.NoError(t, enc.Close())
	return b.String()
}

// unqualified marshals the request of op in node-soap's form for a schema
// it reads as unqualified: <tns:Login><login>…, with tns declared on the
// Envelope only.
func unqualified(t testing.TB, v version, op string, req any) []byte {
	t.Helper()
	var b strings.Builder
	enc := xml.NewEncoder(&b)
	require.NoError(t, enc.EncodeElement(req, xml.StartElement{Name: xml.Name{Local: "tns:" + op}}))
	require.NoError(t, enc.Close())
	env := envelope(v, b.String())
	return bytes.Replace(env, []byte(`Envelope xmlns:`), []byte(`Envelope xmlns:tns="`+Namespace+`" xmlns:`), 1)
}

// call runs op with creds over SOAP version v.
func (s *server) call(t *testing.T, v version, creds cabinet.Credentials, op string, req any) reply {
	t.Helper()
	return s.post(t, v.contentType(), headers(creds), envelope(v, payload(t, op, req)))
}

func headers(c cabinet.Credentials) http.Header {
	h := http.Header{}
	if c.APIKey != "" {
		h.Set("X-API-Key", c.APIKey)
	}
	if c.SessionToken != "" {
		h.Set("Authorization", "Bearer "+c.SessionToken)
	}
	if c.IdempotencyKey != "" {
		h.Set("Idempotency-Key", c.IdempotencyKey)
	}
	if c.CorrelationID != "" {
		h.Set("X-Request-ID", c.CorrelationID)
	}
	return h
}

var smsCode = regexp.MustCompile(`\d{4,}`)

// lastCode is the code in the newest SMS to phone.
func (s *server) lastCode(t testing.TB, phone kz.Phone) string {
	t.Helper()
	msg, ok := s.kit.SMS.Last(phone)
	require.True(t, ok, "an SMS went to the phone")
	code := smsCode.FindString(msg.Text)
	require.NotEmpty(t, code, "the SMS has a code")
	return code
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func mustAtoi(t testing.TB, s string) int64 {
	t.Helper()
	var n int64
	_, err := fmt.Sscan(s, &n)
	require.NoError(t, err, "%q is a number", s)
	return n
}

func readAll(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b
}
