package web

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// view is what every page template gets.
type view struct {
	CSRF     string // the token of the page's forms
	SignedIn bool
	Unread   int64  // unread notifications, for the menu
	Section  string // the menu item of the page
	Flash    string // the message of a form that succeeded
	Errors   Errors
	Data     any // the page's own
}

// parsePages parses every page with the layout and the shared parts; a page
// is named for its file without the extension.
func parsePages() (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(assets, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template)
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(assets, f)
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes a page. The page is rendered whole before anything is
// sent, so a template that fails becomes the error page, not half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	t, ok := h.pages[page]
	if !ok {
		panic("web: no page " + page)
	}
	v.CSRF = h.csrfToken(w, r)
	if v.Flash == "" {
		v.Flash = flashes[r.URL.Query().Get("ok")]
	}
	if h.sessionToken(r) != "" {
		v.SignedIn = true
		v.Unread = h.unread(r)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		panic("web: render " + page + ": " + err.Error())
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// unread counts the client's unread notifications for the menu; a failure
// only hides the count.
func (h *Handler) unread(r *http.Request) int64 {
	resp, err := call[cabinet.ListNotificationsResponse](h, r, "ListNotifications", &cabinet.ListNotificationsRequest{UnreadOnly: true, Limit: 1})
	if err != nil {
		return 0
	}
	return resp.Unread
}

// message answers with a page that only says something: an error, or that
// a page does not exist.
func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	h.render(w, r, status, "message", view{Data: struct{ Title, Text string }{title, text}})
}
