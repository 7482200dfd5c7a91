package web

import (
	"context"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end-to-end test drives Debian's chromium, headless, through the
// screens a client uses most: log in, see every bucket of "Мои полисы"
// with the right count, open a policy and download its PDF, open a claim
// with missing documents, change a setting and see it kept after a reload,
// log out.
//
// With KABINET_SCREENSHOTS=<dir> it saves a screenshot of each main screen
// there (PNG), for the package README:
//
//	KABINET_SCREENSHOTS=$PWD/adapters/web/screenshots go test -run TestBrowser ./adapters/web
//
// KABINET_CHROMIUM names another browser binary than /usr/bin/chromium.

// browserTarget is a running cabinet and what the test expects of it.
type browserTarget struct {
	URL        string
	Login      string         // the client's IIN
	AccessCode string         // their access code
	Counts     map[string]int // policies per bucket
}

// kitTarget serves the site over a kit with the seeded world. (The same
// test runs against `kabinet serve --demo` given the demo client's login,
// code and counts.)
func kitTarget(t *testing.T) browserTarget {
	s := newSite(t)
	w := seed(t, s.kit)
	return browserTarget{
		URL: s.srv.URL, Login: w.client.IIN.String(), AccessCode: w.client.Code,
		Counts: map[string]int{"expiring": 1, "active": 2, "installments": 1, "history": 1},
	}
}

func TestBrowser(t *testing.T) {
	target := kitTarget(t)
	ctx := newBrowserContext(t)
	shots := screenshots(t)
	downloads := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)

	// Log in.
	run(t, ctx, "log in",
		chromedp.EmulateViewport(1100, 900),
		chromedp.Navigate(target.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("f-login")),
	)
	assert.True(t, evaluate[bool](t, ctx, `document.styleSheets.length === 1 && document.styleSheets[0].cssRules.length > 20`),
		"the stylesheet loads under the content security policy")
	shots.take(ctx, "login")
	run(t, ctx, "submit the login form",
		chromedp.SendKeys(chromedp.ID("f-login"), target.Login),
		chromedp.SendKeys(chromedp.ID("f-accessCode"), target.AccessCode),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.menu`)),
	)

	// Every bucket with its count, and as many policies as it says.
	run(t, ctx, "open my policies", chromedp.Navigate(target.URL+"/policies"), chromedp.WaitVisible(chromedp.CSS(`ul.tabs`)))
	shots.take(ctx, "policies")
	for _, bucket := range []string{"expiring", "active", "installments", "history"} {
		count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`a[data-bucket="`+bucket+`"] .count`)))
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(target.Counts[bucket]), strings.TrimSpace(count), "the count on the %s tab", bucket)
		run(t, ctx, "open the "+bucket+" tab",
			chromedp.Click(chromedp.CSS(`a[data-bucket="`+bucket+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`a[data-bucket="`+bucket+`"][aria-current="page"]`)),
		)
		listed := evaluate[int](t, ctx, `document.querySelectorAll("section.bucket#`+bucket+` li.card").length`)
		assert.Equal(t, target.Counts[bucket], listed, "policies listed in the %s tab", bucket)
	}

	// A policy, and its PDF.
	run(t, ctx, "open a policy",
		chromedp.Click(chromedp.CSS(`a[data-bucket="active"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[data-bucket="active"][aria-current="page"]`)),
		chromedp.Click(chromedp.CSS(`section.bucket#active li.card h3 a`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/document"]`)),
	)
	details := text(t, ctx, `main`)
	for _, want := range []string{"Лица, допущенные к управлению", "КБМ: класс", "Транспортное средство", "Страховая премия", "Оплачено"} {
		assert.Contains(t, details, want)
	}
	shots.take(ctx, "policy")
	run(t, ctx, "download the PDF",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptr(true),
			})
			return err
		}),
		chromedp.Click(chromedp.CSS(`a[href$="/document"]`)),
	)
	pdf := downloaded(t, progress, downloads)
	assert.True(t, strings.HasPrefix(string(pdf), "%PDF-"), "the download is a PDF")

	// A claim with missing documents.
	run(t, ctx, "open the claims", chromedp.Navigate(target.URL+"/claims"), chromedp.WaitVisible(chromedp.ID("in-settlement")))
	shots.take(ctx, "claims")
	run(t, ctx, "open a claim with missing documents",
		chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("#in-settlement li.card")].find(c => c.querySelector("p.warn")).querySelector("h3 a")`)),
		chromedp.WaitVisible(chromedp.CSS(`section.missing`)),
	)
	assert.Contains(t, text(t, ctx, `section.missing`), "Не хватает документов")
	assert.Positive(t, evaluate[int](t, ctx, `document.querySelectorAll("section.missing li").length`))
	shots.take(ctx, "claim")

	// A setting changed, still so after a reload.
	run(t, ctx, "open the settings", chromedp.Navigate(target.URL+"/settings"), chromedp.WaitVisible(chromedp.ID("f-bonus-sms")))
	before := evaluate[bool](t, ctx, `document.getElementById("f-bonus-sms").checked`)
	run(t, ctx, "change a setting",
		chromedp.Click(chromedp.ID("f-bonus-sms")),
		chromedp.Click(chromedp.CSS(`form[action="/settings"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	assert.Contains(t, text(t, ctx, `p.flash`), "Настройки сохранены.")
	run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("f-bonus-sms")))
	assert.Equal(t, !before, evaluate[bool](t, ctx, `document.getElementById("f-bonus-sms").checked`), "the setting is kept")
	shots.take(ctx, "settings")

	for _, screen := range []string{"bonus", "notifications", "profile"} {
		run(t, ctx, "open "+screen, chromedp.Navigate(target.URL+"/"+screen), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		shots.take(ctx, screen)
	}
	run(t, ctx, "a phone's width", chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(target.URL+"/policies"), chromedp.WaitVisible(chromedp.CSS(`ul.tabs`)))
	assert.LessOrEqual(t, evaluate[int](t, ctx, `document.documentElement.scrollWidth`), 390, "nothing scrolls sideways on a phone")
	shots.take(ctx, "policies-phone")

	// Log out: the login form again, and the cabinet is closed.
	run(t, ctx, "log out",
		chromedp.EmulateViewport(1100, 900),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("f-login")),
	)
	assert.Contains(t, text(t, ctx, `p.flash`), "Вы вышли из личного кабинета.")
	run(t, ctx, "try the cabinet again", chromedp.Navigate(target.URL+"/policies"), chromedp.WaitVisible(chromedp.ID("f-login")))
	location, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, target.URL+"/login", location)
}

