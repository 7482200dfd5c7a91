package soap

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/internal/sqldb"
)

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
`

// TestProtocolFaults sends what is not a request and checks that each
// answer is a Fault of the request's version with the right code, valid
// against the schemas (server.post checks that for every answer).
func TestProtocolFaults(t *testing.T) {
	s := newServer(t)
	login := func(t *testing.T, v version) string {
		return payload(t, "Login", &cabinet.LoginRequest{Login: "870412300415", AccessCode: "1234"})
	}
	withHeader := func(v version, block string, body string) []byte {
		env := envelope(v, body)
		prefix := map[version]string{soap11: "soap", soap12: "env"}[v]
		return bytes.Replace(env, []byte("<"+prefix+":Body>"), []byte("<"+prefix+":Header>"+block+"</"+prefix+":Header><"+prefix+":Body>"), 1)
	}
	cases := []struct {
		name        string
		body        func(t *testing.T, v version) []byte
		contentType string // default: the version's
		special     string // MustUnderstand or VersionMismatch instead of Client/Sender
		code        cabinet.Code
		field       string
		only        version // 0: both versions
	}{
		{name: "DOCTYPE", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			return append([]byte(`<?xml version="1.0"?><!DOCTYPE Envelope>`), bytes.TrimPrefix(envelope(v, login(t, v)), []byte(`<?xml version="1.0" encoding="UTF-8"?>`))...)
		}},
		{name: "billion laughs", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			p := payload(t, "ResetAccessCode", &cabinet.ResetAccessCodeRequest{Login: "LOGIN"})
			env := bytes.TrimPrefix(envelope(v, strings.Replace(p, "LOGIN", "&lol9;", 1)), []byte(`<?xml version="1.0" encoding="UTF-8"?>`))
			return append([]byte(billionLaughs), env...)
		}},
		{name: "external entity", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			p := payload(t, "ResetAccessCode", &cabinet.ResetAccessCodeRequest{Login: "LOGIN"})
			env := bytes.TrimPrefix(envelope(v, strings.Replace(p, "LOGIN", "&xxe;", 1)), []byte(`<?xml version="1.0" encoding="UTF-8"?>`))
			return append([]byte(`<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`), env...)
		}},
		{name: "entity declaration inside the Body", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			return envelope(v, `<!DOCTYPE x [<!ENTITY a "b">]>`+login(t, v))
		}},
		{name: "body over 1 MiB", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			return envelope(v, payload(t, "ResetAccessCode", &cabinet.ResetAccessCodeRequest{Login: strings.Repeat("7", MaxBodyBytes)}))
		}},
		{name: "unknown operation", code: cabinet.CodeUnknownOperation, body: func(t *testing.T, v version) []byte {
			return envelope(v, `<DeletePolicy xmlns="urn:kabinet:v1"><policyId>x</policyId></DeletePolicy>`)
		}},
		{name: "wrong namespace", code: cabinet.CodeUnknownNamespace, body: func(t *testing.T, v version) []byte {
			return envelope(v, strings.Replace(login(t, v), Namespace, "urn:kabinet:v2", 1))
		}},
		{name: "no namespace", code: cabinet.CodeUnknownNamespace, body: func(t *testing.T, v version) []byte {
			return envelope(v, `<Login><login>x</login><accessCode>1</accessCode></Login>`)
		}},
		{name: "mismatched tags", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			return envelope(v, `<Login xmlns="urn:kabinet:v1"><login>x</accessCode></Login>`)
		}},
		{name: "truncated", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			env := envelope(v, login(t, v))
			return env[:len(env)-20]
		}},
		{name: "empty body", code: cabinet.CodeMalformedRequest, body: func(*testing.T, version) []byte { return nil }},
		{name: "not XML", code: cabinet.CodeMalformedRequest, body: func(*testing.T, version) []byte { return []byte(`{"login":"x"}`) }},
		{name: "not an Envelope", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte { return []byte(login(t, v)) }},
		{name: "no Body", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			if v == soap12 {
				return []byte(`<env:Envelope xmlns:env="` + envelope12 + `"></env:Envelope>`)
			}
			return []byte(`<soap:Envelope xmlns:soap="` + envelope11 + `"></soap:Envelope>`)
		}},
		{name: "empty Body", code: cabinet.CodeMalformedRequest, body: func(_ *testing.T, v version) []byte { return envelope(v, "") }},
		{name: "two operations", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte { return envelope(v, login(t, v)+login(t, v)) }},
		{name: "text in the Body", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte { return envelope(v, "hello"+login(t, v)) }},
		{name: "processing instruction", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			return envelope(v, `<?php echo 1; ?>`+login(t, v))
		}},
		{name: "content after the Envelope", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			return append(envelope(v, login(t, v)), []byte("<more/>")...)
		}},
		{name: "invalid UTF-8", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			return bytes.Replace(envelope(v, login(t, v)), []byte("870412300415"), []byte("\xff\xfe"), 1)
		}},
		{name: "charset windows-1251 in the Content-Type", code: cabinet.CodeMalformedRequest, contentType: "text/xml; charset=windows-1251",
			only: soap11, body: func(t *testing.T, v version) []byte { return envelope(v, login(t, v)) }},
		{name: "charset windows-1251 in the Content-Type", code: cabinet.CodeMalformedRequest, contentType: "application/soap+xml; charset=windows-1251",
			only: soap12, body: func(t *testing.T, v version) []byte { return envelope(v, login(t, v)) }},
		{name: "encoding windows-1251 in the declaration", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			return bytes.Replace(envelope(v, login(t, v)), []byte(`encoding="UTF-8"`), []byte(`encoding="windows-1251"`), 1)
		}},
		{name: "a number that is not", code: cabinet.CodeInvalidArgument, field: "limit", body: func(t *testing.T, v version) []byte {
			return envelope(v, `<ListNotifications xmlns="urn:kabinet:v1"><limit>ten</limit></ListNotifications>`)
		}},
		{name: "a boolean that is not", code: cabinet.CodeInvalidArgument, field: "unreadOnly", body: func(t *testing.T, v version) []byte {
			return envelope(v, `<ListNotifications xmlns="urn:kabinet:v1"><unreadOnly>maybe</unreadOnly></ListNotifications>`)
		}},
		{name: "base64 that is not", code: cabinet.CodeInvalidArgument, field: "content", body: func(t *testing.T, v version) []byte {
			return envelope(v, `<UploadDocumentScan xmlns="urn:kabinet:v1"><kind>passport</kind><fileName>a.png</fileName>`+
				`<contentType>image/png</contentType><content>@@@@</content></UploadDocumentScan>`)
		}},
		{name: "a nested number that is not", code: cabinet.CodeInvalidArgument, field: "installment.number", body: func(t *testing.T, v version) []byte {
			return envelope(v, `<IssuePolicy xmlns="urn:kabinet:v1"><installment><number>1st</number></installment></IssuePolicy>`)
		}},
		{name: "mustUnderstand header", special: "MustUnderstand", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			mu := map[version]string{soap11: `soap:mustUnderstand="1"`, soap12: `env:mustUnderstand="true"`}[v]
			return withHeader(v, `<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" `+mu+`/>`, login(t, v))
		}},
		{name: "mustUnderstand header without a namespace", special: "MustUnderstand", code: cabinet.CodeMalformedRequest, only: soap12,
			body: func(t *testing.T, v version) []byte {
				return withHeader(v, `<Session env:mustUnderstand="1" env:role="http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"/>`, login(t, v))
			}},
		{name: "another SOAP version", special: "VersionMismatch", code: cabinet.CodeMalformedRequest, body: func(t *testing.T, v version) []byte {
			return []byte(`<e:Envelope xmlns:e="http://example.com/soap/2099"><e:Body>` + login(t, v) + `</e:Body></e:Envelope>`)
		}},
	}
	for _, c := range cases {
		for _, v := range []version{soap11, soap12} {
			if c.only != 0 && c.only != v {
				continue
			}
			t.Run(c.name+map[version]string{soap11: " 1.1", soap12: " 1.2"}[v], func(t *testing.T) {
				ct := c.contentType
				if ct == "" {
					ct = v.contentType()
				}
				r := s.post(t, ct, headers(s.kit.Website()), c.body(t, v))
				want := family(v, true)
				if c.special != "" {
					want = c.special
				}
				f := r.requireFault(t, want, c.code)
				assert.Equal(t, c.field, f.detail.Field)
				assert.Equal(t, v, r.version, "the fault is in the request's version")
				assert.NotEmpty(t, f.reason)
				assert.NotContains(t, string(r.body), "870412300415", "the request's values are not echoed")
				if c.special == "MustUnderstand" && v == soap12 {
					assert.Contains(t, string(r.body), "NotUnderstood")
				}
			})
		}
	}
}

