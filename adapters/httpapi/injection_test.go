package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

// sqlPayloads are texts that would change a statement built by pasting
// input into SQL, or that a careless driver or JSONB column chokes on.
var sqlPayloads = []string{
	`'; DROP TABLE events; --`,
	`' OR '1'='1`,
	`" OR ""="`,
	`1; DELETE FROM api_keys; --`,
	`%' UNION SELECT key_hash, name FROM api_keys --`,
	`\'); TRUNCATE sessions; --`,
	`$1::text`,
	"nul\u0000byte",
	"bad\xffutf8",
}

// stringMember is a string on the wire of one operation: a path or query
// parameter, or a member of the JSON body at a path such as
// ["holder","kbm","class"] (a list member's path names its first element,
// 0).
type stringMember struct {
	in   string // "path", "query" or "body"
	path []any  // string names and int indexes
}

func (m stringMember) String() string {
	var b strings.Builder
	for _, p := range m.path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		}
	}
	return m.in + ":" + b.String()
}

// stringMembers lists every member of an operation's request that the wire
// carries as a string (strings, dates, date-times and amounts), however
// deep it is nested.
func stringMembers(ep *endpoint) []stringMember {
	inPath := map[string]bool{}
	for _, m := range ep.binding.path {
		inPath[m.name] = true
	}
	var out []stringMember
	var walk func(t cabinet.Type, prefix []any)
	walk = func(t cabinet.Type, prefix []any) {
		for _, f := range t.Fields {
			p := append(append([]any(nil), prefix...), f.JSONName)
			if f.List {
				p = append(p, 0)
			}
			switch f.Type.Kind {
			case cabinet.KindStruct:
				walk(f.Type, p)
			case cabinet.KindString, cabinet.KindDate, cabinet.KindDateTime, cabinet.KindMoney:
				switch {
				case len(prefix) == 0 && inPath[f.JSONName]:
					out = append(out, stringMember{in: "path", path: p})
				case len(prefix) == 0 && !takesBody(ep.method):
					out = append(out, stringMember{in: "query", path: p})
				default:
					out = append(out, stringMember{in: "body", path: p})
				}
			}
		}
	}
	walk(cabinet.Describe(ep.op.Request), nil)
	return out
}

// withValue returns the call c with the member m set to value; the other
// members keep the sample's values, and the objects and lists on the way to
// m are made when the sample has none.
func withValue(t *testing.T, ep *endpoint, c call, m stringMember, value string) call {
	t.Helper()
	target, rawQuery, _ := strings.Cut(c.path, "?")
	switch m.in {
	case "path":
		segs, pattern := strings.Split(target, "/"), strings.Split(ep.path, "/")
		require.Equal(t, len(pattern), len(segs), "%s does not follow %s", target, ep.path)
		for i, p := range pattern {
			if p == "{"+m.path[0].(string)+"}" {
				segs[i] = url.PathEscape(value)
			}
		}
		c.path = strings.Join(segs, "/")
		if rawQuery != "" {
			c.path += "?" + rawQuery
		}
	case "query":
		q, err := url.ParseQuery(rawQuery)
		require.NoError(t, err)
		q.Set(m.path[0].(string), value)
		c.path = target + "?" + q.Encode()
	case "body":
		body := map[string]any{}
		if c.body != nil {
			data, err := json.Marshal(c.body)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(data, &body))
		}
		c.body = setPath(body, m.path, value)
	}
	return c
}

// setPath puts value at path in a decoded JSON value, making the objects
// and one-element lists the path goes through.
func setPath(node any, path []any, value string) any {
	if len(path) == 0 {
		return value
	}
	switch key := path[0].(type) {
	case string:
		obj, ok := node.(map[string]any)
		if !ok {
			obj = map[string]any{}
		}
		obj[key] = setPath(obj[key], path[1:], value)
		return obj
	default: // 0, the first element of a list
		list, ok := node.([]any)
		if !ok || len(list) == 0 {
			list = []any{nil}
		}
		list[0] = setPath(list[0], path[1:], value)
		return list
	}
}

// TestSQLMetacharactersInEveryStringMember sends texts made to break a
// statement built by pasting input into SQL in every string member of
// every operation: each path parameter, query parameter and body member,
// nested ones too, with the credentials the operation needs. Every answer
// is the operation's answer or a problem the document describes, never an
// internal error, and afterwards the event log, the keys and the sessions
// are where they were. It runs on both databases kabinet runs on.
func TestSQLMetacharactersInEveryStringMember(t *testing.T) {
	for _, db := range []struct {
		name string
		opts cabinettest.Options
	}{{"postgres", cabinettest.Options{}}, {"sqlite", cabinettest.Options{SQLite: true}}} {
		t.Run(db.name, func(t *testing.T) { testSQLMetacharacters(t, newAPI(t, db.opts)) })
	}
}

