package soap

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
)

// TestNodeSoapClient runs interop/client.js, the npm soap client reading
// the served WSDL, against the real handler: registration by IIN with the
// code from the SMS simulator, a policy issued with the insurer's key, login,
// a consent with a list of data categories, the policy list, the PDF and
// faults in both SOAP versions. Every answer the
// client got is then validated against the schemas.
func TestNodeSoapClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is missing: install Node.js 20 or later (the interop check runs the npm soap client)")
	}
	dir, err := filepath.Abs("interop")
	require.NoError(t, err)
	installClient(t, dir)

	s := newServer(t)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	s.kit.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Данияр", LastName: "Ахметов", Phone: phone})

	// The endpoint again, recording what node-soap was answered.
	h, err := NewHandler(s.kit.Service, Config{})
	require.NoError(t, err)
	var mu sync.Mutex
	var answers []reply
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		if r.Method == http.MethodPost {
			mu.Lock()
			answers = append(answers, reply{status: rec.Code, header: rec.Header(), body: bytes.Clone(rec.Body.Bytes())})
			mu.Unlock()
		}
	}))
	t.Cleanup(srv.Close)

	codes := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg, ok := s.kit.SMS.Last(phone)
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(smsCode.FindString(msg.Text)))
	}))
	t.Cleanup(codes.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "client.js"),
		"--wsdl", srv.URL+"/soap?wsdl",
		"--api-key", s.kit.WebsiteKey,
		"--insurer-key", s.kit.InsurerKey,
		"--iin", iin.String(),
		"--code-url", codes.URL+"/code",
	)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	var summary struct {
		OK         bool   `json:"ok"`
		FailedStep string `json:"failedStep"`
		Error      string `json:"error"`
		Steps      []struct {
			Step      string `json:"step"`
			Bytes     int    `json:"bytes"`
			Premium   any    `json:"premium"`
			Code      string `json:"code"`
			FaultCode string `json:"faultCode"`
			Status    int    `json:"status"`
		} `json:"steps"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &summary), "the client prints a JSON summary\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
	require.True(t, summary.OK, "node-soap failed at %s: %s\nstderr: %s", summary.FailedStep, summary.Error, stderr.String())
	require.NoError(t, runErr)
	t.Logf("node-soap: %s", stdout.String())

	var steps []string
	for _, st := range summary.Steps {
		steps = append(steps, st.Step)
		switch st.Step {
		case "ListPolicies":
			assert.Equal(t, "36000.00", st.Premium, "Money reaches JavaScript as the exact decimal text")
		case "GetPolicyDocument":
			assert.Greater(t, st.Bytes, 1000, "a real PDF came through")
		case "GetPolicy fault":
			assert.Equal(t, "NOT_FOUND", st.Code)
			assert.Equal(t, http.StatusInternalServerError, st.Status, "a SOAP 1.1 fault")
		case "GiveConsent":
			assert.Equal(t, "active", st.Code, "the consent as recorded")
		case "ListPolicies over SOAP 1.2":
			assert.Equal(t, "INVALID_CREDENTIALS", st.FaultCode)
			assert.Equal(t, http.StatusBadRequest, st.Status, "a SOAP 1.2 Sender fault")
		}
	}
	assert.Equal(t, []string{"StartRegistration", "SendRegistrationCode", "ConfirmRegistration", "IssuePolicy",
		"Login", "GiveConsent", "ListPolicies", "GetPolicyDocument", "GetPolicy fault", "ListPolicies over SOAP 1.2"}, steps)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, answers, 11)
	versions := map[version]int{}
	for i := range answers {
		s.inspect(t, &answers[i])
		versions[answers[i].version]++
	}
	assert.Equal(t, map[version]int{soap11: 9, soap12: 2}, versions, "node-soap spoke both versions")
}

// installClient runs npm ci in dir when its node_modules is missing.
func installClient(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "soap", "package.json")); err == nil {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("npm is missing: install Node.js 20 or later with npm")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "npm ci in %s:\n%s", dir, out)
}
