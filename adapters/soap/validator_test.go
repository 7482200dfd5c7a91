package soap

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

// The checks that every other test relies on must be able to fail: each
// doctored answer here is one a lenient client would accept.
func TestValidatorRejectsWrongAnswers(t *testing.T) {
	s := newServer(t)
	c := s.kit.Client(t)
	s.kit.Policy(t, c, cabinettest.PolicyOptions{})
	login := s.call(t, soap11, s.kit.Website(), "Login", &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: c.Code}).body
	list := s.call(t, soap12, c.Session, "ListPolicies", &cabinet.ListPoliciesRequest{}).body
	fault11 := s.call(t, soap11, cabinet.Credentials{}, "ListPolicies", &cabinet.ListPoliciesRequest{}).body
	fault12 := s.call(t, soap12, cabinet.Credentials{}, "ListPolicies", &cabinet.ListPoliciesRequest{}).body

	replace := func(body []byte, pattern, with string) []byte {
		t.Helper()
		re := regexp.MustCompile(pattern)
		require.True(t, re.Match(body), "%s is in\n%s", pattern, body)
		return re.ReplaceAll(body, []byte(with))
	}
	cases := []struct {
		name string
		body []byte
	}{
		{"a required element is missing", replace(login, `<token>[^<]*</token>`, "")},
		{"a boolean is not one", replace(login, `<mustChangeAccessCode>[a-z]+<`, "<mustChangeAccessCode>maybe<")},
		{"an element the schema does not know", replace(login, `<token>`, "<secret>x</secret><token>")},
		{"elements out of order", replace(login, `<clientId>([^<]*)</clientId><token>([^<]*)</token>`, "<token>$2</token><clientId>$1</clientId>")},
		{"money as a float", replace(list, `<premium>[^<]*</premium>`, "<premium>3.6e+04</premium>")},
		{"money with three places", replace(list, `<premium>[^<]*</premium>`, "<premium>36000.001</premium>")},
		{"a date with a time", replace(list, `<startsOn>[^<]*</startsOn>`, "<startsOn>2026-01-31T00:00:00Z</startsOn>")},
		{"a value outside the enumeration", replace(list, `<bucket>[^<]*</bucket>`, "<bucket>archive</bucket>")},
		{"a long that is not", replace(list, `<all>[^<]*</all>`, "<all>one</all>")},
		{"a fault detail without a code", replace(fault11, `<code>[^<]*</code>`, "")},
		{"a 1.1 fault with a qualified faultcode", replace(fault11, `<faultcode>([^<]*)</faultcode>`, "<soap:faultcode>$1</soap:faultcode>")},
		{"a 1.2 fault reason without xml:lang", replace(fault12, ` xml:lang="en"`, "")},
		{"a 1.2 fault with an unknown Code", replace(fault12, `<env:Value>env:Sender</env:Value>`, "<env:Value>env:Client</env:Value>")},
		{"a response element in another namespace", bytes.Replace(login, []byte(`xmlns="urn:kabinet:v1"`), []byte(`xmlns="urn:kabinet:v2"`), 1)},
		{"a response element that is not one", replace(login, `LoginResponse`, "LoginReply")},
		{"an envelope of neither version", bytes.ReplaceAll(login, []byte(envelope11), []byte("urn:example:envelope"))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &reply{body: c.body, version: soap11}
			if bytes.Contains(c.body, []byte(envelope12)) {
				r.version = soap12
			}
			assert.Error(t, s.val.verify(t, r), "%s", c.body)
		})
	}
	t.Run("the untouched answers pass", func(t *testing.T) {
		for _, body := range [][]byte{login, list, fault11, fault12} {
			r := &reply{body: body, version: soap11}
			if bytes.Contains(body, []byte(envelope12)) {
				r.version = soap12
			}
			assert.NoError(t, s.val.verify(t, r))
		}
	})
}
