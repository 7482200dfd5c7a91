package soap

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

// The SOAP round trip over loopback on a client with five policies; the
// load benchmark at a fixed rate lives with the serve command.
func BenchmarkSOAPListPolicies(b *testing.B) {
	benchmarkOperation(b, "ListPolicies", func(cabinettest.Policy) any { return &cabinet.ListPoliciesRequest{} })
}

func BenchmarkSOAPGetPolicy(b *testing.B) {
	benchmarkOperation(b, "GetPolicy", func(p cabinettest.Policy) any { return &cabinet.GetPolicyRequest{PolicyID: p.ID.String()} })
}

func benchmarkOperation(b *testing.B, op string, request func(cabinettest.Policy) any) {
	kit := cabinettest.New(b)
	c := kit.Client(b)
	var p cabinettest.Policy
	for i := range 5 {
		p = kit.Policy(b, c, cabinettest.PolicyOptions{Installments: i % 2 * 3})
	}
	h, err := NewHandler(kit.Service, Config{})
	require.NoError(b, err)
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	body := envelope(soap11, payload(b, op, request(p)))
	send := func() {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/soap", bytes.NewReader(body))
		req.Header.Set("Content-Type", soap11.contentType())
		req.Header.Set("X-API-Key", kit.WebsiteKey)
		req.Header.Set("Authorization", "Bearer "+c.Session.SessionToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	send()
	b.ReportAllocs()
	for b.Loop() {
		send()
	}
}
