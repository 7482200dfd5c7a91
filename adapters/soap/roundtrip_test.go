package soap

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
)

func TestRoundTrip(t *testing.T) {
	s := newServer(t)
	c := s.kit.Client(t)
	p := s.kit.Policy(t, c, cabinettest.PolicyOptions{})

	for _, v := range []version{soap11, soap12} {
		t.Run(map[version]string{soap11: "1.1", soap12: "1.2"}[v], func(t *testing.T) {
			r := s.call(t, v, s.kit.Website(), "Login", &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: c.Code})
			var login cabinet.LoginResponse
			r.decode(t, &login)
			assert.Equal(t, c.ID.String(), login.Session.ClientID)
			require.NotEmpty(t, login.Session.Token)
			session := s.kit.Website()
			session.SessionToken = login.Session.Token

			r = s.call(t, v, session, "ListPolicies", &cabinet.ListPoliciesRequest{})
			var list cabinet.ListPoliciesResponse
			r.decode(t, &list)
			assert.EqualValues(t, 1, list.Counts.All)
			require.Len(t, list.Policies, 1)
			assert.Equal(t, p.Number, list.Policies[0].Number)
			assert.Equal(t, cabinet.Money("36000.00"), list.Policies[0].Premium)

			r = s.call(t, v, session, "GetPolicy", &cabinet.GetPolicyRequest{PolicyID: p.ID.String()})
			var got cabinet.GetPolicyResponse
			r.decode(t, &got)
			assert.Equal(t, p.Number, got.Policy.Summary.Number)
			require.NotEmpty(t, got.Policy.Drivers)
			require.NotNil(t, got.Policy.Drivers[0].KBM)
			assert.Equal(t, "0.90", got.Policy.Drivers[0].KBM.Coefficient)

			r = s.call(t, v, session, "GetPolicyDocument", &cabinet.GetPolicyDocumentRequest{PolicyID: p.ID.String()})
			var doc cabinet.GetPolicyDocumentResponse
			r.decode(t, &doc)
			assert.True(t, bytes.HasPrefix(doc.Content, []byte("%PDF")), "the content is a PDF")
			assert.Equal(t, "application/pdf", doc.ContentType)
		})
	}
}

// The request forms SOAP stacks send: qualified children (the schema's
// form), and node-soap's unqualified children under a prefixed operation
// element declared on the Envelope.
func TestRequestForms(t *testing.T) {
	s := newServer(t)
	c := s.kit.Client(t)
	req := &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: c.Code}
	for name, body := range map[string][]byte{
		"qualified 1.1":   envelope(soap11, payload(t, "Login", req)),
		"qualified 1.2":   envelope(soap12, payload(t, "Login", req)),
		"unqualified 1.1": unqualified(t, soap11, "Login", req),
		"unqualified 1.2": unqualified(t, soap12, "Login", req),
	} {
		t.Run(name, func(t *testing.T) {
			v := soap11
			if bytes.Contains(body, []byte(envelope12)) {
				v = soap12
			}
			r := s.post(t, v.contentType(), headers(s.kit.Website()), body)
			var login cabinet.LoginResponse
			r.decode(t, &login)
			assert.Equal(t, c.ID.String(), login.Session.ClientID, "login and accessCode both arrived")
			assert.Equal(t, v, r.version, "the answer is in the request's version")
		})
	}
	t.Run("the qualified request is valid against the XSD", func(t *testing.T) {
		assert.NoError(t, s.val.check(t, envelope(soap11, payload(t, "Login", req))))
		assert.NoError(t, s.val.check(t, envelope(soap12, payload(t, "ListPolicies", &cabinet.ListPoliciesRequest{Bucket: "active"}))))
	})
	t.Run("the version follows the Envelope, not the Content-Type", func(t *testing.T) {
		r := s.post(t, "text/xml; charset=utf-8", headers(s.kit.Website()), envelope(soap12, payload(t, "Login", req)))
		assert.Equal(t, soap12, r.version)
		assert.Nil(t, r.fault)
	})
	t.Run("SOAPAction is only a hint", func(t *testing.T) {
		h := headers(s.kit.Website())
		h.Set("SOAPAction", `"urn:kabinet:v1#Logout"`)
		r := s.post(t, soap11.contentType(), h, envelope(soap11, payload(t, "Login", req)))
		assert.Nil(t, r.fault)
	})
	t.Run("a header block that need not be understood is ignored", func(t *testing.T) {
		body := bytes.Replace(envelope(soap11, payload(t, "Login", req)), []byte("<soap:Body>"),
			[]byte(`<soap:Header><t:Trace xmlns:t="urn:example:trace" soap:mustUnderstand="0">x</t:Trace>`+
				`<t:Other xmlns:t="urn:example:trace" soap:mustUnderstand="1" soap:actor="urn:example:somebody-else"/></soap:Header><soap:Body>`), 1)
		r := s.post(t, soap11.contentType(), headers(s.kit.Website()), body)
		assert.Nil(t, r.fault)
	})
}

