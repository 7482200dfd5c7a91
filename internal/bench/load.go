package bench

import (
	"net/http"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// APISession is a logged-in client the API load queries as.
type APISession struct {
	Token    string // the session's bearer token
	PolicyID string // one of the client's policies
}

// APIOperations name the four loads, in the order they are reported.
var APIOperations = []string{"json ListPolicies", "soap ListPolicies", "json GetPolicy", "soap GetPolicy"}

// APITargets are the requests of each load for a server at baseURL that
// serves JSON under /api/v1/ and SOAP at /soap, cycling over the sessions.
func APITargets(baseURL, apiKey string, sessions []APISession) map[string][]vegeta.Target {
	header := func(token string) http.Header {
		return http.Header{"X-Api-Key": {apiKey}, "Authorization": {"Bearer " + token}}
	}
	soapHeader := func(token, op string) http.Header {
		h := header(token)
		h.Set("Content-Type", "text/xml; charset=utf-8")
		h.Set("SOAPAction", `"urn:kabinet:v1#`+op+`"`)
		return h
	}
	envelope := func(body string) []byte {
		return []byte(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
			body + `</soap:Body></soap:Envelope>`)
	}
	targets := map[string][]vegeta.Target{}
	for _, s := range sessions {
		targets["json ListPolicies"] = append(targets["json ListPolicies"], vegeta.Target{Method: "GET",
			URL: baseURL + "/api/v1/policies", Header: header(s.Token)})
		targets["json GetPolicy"] = append(targets["json GetPolicy"], vegeta.Target{Method: "GET",
			URL: baseURL + "/api/v1/policies/" + s.PolicyID, Header: header(s.Token)})
		targets["soap ListPolicies"] = append(targets["soap ListPolicies"], vegeta.Target{Method: "POST",
			URL: baseURL + "/soap", Header: soapHeader(s.Token, "ListPolicies"),
			Body: envelope(`<ListPolicies xmlns="urn:kabinet:v1"/>`)})
		targets["soap GetPolicy"] = append(targets["soap GetPolicy"], vegeta.Target{Method: "POST",
			URL: baseURL + "/soap", Header: soapHeader(s.Token, "GetPolicy"),
			Body: envelope(`<GetPolicy xmlns="urn:kabinet:v1"><policyId>` + s.PolicyID + `</policyId></GetPolicy>`)})
	}
	return targets
}

// Attack runs every load at once, each at rate requests per second for d,
// so that the server sees len(targets) × rate in all, and returns each
// load's metrics.
func Attack(targets map[string][]vegeta.Target, rate int, d time.Duration) map[string]*vegeta.Metrics {
	metrics := map[string]*vegeta.Metrics{}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for name, tgts := range targets {
		wg.Go(func() {
			atk := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true))
			var m vegeta.Metrics
			for res := range atk.Attack(vegeta.NewStaticTargeter(tgts...), vegeta.Rate{Freq: rate, Per: time.Second}, d, name) {
				m.Add(res)
			}
			m.Close()
			mu.Lock()
			metrics[name] = &m
			mu.Unlock()
		})
	}
	wg.Wait()
	return metrics
}
