package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// refused shows a form again with the errors the service answered next to
// the form's fields, or, for an error no field explains, fails the page.
func (h *Handler) refused(w http.ResponseWriter, r *http.Request, err error, page string, v view, fields ...string) {
	errs, ok := formErrors(err, fields...)
	if !ok {
		h.fail(w, r, err)
		return
	}
	if e, _ := cabinet.ErrorOf(err); e.RetryAfterSeconds() > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(e.RetryAfterSeconds(), 10))
	}
	v.Errors = errs
	h.render(w, r, http.StatusUnprocessableEntity, page, v)
}

// invalid shows a form again with the errors the site found itself, before
// asking the service.
func (h *Handler) invalid(w http.ResponseWriter, r *http.Request, errs Errors, page string, v view) {
	v.Errors = errs
	h.render(w, r, http.StatusUnprocessableEntity, page, v)
}

// required puts "message" next to each named field the form left empty.
func required(errs Errors, r *http.Request, fields map[string]string) {
	for name, message := range fields {
		if strings.TrimSpace(r.PostFormValue(name)) == "" {
			errs[name] = message
		}
	}
}

// pathID is the {id} of the path when it is a UUID, as every ID of the
// service is; false answers the page with 404 without asking the service.
func (h *Handler) pathID(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.notFound(w, r)
		return "", false
	}
	return id.String(), true
}

// noPage answers a path the site does not have.
func (h *Handler) noPage(w http.ResponseWriter, r *http.Request) {
	h.message(w, r, http.StatusNotFound, "Страница не найдена", "Такой страницы нет. Проверьте адрес или начните с главной.")
}

// notFound answers an ID that is none of the client's.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.message(w, r, http.StatusNotFound, "Не найдено", "Такого документа нет среди ваших. Вернитесь к списку и выберите снова.")
}

var russianDate = regexp.MustCompile(`^(\d{2})\.(\d{2})\.(\d{4})$`)

// isoDate accepts a date as a date input sends it (YYYY-MM-DD) or as a
// person types it where there is no date input (DD.MM.YYYY), and returns
// what the service takes.
func isoDate(s string) cabinet.Date {
	s = strings.TrimSpace(s)
	if m := russianDate.FindStringSubmatch(s); m != nil {
		return cabinet.Date(m[3] + "-" + m[2] + "-" + m[1])
	}
	return cabinet.Date(s)
}
