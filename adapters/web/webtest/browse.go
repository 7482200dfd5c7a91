// Package webtest drives the client cabinet of package web in a headless
// chromium, for tests: Browse goes through the screens a client uses most
// on any running cabinet, the site served over a test kit as well as a
// `kabinet serve --demo` process.
//
// Browse knows of the data only what the Target says: the client's login
// and access code and how many policies each tab of "Мои полисы" holds. The
// policy and the claim it opens are the ones the pages show (a motor policy
// when there is one, a claim waiting for documents), and it fails, naming
// what is missing, when the client has none.
//
// It needs Debian's chromium at /usr/bin/chromium (apt-get install -y
// chromium), or the binary KABINET_CHROMIUM names; it fails when there is
// none. With KABINET_SCREENSHOTS=<dir> it saves a PNG of each main screen
// there, as the package README shows them.
package webtest

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Target is a running cabinet and what Browse expects of it.
type Target struct {
	URL        string         // where the site is served, e.g. http://127.0.0.1:8080
	Login      string         // the client's IIN or phone
	AccessCode string         // their access code
	Counts     map[string]int // policies per bucket: expiring, active, installments, history
}

// buckets are the tabs of "Мои полисы", in the order the page shows them.
var buckets = []string{"expiring", "active", "installments", "history"}

// Browse logs the target's client in, checks every bucket of "Мои полисы"
// against Target.Counts, opens a policy and downloads its PDF, opens a claim
// with missing documents, changes a setting and sees it kept after a reload
// (then puts it back), opens the other screens, looks at a phone's width and
// logs out. With chromium's start it takes five to ten seconds.
func Browse(t testing.TB, target Target) {
	t.Helper()
	checkTarget(t, target)
	s := start(t, strings.TrimSuffix(target.URL, "/"))
	s.logIn(target.Login, target.AccessCode)
	cards := s.buckets(target.Counts)
	s.policy(pickPolicy(t, cards))
	s.claim()
	s.setting()
	s.screens()
	s.phone()
	s.logOut()
}

// checkTarget fails t when the target cannot be browsed. It never names
// the login or the code.
func checkTarget(t testing.TB, target Target) {
	t.Helper()
	u, err := url.Parse(target.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		t.Fatalf("webtest: Target.URL %q is not an http(s) address", target.URL)
	}
	if target.Login == "" {
		t.Fatalf("webtest: Target.Login is empty")
	}
	if target.AccessCode == "" {
		t.Fatalf("webtest: Target.AccessCode is empty")
	}
	for _, b := range buckets {
		n, ok := target.Counts[b]
		if !ok || n < 0 {
			t.Fatalf("webtest: Target.Counts needs a count of zero or more for %q (the buckets are %v)", b, buckets)
		}
	}
	for b := range target.Counts {
		if !slices.Contains(buckets, b) {
			t.Fatalf("webtest: Target.Counts has %q, which is no bucket (the buckets are %v)", b, buckets)
		}
	}
}

// logIn opens the site, which sends a visitor to the login form, and logs in.
func (s *session) logIn(login, code string) {
	s.t.Helper()
	s.do("open the site",
		chromedp.EmulateViewport(1100, 900),
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.ID("f-login")),
	)
	assert.True(s.t, evaluate[bool](s, `document.styleSheets.length === 1 && document.styleSheets[0].cssRules.length > 20`),
		"the stylesheet loads under the content security policy")
	s.shot("login")
	s.do("submit the login form",
		chromedp.SendKeys(chromedp.ID("f-login"), login),
		chromedp.SendKeys(chromedp.ID("f-accessCode"), code),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.menu, .error-summary`)),
	)
	if refused := evaluate[string](s, `document.querySelector(".error-summary")?.innerText ?? ""`); refused != "" {
		s.t.Fatalf("the cabinet refused Target.Login and Target.AccessCode: %s", refused)
	}
}

// policyCard is a policy as a tab of "Мои полисы" lists it.
type policyCard struct {
	Bucket  string `json:"bucket"`
	Href    string `json:"href"`
	Title   string `json:"title"`   // product and number
	Premium string `json:"premium"` // as the page writes it
	Vehicle string `json:"vehicle"` // empty when the card shows none
}

// buckets checks each tab's count and that it lists as many policies, and
// returns the first card of each tab that has one.
func (s *session) buckets(counts map[string]int) []policyCard {
	s.t.Helper()
	s.do("open my policies", chromedp.Navigate(s.url+"/policies"), chromedp.WaitVisible(chromedp.CSS(`ul.tabs`)))
	s.shot("policies")
	var cards []policyCard
	for _, bucket := range buckets {
		tab := `a[data-bucket="` + bucket + `"]`
		assert.Equal(s.t, strconv.Itoa(counts[bucket]), strings.TrimSpace(s.text(tab+` .count`)), "the count on the %s tab", bucket)
		s.do("open the "+bucket+" tab",
			chromedp.Click(chromedp.CSS(tab)),
			chromedp.WaitVisible(chromedp.CSS(tab+`[aria-current="page"]`)),
		)
		section := `section.bucket#` + bucket
		listed := evaluate[int](s, `document.querySelectorAll("`+section+` li.card").length`)
		assert.Equal(s.t, counts[bucket], listed, "policies listed in the %s tab", bucket)
		if card := evaluate[*policyCard](s, firstCardJS(bucket)); card != nil {
			cards = append(cards, *card)
		}
	}
	return cards
}

