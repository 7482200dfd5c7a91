package kias

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// maxRequestBytes bounds a request body: a scan of under a megabyte as base64.
const maxRequestBytes = 4 << 20

// RequireAPIKey makes Handler answer 401 to requests without this key in
// X-API-Key. Call it before serving.
func (s *Simulator) RequireAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKey = key
}

// Handler serves the simulator over KIAS's HTTP API (see the package
// documentation). Writes honour Idempotency-Key.
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /clients/{iin}", s.withIIN(s.serveClient))
	mux.HandleFunc("GET /clients/{iin}/policies", s.withIIN(s.servePolicies))
	mux.HandleFunc("GET /clients/{iin}/personal-data", s.withIIN(s.servePersonalData))
	mux.HandleFunc("PUT /clients/{iin}/personal-data", s.withIIN(s.serveSavePersonalData))
	mux.HandleFunc("POST /clients/{iin}/scans", s.withIIN(s.serveSaveScan))
	mux.HandleFunc("GET /clients/{iin}/scans", s.withIIN(s.serveScans))
	mux.HandleFunc("GET /clients/{iin}/scans/{id}", s.withIIN(s.serveScan))
	mux.HandleFunc("GET /clients/{iin}/history", s.withIIN(s.serveHistory))
	mux.HandleFunc("GET /contracts/{id}/print-form", s.servePrintForm)
	mux.HandleFunc("GET /feed", s.serveFeed)
	return s.authorize(partnerhttp.ReplayWrites(mux))
}

func (s *Simulator) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		key := s.apiKey
		s.mu.Unlock()
		if key != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("X-API-Key")), []byte(key)) != 1 {
			writeError(w, http.StatusUnauthorized, "unauthorized", "a valid X-API-Key is required")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Simulator) withIIN(h func(http.ResponseWriter, *http.Request, kz.IIN)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		iin, err := kz.ParseIIN(r.PathValue("iin"))
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_iin", err.Error())
			return
		}
		h(w, r, iin)
	}
}

func (s *Simulator) serveClient(w http.ResponseWriter, r *http.Request, iin kz.IIN) {
	p, found, err := s.FindClient(r.Context(), iin)
	switch {
	case err != nil:
		writeError(w, http.StatusInternalServerError, "internal", "try again")
	case !found:
		writeError(w, http.StatusNotFound, "not_found", "no client with this IIN")
	default:
		writeJSON(w, http.StatusOK, toPersonJSON(p))
	}
}

func (s *Simulator) servePolicies(w http.ResponseWriter, _ *http.Request, iin kz.IIN) {
	s.mu.Lock()
	out := policiesJSON{Policies: []policyNumberJSON{}}
	if rec, ok := s.people[iin]; ok {
		for _, n := range rec.policies {
			out.Policies = append(out.Policies, policyNumberJSON{Number: n})
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Simulator) servePersonalData(w http.ResponseWriter, r *http.Request, iin kz.IIN) {
	d, err := s.PersonalData(r.Context(), iin)
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no client with this IIN")
	case err != nil:
		writeError(w, http.StatusInternalServerError, "internal", "try again")
	default:
		writeJSON(w, http.StatusOK, toPersonalDataJSON(d))
	}
}

func (s *Simulator) serveSavePersonalData(w http.ResponseWriter, r *http.Request, iin kz.IIN) {
	var in personalDataJSON
	if !readJSON(w, r, &in) {
		return
	}
	if in.Phone != "" {
		if _, err := kz.ParsePhone(in.Phone); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_phone", err.Error())
			return
		}
	}
	if err := s.SavePersonalData(r.Context(), iin, in.personalData()); err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "try again")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Simulator) serveSaveScan(w http.ResponseWriter, r *http.Request, iin kz.IIN) {
	var in scanJSON
	if !readJSON(w, r, &in) {
		return
	}
	if !ScanKind(in.Kind).Valid() {
		writeError(w, http.StatusBadRequest, "invalid_kind", "kind is not a known scan kind")
		return
	}
	sc, err := s.SaveScan(r.Context(), iin, Scan{Kind: ScanKind(in.Kind), FileName: in.FileName, ContentType: in.ContentType, Content: in.Content})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "try again")
		return
	}
	writeJSON(w, http.StatusCreated, toScanJSON(sc))
}

func (s *Simulator) serveScans(w http.ResponseWriter, r *http.Request, iin kz.IIN) {
	scans, err := s.Scans(r.Context(), iin)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "try again")
		return
	}
	out := scansJSON{Scans: make([]scanJSON, 0, len(scans))}
	for _, sc := range scans {
		out.Scans = append(out.Scans, toScanJSON(sc))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Simulator) serveScan(w http.ResponseWriter, r *http.Request, iin kz.IIN) {
	sc, err := s.Scan(r.Context(), iin, r.PathValue("id"))
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such scan")
	case err != nil:
		writeError(w, http.StatusInternalServerError, "internal", "try again")
	default:
		writeJSON(w, http.StatusOK, toScanJSON(sc))
	}
}

func (s *Simulator) servePrintForm(w http.ResponseWriter, r *http.Request) {
	pdf, found, err := s.PrintForm(r.Context(), r.PathValue("id"))
	switch {
	case err != nil:
		writeError(w, http.StatusInternalServerError, "internal", "try again")
	case !found:
		writeError(w, http.StatusNotFound, "not_found", "no print form for this contract")
	default:
		writeJSON(w, http.StatusOK, printFormJSON{ContentType: "application/pdf", Content: pdf})
	}
}

func (s *Simulator) serveFeed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxFeedLimit {
			writeError(w, http.StatusBadRequest, "invalid_limit", "limit must be 1 to 500")
			return
		}
		limit = n
	}
	page, err := s.Changes(r.Context(), q.Get("after"), limit)
	switch {
	case errors.Is(err, ErrBadCursor):
		writeError(w, http.StatusBadRequest, "invalid_cursor", "after is not a cursor of this feed")
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, "internal", "try again")
		return
	}
	out := feedJSON{Next: page.Next, Changes: make([]json.RawMessage, 0, len(page.Changes))}
	for _, ch := range page.Changes {
		b, err := json.Marshal(ch)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "internal", "try again")
			return
		}
		out.Changes = append(out.Changes, b)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Simulator) serveHistory(w http.ResponseWriter, r *http.Request, iin kz.IIN) {
	changes, err := s.History(r.Context(), iin)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "try again")
		return
	}
	out := historyJSON{Changes: make([]json.RawMessage, 0, len(changes))}
	for _, ch := range changes {
		b, err := json.Marshal(ch)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "internal", "try again")
			return
		}
		out.Changes = append(out.Changes, b)
	}
	writeJSON(w, http.StatusOK, out)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_body", "the body is not the JSON expected")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorJSON{Error: errorBody{Code: code, Message: message}})
}
