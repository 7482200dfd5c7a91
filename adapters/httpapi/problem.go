package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// problemType prefixes the code to make a problem's type URI.
const problemType = "urn:kabinet:problem:"

// problem is an RFC 9457 problem document with kabinet's members.
type problem struct {
	Type              string `json:"type"`
	Title             string `json:"title"`
	Status            int    `json:"status"`
	Detail            string `json:"detail"`
	Code              string `json:"code"`
	Field             string `json:"field,omitempty"`
	RetryAfterSeconds int64  `json:"retryAfterSeconds,omitempty"`
	RequestID         string `json:"requestId"`
}

// writeProblem answers with e at its own HTTP status.
func writeProblem(w http.ResponseWriter, requestID string, e *cabinet.Error) {
	writeProblemStatus(w, requestID, e, e.Status())
}

// writeProblemStatus answers with e at a given status, for the errors of
// HTTP itself (405) that no cabinet code maps to.
func writeProblemStatus(w http.ResponseWriter, requestID string, e *cabinet.Error, status int) {
	p := problem{
		Type:      problemType + string(e.Code),
		Title:     title(e.Code),
		Status:    status,
		Detail:    e.Message,
		Code:      string(e.Code),
		Field:     e.Field,
		RequestID: requestID,
	}
	if e.RetryAfter > 0 {
		p.RetryAfterSeconds = e.RetryAfterSeconds()
		w.Header().Set("Retry-After", strconv.FormatInt(p.RetryAfterSeconds, 10))
	}
	body, err := json.Marshal(p)
	if err != nil { // a struct of strings and integers always marshals
		body = []byte(`{}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// retryAfterSeconds rounds up, so that a caller who waits that long is not
// turned away again.
// title is the short, fixed summary of a code: "INVALID_ARGUMENT" becomes
// "Invalid argument".
func title(c cabinet.Code) string {
	s := strings.ToLower(strings.ReplaceAll(string(c), "_", " "))
	if s == "" {
		return "Error"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