func TestRegistration(t *testing.T) {
	s := newServer(t)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	s.kit.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Данияр", LastName: "Ахметов", Phone: phone})

	r := s.call(t, soap12, s.kit.Website(), "StartRegistration", &cabinet.StartRegistrationRequest{IIN: iin.String()})
	var start cabinet.StartRegistrationResponse
	r.decode(t, &start)
	assert.Equal(t, "kias", start.FoundIn)
	assert.NotContains(t, start.MaskedPhone, phone.String()[4:], "the phone is masked")

	r = s.call(t, soap11, s.kit.Website(), "SendRegistrationCode", &cabinet.SendRegistrationCodeRequest{RegistrationID: start.RegistrationID})
	var sent cabinet.SendRegistrationCodeResponse
	r.decode(t, &sent)

	r = s.call(t, soap11, s.kit.Website(), "ConfirmRegistration", &cabinet.ConfirmRegistrationRequest{
		RegistrationID: start.RegistrationID, Code: s.lastCode(t, phone)})
	var confirmed cabinet.ConfirmRegistrationResponse
	r.decode(t, &confirmed)
	assert.NotEmpty(t, confirmed.Session.Token)
	assert.True(t, confirmed.Session.MustChangeAccessCode)

	t.Run("a wrong check digit names the field", func(t *testing.T) {
		bad := iin.String()[:11] + string('0'+(iin.String()[11]-'0'+1)%10)
		for _, v := range []version{soap11, soap12} {
			r := s.call(t, v, s.kit.Website(), "StartRegistration", &cabinet.StartRegistrationRequest{IIN: bad})
			f := r.requireFault(t, family(v, true), cabinet.CodeInvalidArgument)
			assert.Equal(t, "iin", f.detail.Field)
		}
	})
}

func TestRetryAfter(t *testing.T) {
	s := newServer(t)
	iin := cabinettest.NewIIN()
	var r reply
	for i := 0; i < 20; i++ {
		r = s.call(t, soap12, s.kit.Website(), "StartRegistration", &cabinet.StartRegistrationRequest{IIN: iin.String()})
		if r.fault != nil {
			break
		}
	}
	f := r.requireFault(t, "Sender", cabinet.CodeRateLimited)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Positive(t, f.detail.RetryAfterSeconds)
	assert.Equal(t, f.detail.RetryAfterSeconds, mustAtoi(t, r.header.Get("Retry-After")), "the header and the detail agree")
}

func TestRequestID(t *testing.T) {
	s := newServer(t)
	creds := s.kit.Website()
	creds.CorrelationID = "req-42"
	r := s.call(t, soap11, creds, "ResetAccessCode", &cabinet.ResetAccessCodeRequest{Login: "+77010000000"})
	assert.Equal(t, "req-42", r.header.Get("X-Request-ID"), "the caller's ID is echoed")

	creds.CorrelationID = ""
	r = s.call(t, soap11, creds, "ResetAccessCode", &cabinet.ResetAccessCodeRequest{Login: "+77010000000"})
	assert.Len(t, r.header.Get("X-Request-ID"), 36, "one is made up")
}
