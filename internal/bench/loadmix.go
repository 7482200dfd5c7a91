package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
)

// loadOp is one operation of the mixed load, called over the JSON API.
type loadOp struct {
	name   string // the cabinet operation, as reported
	weight int    // requests in every mixWeight of the total rate
	// event is the type of the one event an answered request appends;
	// "" for a read.
	event string
}

// mixWeight is the sum of the weights.
const mixWeight = 50

// The operations that the run's limits are worked out from.
var (
	opLogin = loadOp{name: "Login", weight: 1, event: client.TypeLoginSucceeded}
	opSpend = loadOp{name: "SpendBonus", weight: 6, event: bonus.TypeSpent}
)

// loadOps are the mix, in the order they are reported: a web cabinet's
// traffic, mostly reads, with one login in fifty requests (each login
// costs an argon2id hash of the chosen access code, as on serve), and the
// insurer's systems moving claims.
var loadOps = []loadOp{
	opLogin,
	{name: "ListPolicies", weight: 8},
	{name: "GetPolicy", weight: 8},
	{name: "GetBonusAccount", weight: 8},
	{name: "ListClaims", weight: 8},
	{name: "UpdateSettings", weight: 6, event: client.TypeSettingsChanged},
	opSpend,
	{name: "ChangeClaimStatus", weight: 5, event: claim.TypeStatusChanged},
}

// spendPoints is what each SpendBonus spends: little, so that the seeded
// balances last the run.
const spendPoints = 1

// requests is how many requests op makes at rate for d.
func (op loadOp) requests(rate int, d time.Duration) int {
	return int(int64(rate*op.weight) * int64(d) / int64(mixWeight*time.Second))
}

// pace is op's share of the total rate, exactly: rate × weight requests
// every mixWeight seconds.
func (op loadOp) pace(rate int) vegeta.Rate {
	return vegeta.Rate{Freq: rate * op.weight, Per: mixWeight * time.Second}
}

// mixLine describes the mix: "Login 2%, ListPolicies 16%, …".
func mixLine() string {
	parts := make([]string, len(loadOps))
	for i, op := range loadOps {
		parts[i] = fmt.Sprintf("%s %d%%", op.name, 100*op.weight/mixWeight)
	}
	return strings.Join(parts, ", ")
}

// loadClient is a seeded client the load acts as.
type loadClient struct {
	login    string // the IIN
	token    string // a session from the registration
	policyID string // the paid policy
}

// mix makes the requests of each operation. Every request carries an
// X-Request-ID of the run, which kabinet stores as the correlation ID of
// the events it appends and echoes in the answer: that is how the writes
// are found in the log afterwards.
type mix struct {
	base       string // http://127.0.0.1:port/api/v1
	websiteKey string
	insurerKey string
	run        string // prefix of every request ID: load-<8 hex digits>
	clients    []loadClient
	claims     *claimPool
	seq        []atomic.Uint64 // per operation
}

func newMix(baseURL, websiteKey, insurerKey, run string, clients []loadClient, claims *claimPool) *mix {
	return &mix{base: baseURL + "/api/v1", websiteKey: websiteKey, insurerKey: insurerKey, run: run,
		clients: clients, claims: claims, seq: make([]atomic.Uint64, len(loadOps))}
}

