package esbd

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"

	"github.com/kabinet/kabinet/domain/kz"
)

// RequireBasicAuth makes Handler answer 401 to requests without this login
// and password. Call it before serving.
func (s *Simulator) RequireBasicAuth(login, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.login, s.secret = login, password
}

// Handler serves the simulator over ESBD's HTTP API (see the package
// documentation).
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /persons/{iin}", s.servePerson)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		login, secret := s.login, s.secret
		s.mu.Unlock()
		if login != "" {
			u, p, ok := r.BasicAuth()
			if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(login))&subtle.ConstantTimeCompare([]byte(p), []byte(secret)) != 1 {
				w.Header().Set("WWW-Authenticate", `Basic realm="esbd"`)
				writeError(w, http.StatusUnauthorized, "unauthorized", "login and password are required")
				return
			}
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Simulator) servePerson(w http.ResponseWriter, r *http.Request) {
	iin, err := kz.ParseIIN(r.PathValue("iin"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_iin", err.Error())
		return
	}
	p, found, err := s.FindPerson(r.Context(), iin)
	switch {
	case err != nil:
		writeError(w, http.StatusInternalServerError, "internal", "try again")
	case !found:
		writeError(w, http.StatusNotFound, "not_found", "nothing is known of this IIN")
	default:
		writeJSON(w, http.StatusOK, toPersonJSON(p))
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]map[string]string{"error": {"code": code, "message": message}})
}
