package webtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// stepTimeout bounds each step, so that a page that never shows what the
// scenario waits for fails the test rather than hanging it.
const stepTimeout = 30 * time.Second

// session is one headless chromium on the target, for one test.
type session struct {
	t         testing.TB
	ctx       context.Context
	url       string // the target's URL without a trailing slash
	shots     string // where screenshots go; empty for none
	downloads string
}

// start starts a headless chromium with a fresh profile; it stops when t
// ends.
func start(t testing.TB, url string) *session {
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
	s := &session{t: t, ctx: ctx, url: url, shots: os.Getenv("KABINET_SCREENSHOTS"), downloads: t.TempDir()}
	if s.shots != "" {
		require.NoError(t, os.MkdirAll(s.shots, 0o755), "KABINET_SCREENSHOTS")
	}
	return s
}

// do runs a step's actions, failing t with the step's name.
func (s *session) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	require.NoError(s.t, chromedp.Do(ctx, actions...), step)
}

// evaluate runs a script on the page and decodes its result.
func evaluate[T any](s *session, js string) T {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	require.NoError(s.t, err, js)
	return v
}

// text is the visible text of the first element css selects.
func (s *session) text(css string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	require.NoError(s.t, err, css)
	return v
}

// download runs the action that starts a download and returns what was
// downloaded.
func (s *session) download(what string, start chromedp.Action[chromedp.Void]) []byte {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	// Subscribe before the click, so that no progress event is missed.
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	require.NoError(s.t, chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: s.downloads, EventsEnabled: ptr(true),
			})
			return err
		}),
		start,
	), "download %s", what)
	for ev, err := range progress {
		require.NoError(s.t, err, "download %s", what)
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(s.downloads, ev.GUID))
			require.NoError(s.t, err, "download %s", what)
			return b
		case browser.DownloadProgressStateCanceled:
			s.t.Fatalf("the download of %s was cancelled", what)
		}
	}
	s.t.Fatalf("the download of %s never completed", what)
	return nil
}

// shot saves a screenshot of the page as name.png when KABINET_SCREENSHOTS
// names a directory.
func (s *session) shot(name string) {
	s.t.Helper()
	if s.shots == "" {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(s.t, err, "screenshot %s", name)
	file := filepath.Join(s.shots, name+".png")
	require.NoError(s.t, os.WriteFile(file, png, 0o644))
	fmt.Fprintf(os.Stderr, "screenshot %s\n", file)
}

func ptr[T any](v T) *T { return &v }
