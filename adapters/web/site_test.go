package web

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/internal/logtest"
)

// site is the web cabinet over a kit's service, served on loopback, and a
// browser-like client of it: cookies kept, redirects not followed, the CSRF
// token of the last page remembered.
type site struct {
	t      *testing.T
	kit    *cabinettest.Kit
	srv    *httptest.Server
	client *http.Client
	logs   *logtest.Buffer
	csrf   string
}

// testKey keys the CSRF tokens of the test sites.
var testKey = bytes.Repeat([]byte{9}, 32)

func newSite(t *testing.T) *site {
	t.Helper()
	kit := cabinettest.New(t)
	return serveSite(t, kit, Config{}, false)
}

// serveSite serves the site over kit's service with cfg (its APIKey, Key
// and Logger filled in), over TLS when tls is set.
func serveSite(t *testing.T, kit *cabinettest.Kit, cfg Config, tls bool) *site {
	t.Helper()
	return serveService(t, kit, kit.Service, cfg, tls)
}

// serveService is serveSite over another service on kit's database.
func serveService(t *testing.T, kit *cabinettest.Kit, svc *cabinet.Service, cfg Config, tls bool) *site {
	t.Helper()
	logs := &logtest.Buffer{}
	cfg.APIKey, cfg.Key = kit.WebsiteKey, testKey
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := New(svc, cfg)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/", h) // mounted as the serve command mounts it
	srv := httptest.NewUnstartedServer(mux)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return &site{t: t, kit: kit, srv: srv, client: newBrowser(t, srv), logs: logs}
}

// newBrowser is a client with its own cookies that does not follow redirects.
func newBrowser(t *testing.T, srv *httptest.Server) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := *srv.Client() // the server's client has its transport; each browser its own cookies
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// another is a second browser on the same site, with no cookies.
func (s *site) another() *site {
	c := *s
	c.client, c.csrf = newBrowser(s.t, s.srv), ""
	return &c
}

// on is s with failures reported to t, for subtests.
func (s *site) on(t *testing.T) *site {
	c := *s
	c.t = t
	return &c
}

// page is an answer of the site; Body has its character references
// resolved (html/template writes "+" as "&#43;"), so tests read what a
// browser shows.
type page struct {
	Status int
	Header http.Header
	Body   string
}

// Location is where a redirect goes.
func (p page) Location() string { return p.Header.Get("Location") }

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (s *site) do(req *http.Request) page {
	s.t.Helper()
	resp, err := s.client.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	if m := csrfInput.FindSubmatch(body); m != nil {
		s.csrf = string(m[1])
	}
	return page{Status: resp.StatusCode, Header: resp.Header, Body: html.UnescapeString(string(body))}
}

func (s *site) get(path string) page {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
	require.NoError(s.t, err)
	return s.do(req)
}

// post sends a form with the CSRF token of the last page.
func (s *site) post(path string, form url.Values) page {
	s.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has(csrfField) {
		form.Set(csrfField, s.csrf)
	}
	return s.postRaw(path, form)
}

// postRaw sends a form as it is.
func (s *site) postRaw(path string, form url.Values) page {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(req)
}

// cookie is the browser's cookie of the site, nil when it has none.
func (s *site) cookie(name string) *http.Cookie {
	u, _ := url.Parse(s.srv.URL)
	for _, c := range s.client.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// login logs a client in through the login form and lands on their policies.
func (s *site) login(c cabinettest.Client) {
	s.t.Helper()
	p := s.get("/login")
	require.Equal(s.t, http.StatusOK, p.Status)
	p = s.post("/login", url.Values{"login": {c.IIN.String()}, "accessCode": {c.Code}})
	require.Equal(s.t, http.StatusSeeOther, p.Status, p.Body)
	require.Equal(s.t, "/access-code?ok=onetime", p.Location(), "the kit's clients log in with the code sent by SMS")
	s.get("/policies")
}

// world is a client with a policy in every bucket, an open claim with a
// missing document, a settled claim, bonus points and a notification.
type world struct {
	client                               cabinettest.Client
	expiring, active, installments, past cabinettest.Policy
	open, settled                        cabinettest.Claim
	notice                               uuid.UUID
}

func seed(t *testing.T, kit *cabinettest.Kit) world {
	t.Helper()
	ctx := context.Background()
	today := policy.DateOf(kit.Now().In(almaty()))
	w := world{client: kit.Client(t)}
	c := w.client
	w.expiring = kit.Policy(t, c, cabinettest.PolicyOptions{StartsOn: today.AddDays(-350), EndsOn: today.AddDays(10)})
	w.active = kit.Policy(t, c, cabinettest.PolicyOptions{})
	w.installments = kit.Policy(t, c, cabinettest.PolicyOptions{StartsOn: today.AddDays(-40), Installments: 3})
	w.past = kit.Policy(t, c, cabinettest.PolicyOptions{StartsOn: today.AddDays(-500), EndsOn: today.AddDays(-136)})
	w.open = kit.Claim(t, c, w.active)
	w.settled = kit.Claim(t, c, w.expiring)
	res, err := kit.Deps.Claims.ReceiveClaimDocument(ctx, uuid.New(), c.ID, w.settled.ID, claim.ReceiveClaimDocument{
		Kind: claim.DocumentIDCard, BlobRef: "blob-1", SHA256: strings.Repeat("ab", 32)})
	kit.Done(t, res, err)
	for _, to := range []claim.ChangeClaimStatus{
		{To: claim.StatusDocumentsRequested}, {To: claim.StatusDocumentsComplete}, {To: claim.StatusAppraisal}, {To: claim.StatusPayoutDecision},
		{To: claim.StatusPaid, Payout: money.MustParse("150000.00"), DecisionRef: "РВ-17"},
	} {
		res, err := kit.Deps.Claims.ChangeClaimStatus(ctx, uuid.New(), w.settled.ID, to)
		kit.Done(t, res, err)
	}
	res, err = kit.Deps.Bonuses.AccrueBonus(ctx, uuid.New(), c.ID, "PAY-"+w.active.Number, money.MustParse("36000.00"), w.active.ID)
	kit.Done(t, res, err)
	w.notice = uuid.New()
	res, err = kit.Deps.Notices.Record(ctx, uuid.New(), c.ID, notice.RecordNotice{
		NoticeID: w.notice, Kind: notice.KindMissingDocuments, Channels: []notice.Channel{notice.ChannelInbox},
		Title: "Нужны документы по страховому случаю", Body: "Передайте удостоверение личности.", ClaimID: w.open.ID,
	})
	kit.Done(t, res, err)
	kit.Settle(t)
	return w
}
