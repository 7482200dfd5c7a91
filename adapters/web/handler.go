package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

//go:embed templates/*.html static/*
var assets embed.FS

// operations are the operations of package cabinet the site calls; New
// refuses to start when one of them is missing from cabinet.Operations.
var operations = []string{
	"StartRegistration", "SendRegistrationCode", "ConfirmRegistration",
	"Login", "ResetAccessCode", "Logout", "ChangeAccessCode",
	"GetPersonalData", "UpdatePersonalData", "UploadDocumentScan", "ListDocumentScans", "GetDocumentScan",
	"GetSettings", "UpdateSettings", "GetConsents", "GiveConsent", "WithdrawConsent", "RequestErasure",
	"ListPolicies", "GetPolicy", "GetPolicyDocument", "PayInstallment", "ProlongPolicy",
	"ListClaims", "GetClaim", "GetBonusAccount", "ListNotifications", "MarkNotificationRead",
}

// Handler serves the site. It is safe for concurrent use.
type Handler struct {
	svc   *cabinet.Service
	cfg   Config
	log   *slog.Logger
	ops   map[string]cabinet.Operation
	pages map[string]*template.Template
	mux   *http.ServeMux
	cop   *http.CrossOriginProtection
}

// New builds the site on a service. The handler sees whole paths and serves
// everything under "/" that nothing more specific claims, so it is mounted
// as mux.Handle("/", h) beside /api/v1/ and /soap.
func New(svc *cabinet.Service, cfg Config) (*Handler, error) {
	if svc == nil {
		return nil, errors.New("web: a cabinet service is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	cfg.setDefaults()
	h := &Handler{svc: svc, cfg: cfg, log: cfg.Logger, ops: make(map[string]cabinet.Operation),
		mux: http.NewServeMux(), cop: http.NewCrossOriginProtection()}
	for _, name := range operations {
		op, ok := cabinet.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("web: the service has no operation %s", name)
		}
		h.ops[name] = op
	}
	var err error
	if h.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	h.routes()
	return h, nil
}

func (h *Handler) routes() {
	static, _ := fs.Sub(assets, "static") // the directory is embedded above
	h.mux.Handle("GET /static/", h.files(http.StripPrefix("/static/", http.FileServerFS(static))))
	h.mux.HandleFunc("GET /{$}", h.home)

	h.mux.HandleFunc("GET /login", h.loginPage)
	h.mux.HandleFunc("POST /login", h.form(h.login))
	h.mux.HandleFunc("GET /reset", h.resetPage)
	h.mux.HandleFunc("POST /reset", h.form(h.reset))
	h.mux.HandleFunc("GET /register", h.registerPage)
	h.mux.HandleFunc("POST /register", h.form(h.startRegistration))
	h.mux.HandleFunc("POST /register/code", h.form(h.sendRegistrationCode))
	h.mux.HandleFunc("POST /register/confirm", h.form(h.confirmRegistration))

	h.mux.HandleFunc("POST /logout", h.form(h.logout))
	h.mux.HandleFunc("GET /access-code", h.private(h.accessCodePage))
	h.mux.HandleFunc("POST /access-code", h.private(h.form(h.changeAccessCode)))

	h.mux.HandleFunc("GET /policies", h.private(h.policies))
	h.mux.HandleFunc("GET /policies/{id}", h.private(h.policy))
	h.mux.HandleFunc("GET /policies/{id}/document", h.private(h.policyDocument))
	h.mux.HandleFunc("POST /policies/{id}/pay", h.private(h.form(h.payInstallment)))
	h.mux.HandleFunc("GET /policies/{id}/renewal", h.private(h.renewal))

	h.mux.HandleFunc("GET /claims", h.private(h.claims))
	h.mux.HandleFunc("GET /claims/{id}", h.private(h.claim))
	h.mux.HandleFunc("GET /bonus", h.private(h.bonus))
	h.mux.HandleFunc("GET /notifications", h.private(h.notifications))
	h.mux.HandleFunc("POST /notifications/{id}/read", h.private(h.form(h.markRead)))

	h.mux.HandleFunc("GET /profile", h.private(h.profile))
	h.mux.HandleFunc("POST /profile", h.private(h.form(h.saveProfile)))
	h.mux.HandleFunc("POST /profile/scans", h.private(h.form(h.uploadScan)))
	h.mux.HandleFunc("GET /profile/scans/{id}", h.private(h.scan))
	h.mux.HandleFunc("GET /settings", h.private(h.settings))
	h.mux.HandleFunc("POST /settings", h.private(h.form(h.saveSettings)))
	h.mux.HandleFunc("POST /settings/consents/{purpose}/give", h.private(h.form(h.giveConsent)))
	h.mux.HandleFunc("POST /settings/consents/{purpose}/withdraw", h.private(h.form(h.withdrawConsent)))
	h.mux.HandleFunc("POST /settings/erasure", h.private(h.form(h.requestErasure)))

	h.mux.HandleFunc("/", h.noPage)
}

// ServeHTTP serves a request with the headers every answer carries.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := cabinet.RequestID(r.Header)
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	hd := w.Header()
	hd.Set("X-Request-ID", id)
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	// Pages show personal data: no cache keeps them. Static files say otherwise.
	hd.Set("Cache-Control", "no-store")
	defer h.recover(w, r)
	h.mux.ServeHTTP(w, r)
}

