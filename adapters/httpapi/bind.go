package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/internal/text"
)

// maxBody is the largest request body accepted, the same on both protocols.
const maxBody = cabinet.MaxRequestBytes

var binaryType = reflect.TypeFor[cabinet.Binary]()

// binding fills a request of one route from the path, the query and the
// body. It is built once at start-up and only read afterwards.
type binding struct {
	path  []*member          // from the path, in path order
	query map[string]*member // GET and DELETE: every other member, by name
	order []*member          // the query members in struct order
	body  *object            // POST and PUT: every other member; nil otherwise
}

// object is how a JSON object decodes into a struct.
type object struct {
	members map[string]*member
	order   []*member // struct order, for the required check and the schema
}

// member is a struct field on the wire.
type member struct {
	name     string // the JSON name
	index    int    // of the struct field
	typ      reflect.Type
	required bool
	field    cabinet.Field
	obj      *object // for a struct, a pointer to one or a list of them
}

// bind fills req, a pointer to a new request, from r.
func (b *binding) bind(r *http.Request, req any) error {
	v := reflect.ValueOf(req).Elem()
	for _, m := range b.path {
		v.Field(m.index).SetString(r.PathValue(m.name))
	}
	query := r.URL.Query()
	if b.body != nil {
		if names := sortedKeys(query); len(names) > 0 {
			return &cabinet.Error{Code: cabinet.CodeInvalidArgument, Field: clip(names[0]),
				Message: fmt.Sprintf("unknown query parameter %q: this operation takes a JSON body", clip(names[0]))}
		}
		return b.bindBody(r, v)
	}
	return b.bindQuery(query, v)
}

func (b *binding) bindQuery(query map[string][]string, v reflect.Value) error {
	for _, name := range sortedKeys(query) {
		m, ok := b.query[name]
		if !ok {
			return &cabinet.Error{Code: cabinet.CodeInvalidArgument, Field: clip(name),
				Message: fmt.Sprintf("unknown query parameter %q", clip(name))}
		}
		values := query[name]
		if len(values) > 1 {
			return invalid(name, "%s is given more than once", name)
		}
		if values[0] == "" {
			continue
		}
		if err := setScalar(v.Field(m.index), values[0], name); err != nil {
			return err
		}
	}
	for _, m := range b.query {
		if _, ok := query[m.name]; !ok && m.required {
			return invalid(m.name, "the query parameter %s is required", m.name)
		}
	}
	return nil
}

// setScalar sets a string, integer or boolean from its text.
func setScalar(v reflect.Value, text, path string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Bool:
		switch text {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return invalid(path, "%s must be true or false", path)
		}
	default:
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return invalid(path, "%s must be an integer", path)
		}
		v.SetInt(n)
	}
	return nil
}

func (b *binding) bindBody(r *http.Request, v reflect.Value) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return malformed("the request body is over 1 MiB")
		}
		return malformed("the request body could not be read")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		data = []byte("{}")
	} else if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return malformed("send the request body as application/json")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return malformed("the request body is not valid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return malformed("the request body has more than one JSON value")
	}
	obj, ok := x.(map[string]any)
	if !ok {
		return malformed("the request body must be a JSON object")
	}
	for _, m := range b.path {
		if _, ok := obj[m.name]; ok {
			return invalid(m.name, "%s goes in the path, not in the body", m.name)
		}
	}
	return decodeObject(b.body, obj, v, "")
}

// isJSON reports whether a Content-Type is JSON.
func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// decodeObject fills struct v from a JSON object. Names match exactly, not
// ignoring case as encoding/json does, so that the document's names are the
// only ones accepted.
func decodeObject(o *object, x map[string]any, v reflect.Value, path string) error {
	for _, k := range sortedKeys(x) {
		m, ok := o.members[k]
		if !ok {
			p := join(path, clip(k))
			return &cabinet.Error{Code: cabinet.CodeInvalidArgument, Field: p, Message: fmt.Sprintf("unknown member %s", p)}
		}
		if err := decodeValue(m, x[k], v.Field(m.index), join(path, k)); err != nil {
			return err
		}
	}
	for _, m := range o.order {
		if val, ok := x[m.name]; m.required && (!ok || val == nil) {
			p := join(path, m.name)
			return invalid(p, "%s is required", p)
		}
	}
	return nil
}

func decodeValue(m *member, x any, v reflect.Value, path string) error {
	if x == nil {
		return nil // null is absent
	}
	t := v.Type()
	switch {
	case t == binaryType:
		s, ok := x.(string)
		if !ok {
			return invalid(path, "%s must be a base64 string", path)
		}
		if err := v.Addr().Interface().(*cabinet.Binary).UnmarshalText([]byte(s)); err != nil {
			return invalid(path, "%s must be base64", path)
		}
	case t.Kind() == reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := decodeValue(m, x, p.Elem(), path); err != nil {
			return err
		}
		v.Set(p)
	case t.Kind() == reflect.Slice:
		list, ok := x.([]any)
		if !ok {
			return invalid(path, "%s must be an array", path)
		}
		s := reflect.MakeSlice(t, len(list), len(list))
		for i, item := range list {
			p := fmt.Sprintf("%s[%d]", path, i)
			if item == nil {
				return invalid(p, "%s must not be null", p)
			}
			if err := decodeValue(m, item, s.Index(i), p); err != nil {
				return err
			}
		}
		v.Set(s)
	case t.Kind() == reflect.Struct:
		obj, ok := x.(map[string]any)
		if !ok {
			return invalid(path, "%s must be an object", path)
		}
		return decodeObject(m.obj, obj, v, path)
	case t.Kind() == reflect.String:
		s, ok := x.(string)
		if !ok {
			return invalid(path, "%s must be a string", path)
		}
		v.SetString(s)
	case t.Kind() == reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return invalid(path, "%s must be true or false", path)
		}
		v.SetBool(b)
	default: // integers; planObject accepted nothing else
		n, ok := x.(json.Number)
		if !ok {
			return invalid(path, "%s must be an integer", path)
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || v.OverflowInt(i) {
			return invalid(path, "%s must be an integer", path)
		}
		v.SetInt(i)
	}
	return nil
}

// sortedKeys orders a map's keys, so that of several faults the same one
// is reported every time.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// clip shortens a name the caller made up before it goes into an answer.
func clip(s string) string {
	return text.Clip(s, 64)
}

func invalid(field, format string, args ...any) *cabinet.Error {
	return &cabinet.Error{Code: cabinet.CodeInvalidArgument, Field: field, Message: fmt.Sprintf(format, args...)}
}

func malformed(msg string) *cabinet.Error {
	return &cabinet.Error{Code: cabinet.CodeMalformedRequest, Message: msg}
}