// firstCardJS reads the first card of a bucket's section, or null.
func firstCardJS(bucket string) string {
	return `(() => {
	const card = document.querySelector("section.bucket#` + bucket + ` li.card");
	if (!card) return null;
	const link = card.querySelector("h3 a");
	const norm = (s) => s.replace(/\s+/g, " ").trim();
	const dd = (name) => {
		const dt = [...card.querySelectorAll("dt")].find((e) => norm(e.textContent) === name);
		return dt ? norm(dt.nextElementSibling.textContent) : "";
	};
	return {bucket: "` + bucket + `", href: link.getAttribute("href"), title: norm(link.textContent),
		premium: dd("Страховая премия"), vehicle: dd("Автомобиль")};
})()`
}

// pickPolicy takes a motor policy when a tab shows one, for its vehicle,
// and otherwise the first policy listed.
func pickPolicy(t testing.TB, cards []policyCard) policyCard {
	t.Helper()
	if len(cards) == 0 {
		t.Fatalf("webtest: the client has no policy in any tab of «Мои полисы»; Browse opens one, so Target needs a client with a policy")
	}
	for _, c := range cards {
		if c.Vehicle != "" {
			return c
		}
	}
	return cards[0]
}

// policy opens the policy from its tab, checks the details against the
// card and downloads the PDF.
func (s *session) policy(card policyCard) {
	s.t.Helper()
	s.do("open the "+card.Bucket+" tab", chromedp.Navigate(s.url+"/policies?bucket="+card.Bucket), chromedp.WaitVisible(chromedp.CSS(`ul.tabs`)))
	s.do("open a policy",
		chromedp.Click(chromedp.CSS(`section.bucket#`+card.Bucket+` li.card h3 a[href="`+card.Href+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/document"]`)),
	)
	assert.Equal(s.t, card.Title, evaluate[string](s, `document.querySelector("main h1").textContent.replace(/\s+/g, " ").trim()`),
		"the policy's heading names the product and number its card shows")
	assert.Equal(s.t, card.Premium, s.fact("Страховая премия"), "the premium on the card and in the details")
	assert.NotEmpty(s.t, s.fact("Срок действия"), "the term")
	assert.NotEmpty(s.t, s.fact("Оплачено"), "what is paid")
	if card.Vehicle != "" {
		assert.NotEmpty(s.t, s.fact("Транспортное средство"), "the vehicle of a policy whose card shows %q", card.Vehicle)
	}
	s.shot("policy")
	pdf := s.download("the policy's PDF", chromedp.Click(chromedp.CSS(`a[href$="/document"]`)))
	assert.True(s.t, strings.HasPrefix(string(pdf), "%PDF-"), "the download is a PDF")
}

// fact is the text of a fact (dt/dd) on a details page, or "".
func (s *session) fact(name string) string {
	s.t.Helper()
	return evaluate[string](s, `(() => {
	const norm = (s) => s.replace(/\s+/g, " ").trim();
	const dt = [...document.querySelectorAll("main dl.facts dt")].find((e) => norm(e.textContent) === `+strconv.Quote(name)+`);
	return dt ? norm(dt.nextElementSibling.textContent) : "";
})()`)
}

// claimCard is a claim in settlement whose card asks for documents.
type claimCard struct {
	Href    string `json:"href"`
	Missing int    `json:"missing"`
}

// claim opens a claim waiting for documents and checks it lists as many
// as its card says.
func (s *session) claim() {
	s.t.Helper()
	s.do("open the claims", chromedp.Navigate(s.url+"/claims"), chromedp.WaitVisible(chromedp.ID("in-settlement")))
	s.shot("claims")
	card := evaluate[*claimCard](s, `(() => {
	const card = [...document.querySelectorAll("#in-settlement li.card")].find((c) => c.querySelector("p.warn"));
	if (!card) return null;
	return {href: card.querySelector("h3 a").getAttribute("href"),
		missing: parseInt(card.querySelector("p.warn").textContent.replace(/\D+/g, ""), 10)};
})()`)
	if card == nil {
		s.t.Fatalf("webtest: no claim in settlement on /claims asks for documents; Browse opens one, so Target needs a client with such a claim")
	}
	s.do("open a claim with missing documents",
		chromedp.Click(chromedp.CSS(`#in-settlement li.card h3 a[href="`+card.Href+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`section.missing`)),
	)
	assert.Contains(s.t, s.text(`section.missing`), "Не хватает документов")
	assert.Equal(s.t, card.Missing, evaluate[int](s, `document.querySelectorAll("section.missing li").length`),
		"the documents the claim lists as missing, as many as its card says")
	s.shot("claim")
}

// setting switches the SMS about bonus points, sees the switch kept after a
// reload, and switches it back so that the client's settings end as they
// were.
func (s *session) setting() {
	s.t.Helper()
	const box = `document.getElementById("f-bonus-sms").checked`
	s.do("open the settings", chromedp.Navigate(s.url+"/settings"), chromedp.WaitVisible(chromedp.ID("f-bonus-sms")))
	before := evaluate[bool](s, box)
	s.toggleBonusSMS("change a setting")
	s.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("f-bonus-sms")))
	assert.Equal(s.t, !before, evaluate[bool](s, box), "the setting is kept")
	s.shot("settings")
	// Open the form afresh: the reloaded page still shows the flash that
	// the next save must bring.
	s.do("open the settings again", chromedp.Navigate(s.url+"/settings"), chromedp.WaitVisible(chromedp.ID("f-bonus-sms")))
	s.toggleBonusSMS("put the setting back")
	assert.Equal(s.t, before, evaluate[bool](s, box), "the setting is back")
}