// contentSecurityPolicy allows the site's own stylesheet and images and
// nothing else: no script at all, no frames, forms that post to the site.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

type requestIDKey struct{}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

// files serves the embedded stylesheet and icon, which any cache may keep,
// and no listing of them.
func (h *Handler) files(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			h.noPage(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// recover answers a panic with the error page, logged with its stack,
// rather than dropping the connection.
func (h *Handler) recover(w http.ResponseWriter, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	h.log.ErrorContext(r.Context(), "page panicked", "correlation_id", requestID(r), "path", r.URL.Path,
		"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	h.message(w, r, http.StatusInternalServerError, "Что-то пошло не так", internalText)
}

// home sends a visitor to their policies, or to the login form.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	if h.sessionToken(r) != "" {
		redirect(w, r, "/policies", "")
		return
	}
	redirect(w, r, "/login", "")
}

// private serves a page of a client who has logged in; anyone else goes to
// the login form. Whether the session is still alive the service says.
func (h *Handler) private(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.sessionToken(r) == "" {
			redirect(w, r, "/login", "")
			return
		}
		next(w, r)
	}
}

// form checks a POST before its handler runs: a body of sensible size, not
// sent from another site, with the CSRF token of this browser.
func (h *Handler) form(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, cabinet.MaxRequestBytes)
		var err error
		if mediaType(r) == "multipart/form-data" {
			err = r.ParseMultipartForm(cabinet.MaxRequestBytes)
		} else {
			err = r.ParseForm()
		}
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			h.message(w, r, http.StatusRequestEntityTooLarge, "Слишком большой запрос", "Файл или форма больше 1 МБ. Уменьшите файл и попробуйте снова.")
			return
		}
		if err != nil {
			h.message(w, r, http.StatusBadRequest, "Форма не прочитана", "Отправьте форму ещё раз со страницы сайта.")
			return
		}
		if h.cop.Check(r) != nil || !h.validCSRF(r) {
			h.message(w, r, http.StatusForbidden, "Форма устарела",
				"Форма отправлена не со страницы сайта или устарела. Откройте страницу заново и повторите. Для работы сайта нужны cookies.")
			return
		}
		next(w, r)
	}
}

// redirect answers a POST or GET with 303 to a path of the site and, if ok
// names one, the message the next page shows.
func redirect(w http.ResponseWriter, r *http.Request, path, ok string) {
	if ok != "" {
		path += "?ok=" + ok
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}