func testSQLMetacharacters(t *testing.T, a *api) {
	alice := a.kit.Client(t)
	own := a.ownAll(t, alice)
	sample := samples(t, own)
	// The insurer's calls name the client's real policy and claim, so that
	// they get past the lookups to the writes.
	for name, c := range sample {
		c.path = strings.Replace(c.path, "/VD-S/", "/"+own.claimNumber+"/", 1)
		if body, ok := c.body.(map[string]string); ok && body["kiasContractId"] == "KD-S" {
			body["kiasContractId"] = own.contract
		}
		sample[name] = c
	}
	// Each write of the insurer's gets identities of its own, or every call
	// after the first would be a repeat that writes nothing.
	identities := map[string][]string{"IssuePolicy": {"kiasContractId", "number"}, "ReportClaim": {"number"},
		"RecordPayment": {"paymentRef"}, "RefundPayment": {"refundRef"}}
	serial := 0

	events := func() int64 {
		var n int64
		require.NoError(t, a.kit.DB.QueryRow(context.Background(), `SELECT count(*) FROM events`).Scan(&n))
		return n
	}
	before := events()

	eps, err := compile(routes, cabinet.Operations())
	require.NoError(t, err)
	tried := 0
	for _, ep := range eps {
		creds := a.kit.Website()
		switch ep.op.Access {
		case cabinet.InsurerSystem:
			creds = a.kit.Insurer()
		case cabinet.ClientSession:
			creds = alice.Session // Logout takes no string, so the session lasts
		}
		for _, m := range stringMembers(ep) {
			t.Run(ep.op.Name+"/"+m.String(), func(t *testing.T) {
				for _, payload := range sqlPayloads {
					c := withValue(t, ep, sample[ep.op.Name], m, payload).as(creds)
					for _, id := range identities[ep.op.Name] {
						if body, ok := c.body.(map[string]any); ok && m.path[0] != id {
							serial++
							body[id] = fmt.Sprintf("INJ-%d", serial)
						}
					}
					c.outside = true // the texts break the members' formats on purpose
					r := a.on(t).do(c)
					require.NotEqual(t, http.StatusInternalServerError, r.status, "%q: %s", payload, r.body)
					if r.status != http.StatusOK {
						pr := a.on(t).validProblem(r)
						assert.NotEqual(t, string(cabinet.CodeInternal), pr.Code, "%q: %s", payload, r.body)
					}
				}
			})
			tried++
		}
	}
	assert.Greater(t, tried, 60, "every string member of every operation is tried")

	assert.GreaterOrEqual(t, events(), before, "no event is gone")
	for _, table := range []string{"api_keys", "sessions", "registrations", "rate_limits", "event_streams"} {
		var n int64
		assert.NoError(t, a.kit.DB.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n), table)
	}
	a.ok(call{method: http.MethodGet, path: "/me/settings"}.as(alice.Session), nil)
	assert.NotContains(t, a.logs.String(), `"level":"ERROR"`, "nothing failed inside")
}

// TestSQLMetacharactersAreStoredAsText records a policy and a claim whose
// texts are SQL, and finds them as sent in the client's cabinet: they were
// data all the way through the event log and the read models.
func TestSQLMetacharactersAreStoredAsText(t *testing.T) {
	a := newAPI(t)
	alice := a.kit.Client(t)
	today := time.Now().In(time.FixedZone("Almaty", 5*3600))
	for i, payload := range sqlPayloads {
		if strings.ContainsRune(payload, 0) || !utf8.ValidString(payload) {
			continue // not text: refused, as the test above checks
		}
		contract := fmt.Sprintf("KD-SQL-%d", i)
		var issued cabinet.IssuePolicyResponse
		a.ok(call{method: http.MethodPost, path: "/insurer/policies", key: a.kit.InsurerKey, body: cabinet.IssuePolicyRequest{
			KIASContractID: contract, Number: payload, Product: "property", Insurer: payload,
			StartsOn: cabinet.Date(today.AddDate(0, 0, -1).Format(time.DateOnly)),
			EndsOn:   cabinet.Date(today.AddDate(1, 0, -2).Format(time.DateOnly)),
			Holder:   cabinet.PersonInput{Name: payload, IIN: alice.IIN.String()},
			Premium:  "1000.00", PaymentMethod: "card",
			InsuredPersons: []cabinet.PersonInput{}, Drivers: []cabinet.PersonInput{}, Installments: []cabinet.InstallmentInput{},
		}}, &issued)
		var claim cabinet.ReportClaimResponse
		a.ok(call{method: http.MethodPost, path: "/insurer/claims", key: a.kit.InsurerKey, body: cabinet.ReportClaimRequest{
			Number: fmt.Sprintf("VD-SQL-%d", i), KIASContractID: contract, Kind: "fire", Description: payload,
		}}, &claim)

		var got cabinet.GetPolicyResponse
		a.ok(call{method: http.MethodGet, path: "/policies/" + issued.PolicyID}.as(alice.Session), &got)
		assert.Equal(t, payload, got.Policy.Summary.Number)
		assert.Equal(t, payload, got.Policy.Holder.Name)
		var gotClaim cabinet.GetClaimResponse
		r := a.ok(call{method: http.MethodGet, path: "/claims/" + claim.ClaimID}.as(alice.Session), &gotClaim)
		assert.Contains(t, string(r.body), mustJSON(t, payload), "the description comes back as sent")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