// toggleBonusSMS switches the box and saves the settings.
func (s *session) toggleBonusSMS(step string) {
	s.t.Helper()
	s.do(step,
		chromedp.Click(chromedp.ID("f-bonus-sms")),
		chromedp.Click(chromedp.CSS(`form[action="/settings"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash, .error-summary`)),
	)
	require.Empty(s.t, evaluate[string](s, `document.querySelector(".error-summary")?.innerText ?? ""`), "%s: the settings form refused", step)
	assert.Contains(s.t, s.text(`p.flash`), "Настройки сохранены.", step)
}

// screens opens the screens the scenario has not been to yet.
func (s *session) screens() {
	s.t.Helper()
	for _, screen := range []string{"bonus", "notifications", "profile"} {
		s.do("open "+screen, chromedp.Navigate(s.url+"/"+screen), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		s.shot(screen)
	}
}

// phone looks at "Мои полисы" at a phone's width.
func (s *session) phone() {
	s.t.Helper()
	s.do("a phone's width", chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(s.url+"/policies"), chromedp.WaitVisible(chromedp.CSS(`ul.tabs`)))
	assert.LessOrEqual(s.t, evaluate[int](s, `document.documentElement.scrollWidth`), 390, "nothing scrolls sideways on a phone")
	s.shot("policies-phone")
}

// logOut logs out and finds the cabinet closed.
func (s *session) logOut() {
	s.t.Helper()
	s.do("log out",
		chromedp.EmulateViewport(1100, 900),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("f-login")),
	)
	assert.Contains(s.t, s.text(`p.flash`), "Вы вышли из личного кабинета.")
	s.do("try the cabinet again", chromedp.Navigate(s.url+"/policies"), chromedp.WaitVisible(chromedp.ID("f-login")))
	location, err := chromedp.Run(s.ctx, chromedp.Location())
	require.NoError(s.t, err)
	assert.Equal(s.t, s.url+"/login", location)
}
