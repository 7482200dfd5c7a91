package sms

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/kabinet/kabinet/domain/kz"
)

// Handler serves the simulator as an SMSC-style gateway: POST
// /sys/send.php with login and psw (or apikey), phones (one number), mes,
// fmt=3, charset=utf-8 and an optional id, answered with {"id": N, "cnt": K}
// or {"error": "...", "error_code": N}. A repeated id answers with the first
// message's number and sends nothing. Parameters are read from the POST body
// only, so credentials and texts never sit in a URL.
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+sendPath, s.serveSend)
	return mux
}

func (s *Simulator) serveSend(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxAnswer)
	if err := r.ParseForm(); err != nil {
		answerError(w, codeBadParameters, "the body is not a form")
		return
	}
	f := r.PostForm
	if !s.authorized(f.Get("login"), f.Get("psw"), f.Get("apikey")) {
		answerError(w, codeCredentials, "wrong login or password")
		return
	}
	if f.Get("fmt") != "3" {
		answerError(w, codeBadParameters, "the simulator answers in JSON only, fmt=3")
		return
	}
	if !strings.EqualFold(f.Get("charset"), "utf-8") {
		answerError(w, codeBadParameters, "the simulator reads utf-8 only")
		return
	}
	phones := f.Get("phones")
	if strings.ContainsAny(phones, ",;") {
		answerError(w, codeBadParameters, "one number per request")
		return
	}
	phone, err := kz.ParsePhone(phones)
	if err != nil {
		answerError(w, codePhoneFormat, "invalid phone number format")
		return
	}
	text := f.Get("mes")
	if strings.TrimSpace(text) == "" {
		answerError(w, codeBadParameters, "no message")
		return
	}
	id := f.Get("id")
	if id != "" && !validID(id) {
		answerError(w, codeBadParameters, "id: up to 40 letters, digits, dots, dashes and underscores")
		return
	}
	_, n, err := s.send(r.Context(), phone, text, id)
	if err != nil {
		http.Error(w, "the request ended", http.StatusServiceUnavailable)
		return
	}
	answerJSON(w, map[string]int{"id": n, "cnt": segments(text)})
}

// authorized checks the credentials against those configured, if any.
func (s *Simulator) authorized(login, password, apiKey string) bool {
	switch {
	case s.APIKey == "" && s.Login == "":
		return true
	case s.APIKey != "" && apiKey != "":
		return equal(apiKey, s.APIKey)
	case s.Login != "":
		return equal(login, s.Login) && equal(password, s.Password)
	}
	return false
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// segments is how many SMS a text takes: 70 characters in one, 67 per part
// of a longer one, as UCS-2 (Cyrillic) messages are split.
func segments(text string) int {
	n := utf8.RuneCountInString(text)
	if n <= 70 {
		return 1
	}
	return (n + 66) / 67
}

func answerError(w http.ResponseWriter, code int, description string) {
	answerJSON(w, map[string]any{"error": description, "error_code": code})
}

func answerJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
