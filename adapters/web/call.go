package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// call runs an operation of the service as the site, with the client's
// session when there is one, and returns its typed answer.
func call[Resp any](h *Handler, r *http.Request, name string, req any) (*Resp, error) {
	op, ok := h.ops[name]
	if !ok {
		return nil, fmt.Errorf("operation %s is not in the site's list", name)
	}
	creds := cabinet.Credentials{APIKey: h.cfg.APIKey, SessionToken: h.sessionToken(r), CorrelationID: requestID(r)}
	out, err := h.svc.Invoke(r.Context(), op, creds, req)
	if err != nil {
		return nil, &opError{op: name, err: err}
	}
	resp, ok := out.(*Resp)
	if !ok {
		return nil, &opError{op: name, err: fmt.Errorf("answered %T", out)}
	}
	return resp, nil
}

// opError remembers which operation failed, for the log.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return e.op + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// Errors are what a form shows next to its fields: field name → message;
// the empty name is the form as a whole.
type Errors map[string]string

// Any reports whether there is an error at all.
func (e Errors) Any() bool { return len(e) > 0 }

// formErrors turns an error the client can act on into messages next to the
// form's fields; a field the form does not have gets the form's own message.
// ok is false for anything else (no session, not found, internal), which the
// caller hands to fail.
func formErrors(err error, fields ...string) (errs Errors, ok bool) {
	e, known := cabinet.ErrorOf(err)
	if !known {
		return nil, false
	}
	switch e.Code {
	case cabinet.CodeSessionRequired, cabinet.CodeAuthFailed, cabinet.CodeForbidden, cabinet.CodeInternal,
		cabinet.CodeMalformedRequest, cabinet.CodeUnknownOperation, cabinet.CodeUnknownNamespace:
		return nil, false
	case cabinet.CodeNotFound:
		if e.Field != "registrationId" {
			return nil, false
		}
	}
	field := e.Field
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:] // personalData.email is the form's email
	}
	if !contains(fields, field) {
		field = ""
	}
	return Errors{field: messageOf(e)}, true
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// fail answers a page whose operation failed with a page that says what
// happened. A session that ended sends the client to the login form; an
// error the service did not classify is logged once and not explained.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e, known := cabinet.ErrorOf(err)
	if !known {
		level := slog.LevelError
		if errors.Is(r.Context().Err(), context.Canceled) {
			level = slog.LevelDebug // the browser went away
		}
		op := ""
		if oe, ok := errors.AsType[*opError](err); ok {
			op = oe.op
		}
		h.log.Log(r.Context(), level, "page failed", "correlation_id", requestID(r), "operation", op, "error", err)
		h.message(w, r, http.StatusInternalServerError, "Что-то пошло не так", internalText)
		return
	}
	switch e.Code {
	case cabinet.CodeSessionRequired:
		h.endSession(w, r)
		redirect(w, r, "/login", "expired")
	case cabinet.CodeNotFound:
		h.notFound(w, r)
	default:
		if s := e.RetryAfterSeconds(); s > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(s, 10))
		}
		h.message(w, r, e.Status(), "Не получилось", messageOf(e))
	}
}

// internalText is all a client learns of an error the service did not classify.
const internalText = "Произошла ошибка на нашей стороне. Попробуйте ещё раз через несколько минут."

// mediaType is the request's content type without its parameters.
func mediaType(r *http.Request) string {
	t, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return t
}