func TestNotAnEnvelopeRequest(t *testing.T) {
	s := newServer(t)
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		req, err := http.NewRequest(method, s.url(), nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body := readAll(t, resp)
		r := reply{status: resp.StatusCode, header: resp.Header, body: body}
		s.inspect(t, &r)
		assert.Equal(t, http.StatusMethodNotAllowed, r.status, method)
		r.requireFault(t, "Client", cabinet.CodeMalformedRequest)
	}
}

// An error the service did not map is logged once with the correlation ID
// and the operation, and the caller learns nothing of it.
func TestInternalError(t *testing.T) {
	s := newServer(t)
	broken, err := pgxpool.NewWithConfig(context.Background(), s.kit.Pool.Config())
	require.NoError(t, err)
	broken.Close()
	deps := s.kit.Deps
	deps.DB = sqldb.FromPgx(broken)
	svc, err := cabinet.New(deps, cabinet.Config{})
	require.NoError(t, err)
	var logs bytes.Buffer
	h, err := NewHandler(svc, Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	bad := &server{kit: s.kit, srv: srv, val: s.val}

	for _, v := range []version{soap11, soap12} {
		logs.Reset()
		creds := s.kit.Website()
		creds.CorrelationID = "corr-" + time.Now().Format("150405.000000")
		r := bad.call(t, v, creds, "ListPolicies", &cabinet.ListPoliciesRequest{})
		f := r.requireFault(t, family(v, false), cabinet.CodeInternal)
		assert.NotContains(t, string(r.body), "closed", "the cause is not told")
		assert.Contains(t, f.detail.Message, creds.CorrelationID, "the caller can quote the request")

		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		require.Len(t, lines, 1, "logged once: %s", logs.String())
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec))
		assert.Equal(t, "ERROR", rec["level"])
		assert.Equal(t, creds.CorrelationID, rec["correlation_id"])
		assert.Equal(t, "ListPolicies", rec["operation"])
		assert.NotContains(t, logs.String(), creds.APIKey, "the key is not logged")
	}
}
