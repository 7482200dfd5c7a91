package demo_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/bus"
	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/pdf"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/adapters/sms"
	"github.com/kabinet/kabinet/internal/demo"
)

// app is the cabinet wired as serve wires it: the service on a fresh
// database with the partner simulators, and the reactions running on the
// bus with their scheduler.
type app struct {
	k    *cabinettest.Kit
	svc  *cabinet.Service // the kit's, or one wired to other simulators
	keys demo.Keys
	sims demo.Simulators
}

func startApp(t *testing.T) *app {
	t.Helper()
	k := cabinettest.New(t)
	cmds := kias.FeedCommands{Clients: k.Deps.Clients, Policies: k.Deps.Policies, Claims: k.Deps.Claims}
	history, err := kias.NewFeedPoller(k.DB, k.KIAS, cmds, kias.FeedConfig{Now: k.Now})
	require.NoError(t, err)
	set, err := reactions.New(reactions.Deps{
		Clients: k.Deps.Clients, Policies: k.Deps.Policies, Claims: k.Deps.Claims, Bonuses: k.Deps.Bonuses,
		Notices: k.Deps.Notices, Codes: k.Deps.Codes, DB: k.DB,
		SMS: k.SMS, Mailer: noMail{}, KIAS: k.KIAS, History: history, RenderPolicy: pdf.Policy,
	}, reactions.Config{CodeKey: bytes.Repeat([]byte{9}, 32), Now: k.Now, PollInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	b, err := bus.New(k.DB, k.Store, set.All(), bus.Config{PollInterval: 50 * time.Millisecond, Instance: "demo-test"})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = b.Run(ctx); done <- struct{}{} }()
	go func() { _ = set.Scheduler().Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	return &app{k: k, svc: k.Service, keys: demo.Keys{Website: k.WebsiteKey, Insurer: k.InsurerKey},
		sims: demo.Simulators{KIAS: k.KIAS, SMS: k.SMS}}
}

// restart is the same application after a restart of the process: the
// same database and bus, and partner simulators that start empty.
func (a *app) restart(t *testing.T) *app {
	t.Helper()
	kiasSim, smsSim := kias.NewSimulator(), sms.NewSimulator()
	deps := a.k.Deps
	deps.KIAS, deps.SMS = kiasSim, smsSim
	svc, err := cabinet.New(deps, cabinet.Config{Now: a.k.Now})
	require.NoError(t, err)
	return &app{k: a.k, svc: svc, keys: a.keys, sims: demo.Simulators{KIAS: kiasSim, SMS: smsSim}}
}

// noMail takes the reactions' e-mail and sends nothing.
type noMail struct{}

func (noMail) Send(context.Context, reactions.MailMessage) error { return nil }

func (a *app) load(t *testing.T) []demo.Login {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	logins, err := demo.Load(ctx, a.svc, a.keys, a.sims, a.k.Now)
	require.NoError(t, err)
	return logins
}

// events counts the events in the log. It counts the table's rows: ReadAll
// holds back events behind a write open anywhere on the server, and would
// count fewer for a while.
func (a *app) events(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, a.k.DB.QueryRow(context.Background(), `SELECT count(*) FROM events`).Scan(&n))
	return n
}

// invoke calls an operation of the app's service.
func (a *app) invoke(op string, creds cabinet.Credentials, req any) (any, error) {
	o, ok := cabinet.Lookup(op)
	if !ok {
		return nil, fmt.Errorf("no operation %s", op)
	}
	return a.svc.Invoke(context.Background(), o, creds, req)
}

// login opens a session as the website would.
func (a *app) login(t *testing.T, iin, code string) cabinet.Credentials {
	t.Helper()
	s := cabinet.Credentials{APIKey: a.keys.Website}
	s.SessionToken = call[cabinet.LoginResponse](t, a, "Login", s, &cabinet.LoginRequest{Login: iin, AccessCode: code}).Session.Token
	return s
}

func call[Resp any](t *testing.T, a *app, op string, creds cabinet.Credentials, req any) *Resp {
	t.Helper()
	resp, err := a.invoke(op, creds, req)
	require.NoError(t, err, op)
	return resp.(*Resp)
}

func TestLoadBuildsTheDemoOnceThroughTheAPI(t *testing.T) {
	a := startApp(t)
	logins := a.load(t)
	before := a.events(t)
	require.Positive(t, before)

	again := a.load(t)
	assert.Equal(t, logins, again, "a second Load returns the same logins")
	assert.Equal(t, before, a.events(t), "a second Load appends no event")

	// A restart the next day: the same database, simulators that have
	// forgotten everything, dates that come out a day later.
	a.k.Advance(24 * time.Hour)
	restarted := a.restart(t)
	restarted.load(t)
	assert.Equal(t, before, a.events(t), "a Load after a restart appends no event")
	s := restarted.login(t, "900115300003", "2468")
	personal := call[cabinet.GetPersonalDataResponse](t, restarted, "GetPersonalData", s, &cabinet.GetPersonalDataRequest{})
	assert.NotEmpty(t, personal.PersonalData.DocumentNumber, "the new KIAS simulator has the personal data again")

	i := slices.IndexFunc(logins, func(l demo.Login) bool { return l.IIN == "900115300003" })
	require.GreaterOrEqual(t, i, 0, "the main demo client is among the logins")
	assert.Equal(t, "2468", logins[i].AccessCode)
	stages := map[string]bool{}
	for _, l := range logins {
		s := a.login(t, l.IIN, l.AccessCode)
		for _, cl := range call[cabinet.ListClaimsResponse](t, a, "ListClaims", s, &cabinet.ListClaimsRequest{}).Claims {
			stages[cl.Stage] = true
		}
	}
	for _, stage := range []string{"reported", "documents_requested", "documents_complete", "appraisal", "payout_decision",
		"paid", "refused", "withdrawn"} {
		assert.True(t, stages[stage], "a demo claim is in stage %s", stage)
	}
	s = a.login(t, "900115300003", "2468")

	list := call[cabinet.ListPoliciesResponse](t, a, "ListPolicies", s, &cabinet.ListPoliciesRequest{})
	c := list.Counts
	require.Positive(t, c.Expiring, "expiring")
	assert.Positive(t, c.Active, "active")
	assert.Positive(t, c.Installments, "installments")
	assert.Positive(t, c.History, "history")
	assert.True(t, slices.ContainsFunc(list.Policies, func(p cabinet.PolicySummary) bool {
		return p.NextInstallment != nil && p.NextInstallment.Overdue
	}), "an installment is overdue")

	expiring := list.Policies[slices.IndexFunc(list.Policies, func(p cabinet.PolicySummary) bool { return p.Bucket == "expiring" })]
	details := call[cabinet.GetPolicyResponse](t, a, "GetPolicy", s, &cabinet.GetPolicyRequest{PolicyID: expiring.PolicyID}).Policy
	require.NotEmpty(t, details.Drivers)
	for _, d := range details.Drivers {
		assert.NotNil(t, d.KBM, "driver %s has a KBM", d.Name)
	}
	assert.NotNil(t, details.Summary.Vehicle)

	claims := call[cabinet.ListClaimsResponse](t, a, "ListClaims", s, &cabinet.ListClaimsRequest{}).Claims
	var own []string
	for _, cl := range claims {
		own = append(own, cl.Stage)
	}
	assert.Subset(t, own, []string{"reported", "documents_requested", "appraisal", "payout_decision", "paid", "refused"},
		"the main client has a claim in each of these stages")
	assert.True(t, slices.ContainsFunc(claims, func(cl cabinet.ClaimSummary) bool { return cl.MissingCount > 0 }),
		"a claim waits for documents")

	acc := call[cabinet.GetBonusAccountResponse](t, a, "GetBonusAccount", s, &cabinet.GetBonusAccountRequest{})
	assert.Positive(t, acc.Balance)
	assert.True(t, slices.ContainsFunc(acc.Entries, func(e cabinet.BonusEntry) bool { return e.Kind == "spent" }),
		"points were spent")

	inbox := call[cabinet.ListNotificationsResponse](t, a, "ListNotifications", s, &cabinet.ListNotificationsRequest{Limit: 200})
	assert.NotEmpty(t, inbox.Notifications)
	assert.Less(t, inbox.Unread, int64(len(inbox.Notifications)), "some notifications were read")

	scans := call[cabinet.ListDocumentScansResponse](t, a, "ListDocumentScans", s, &cabinet.ListDocumentScansRequest{})
	assert.NotEmpty(t, scans.Scans)
}

// A visitor of the demo may change the demo client's access code; the next
// Load gives the listed code back.
func TestLoadRestoresAChangedAccessCode(t *testing.T) {
	a := startApp(t)
	a.load(t)
	s := a.login(t, "900115300003", "2468")
	call[cabinet.ChangeAccessCodeResponse](t, a, "ChangeAccessCode", s, &cabinet.ChangeAccessCodeRequest{CurrentCode: "2468", NewCode: "1397"})
	_, err := a.invoke("Login", cabinet.Credentials{APIKey: a.keys.Website}, &cabinet.LoginRequest{Login: "900115300003", AccessCode: "2468"})
	require.Error(t, err, "the old code no longer works")
	e, _ := cabinet.ErrorOf(err)
	require.Equal(t, cabinet.CodeInvalidCredentials, e.Code, "the old code no longer works: %v", err)

	a.load(t)
	a.login(t, "900115300003", "2468")
}

func TestLoadRefusesToRunWithoutTheSimulators(t *testing.T) {
	_, err := demo.Load(context.Background(), nil, demo.Keys{}, demo.Simulators{}, nil)
	require.Error(t, err)
	for _, want := range []string{"service", "API keys", "simulators"} {
		assert.Contains(t, err.Error(), want)
	}
}
