package httpapi

import (
	"encoding/json"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// writeJSON answers 200 with resp, a pointer to a response.
func writeJSON(w http.ResponseWriter, resp any) error {
	fillNilSlices(reflect.ValueOf(resp))
	body, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store") // a client's own data
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(body, '\n'))
	return nil
}

// fillNilSlices replaces every nil slice under v with an empty one, so that
// arrays are written as [] and never as null.
func fillNilSlices(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			fillNilSlices(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				fillNilSlices(f)
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			if v.CanSet() {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return
		}
		if k := v.Type().Elem().Kind(); k == reflect.Struct || k == reflect.Pointer {
			for i := range v.Len() {
				fillNilSlices(v.Index(i))
			}
		}
	}
}

// writeDownload answers with the raw document of a response that carries
// one in the media type asked for; false when it does not.
func writeDownload(w http.ResponseWriter, mediaType string, resp any) bool {
	doc, ok := resp.(*cabinet.GetPolicyDocumentResponse)
	if !ok || !strings.EqualFold(doc.ContentType, mediaType) {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", mediaType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(doc.Content)))
	if doc.FileName != "" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": doc.FileName}))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc.Content)
	return true
}

// prefers reports whether an Accept header prefers mediaType to JSON: a
// higher quality, or the same quality through a more specific range
// ("application/pdf, */*" prefers the PDF).
func prefers(accept, mediaType string) bool {
	if accept == "" {
		return false
	}
	q, spec := quality(accept, mediaType)
	qj, specj := quality(accept, "application/json")
	return q > 0 && (q > qj || (q == qj && spec > specj))
}

// quality is the q of the most specific range of accept that matches
// mediaType, and how specific it is: 3 exact, 2 type/*, 1 */*, 0 none.
func quality(accept, mediaType string) (q float64, specificity int) {
	typ, _, _ := strings.Cut(mediaType, "/")
	for _, part := range strings.Split(accept, ",") {
		rng, params, _ := strings.Cut(part, ";")
		rng = strings.ToLower(strings.TrimSpace(rng))
		s := 0
		switch {
		case rng == mediaType:
			s = 3
		case rng == typ+"/*":
			s = 2
		case rng == "*/*":
			s = 1
		}
		if s <= specificity {
			continue
		}
		specificity, q = s, 1
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
		}
	}
	return q, specificity
}
