package web

import (
	"testing"

	"github.com/kabinet/kabinet/adapters/web/webtest"
)

// TestBrowser drives Debian's chromium, headless, through the screens a
// client uses most, on the site served over a kit with the seeded world
// (webtest.Browse says what it does). The same scenario runs against
// `kabinet serve --demo` in cmd/kabinet.
//
// With KABINET_SCREENSHOTS=<dir> it saves a screenshot of each main screen
// there (PNG), for the package README:
//
//	KABINET_SCREENSHOTS=$PWD/adapters/web/screenshots go test -run TestBrowser ./adapters/web
//
// KABINET_CHROMIUM names another browser binary than /usr/bin/chromium.
func TestBrowser(t *testing.T) {
	s := newSite(t)
	w := seed(t, s.kit)
	webtest.Browse(t, webtest.Target{
		URL: s.srv.URL, Login: w.client.IIN.String(), AccessCode: w.client.Code,
		Counts: map[string]int{"expiring": 1, "active": 2, "installments": 1, "history": 1},
	})
}
