package cabinet

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// refuseUnstorableText checks every string of a request before the
// operation runs. PostgreSQL keeps no NUL character and no invalid UTF-8 in
// text: such a string would fail a query as an internal error or, once in
// the event log, stop a read model that cannot store it. SOAP carries
// neither, but JSON carries a NUL, and a path, a query string or a form
// either.
func refuseUnstorableText(req any) error {
	return checkText(reflect.ValueOf(req), "")
}

func checkText(v reflect.Value, field string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkText(v.Elem(), field)
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return invalid(field, "must be UTF-8 text without NUL characters")
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if field != "" {
				name = field + "." + name
			}
			if err := checkText(v.Field(i), name); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // Binary: bytes, not text
		}
		for i := range v.Len() {
			if err := checkText(v.Index(i), fmt.Sprintf("%s[%d]", field, i)); err != nil {
				return err
			}
		}
	}
	return nil
}