// targeter makes the requests of loadOps[i], cycling over the clients.
// It is safe for concurrent use, as vegeta calls it from every worker.
func (m *mix) targeter(i int) vegeta.Targeter {
	op := loadOps[i]
	return func(t *vegeta.Target) error {
		n := m.seq[i].Add(1) - 1
		c := m.clients[n%uint64(len(m.clients))]
		id := fmt.Sprintf("%s-%s-%d", m.run, op.name, n)
		t.Header = http.Header{"X-Api-Key": {m.websiteKey}, "X-Request-Id": {id}, "Authorization": {"Bearer " + c.token}}
		t.Method, t.Body = http.MethodGet, nil
		var body any
		switch op.name {
		case "Login":
			t.Header.Del("Authorization")
			t.Method, t.URL = http.MethodPost, m.base+"/sessions"
			body = map[string]string{"login": c.login, "accessCode": loadAccessCode}
		case "ListPolicies":
			t.URL = m.base + "/policies"
		case "GetPolicy":
			t.URL = m.base + "/policies/" + c.policyID
		case "GetBonusAccount":
			t.URL = m.base + "/bonus"
		case "ListClaims":
			t.URL = m.base + "/claims"
		case "UpdateSettings":
			// A new address every time, so that every request is a
			// change and appends one event whatever order they land in.
			t.Method, t.URL = http.MethodPut, m.base+"/me/settings"
			on := map[string]bool{"sms": true, "email": n%2 == 0}
			body = map[string]any{"settings": map[string]any{
				"expiringPolicy": on, "installmentDue": on, "claimStatus": on, "missingDocuments": on, "bonus": on,
				"autoProlongation": n%3 == 0, "email": fmt.Sprintf("load-%d@example.kz", n)}}
		case "SpendBonus":
			t.Method, t.URL = http.MethodPost, m.base+"/bonus/spend"
			body = map[string]any{"orderRef": id, "points": spendPoints}
		case "ChangeClaimStatus":
			number, to, err := m.claims.take()
			if err != nil {
				return err
			}
			t.Header.Del("Authorization")
			t.Header.Set("X-Api-Key", m.insurerKey)
			t.Method, t.URL = http.MethodPost, m.base+"/insurer/claims/"+number+"/status"
			body = map[string]string{"status": string(to)}
		default:
			return fmt.Errorf("no requests for operation %s", op.name)
		}
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				return err
			}
			t.Body = b
			t.Header.Set("Content-Type", "application/json")
		}
		return nil
	}
}

// claimPool hands out the seeded claims, one request at a time per claim,
// with the next stage of each: a claim moves between documents requested
// and documents complete for as long as the run lasts, which is a valid
// transition every time only if no two changes of one claim are in flight
// at once.
type claimPool struct {
	free    chan int
	numbers []string
	index   map[string]int
	status  []claim.Status // guarded by holding the claim's index
	wait    time.Duration
}

func newClaimPool(numbers []string, wait time.Duration) *claimPool {
	p := &claimPool{free: make(chan int, len(numbers)), numbers: numbers, index: map[string]int{},
		status: make([]claim.Status, len(numbers)), wait: wait}
	for i, n := range numbers {
		p.index[n] = i
		p.status[i] = claim.StatusReported
		p.free <- i
	}
	return p
}

// nextStage is the stage a claim moves to from its current one.
func nextStage(s claim.Status) claim.Status {
	if s == claim.StatusDocumentsRequested {
		return claim.StatusDocumentsComplete
	}
	return claim.StatusDocumentsRequested
}

var errNoClaimFree = errors.New("no claim was free to change: every one had a change in flight")

// take waits for a claim with no change in flight.
func (p *claimPool) take() (number string, to claim.Status, err error) {
	timer := time.NewTimer(p.wait)
	defer timer.Stop()
	select {
	case i := <-p.free:
		return p.numbers[i], nextStage(p.status[i]), nil
	case <-timer.C:
		return "", "", errNoClaimFree
	}
}

// done gives the claim of an answered request back. A claim whose change
// failed is not given back: its stage is no longer known.
func (p *claimPool) done(url string, ok bool) {
	_, rest, found := strings.Cut(url, "/insurer/claims/")
	number, _, _ := strings.Cut(rest, "/")
	i, known := p.index[number]
	if !found || !known || !ok {
		return
	}
	p.status[i] = nextStage(p.status[i])
	p.free <- i
}

// problemCode is the code of a problem+json answer, or "".
func problemCode(body []byte) string {
	var p struct {
		Code string `json:"code"`
	}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&p); err != nil {
		return ""
	}
	return p.Code
}