// newBrowserContext starts a headless chromium with a fresh profile; it
// stops when t ends.
func newBrowserContext(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("KABINET_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		t.Fatalf("the browser test needs chromium at %s (%v); install it with: apt-get install -y chromium", path, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	require.NoError(t, chromedp.Do(ctx), "start chromium")
	return ctx
}

// stepTimeout bounds each step, so that a page that never shows what the
// test waits for fails the test rather than hanging it.
const stepTimeout = 30 * time.Second

func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, actions...), step)
}

func evaluate[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	require.NoError(t, err, js)
	return v
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	require.NoError(t, err, css)
	return v
}

// downloaded waits for the download the last click started and returns
// its content.
func downloaded(t *testing.T, progress iter.Seq2[browser.EventDownloadProgress, error], dir string) []byte {
	t.Helper()
	for ev, err := range progress {
		require.NoError(t, err)
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			require.NoError(t, err)
			return b
		case browser.DownloadProgressStateCanceled:
			t.Fatalf("the download was cancelled")
		}
	}
	t.Fatalf("the download never completed")
	return nil
}

// shots saves screenshots when KABINET_SCREENSHOTS names a directory.
type shots struct {
	t   *testing.T
	dir string
}

func screenshots(t *testing.T) shots {
	dir := os.Getenv("KABINET_SCREENSHOTS")
	if dir != "" {
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	return shots{t: t, dir: dir}
}

func (s shots) take(ctx context.Context, name string) {
	s.t.Helper()
	if s.dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(s.t, err, "screenshot %s", name)
	require.NoError(s.t, os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644))
	fmt.Fprintf(os.Stderr, "screenshot %s\n", filepath.Join(s.dir, name+".png"))
}

func ptr[T any](v T) *T { return &v }
