// Package text tells which strings kabinet can store. PostgreSQL keeps no
// NUL character and no invalid UTF-8 in text: such a string fails a query as
// an internal error or, once in the event log, stops a read model that
// cannot store it. Whatever comes from outside (a request of the API, a
// partner's record) is checked here before it reaches a command, and refused
// with an error that names the field, never the value.
package text

import (
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Rule is what a refused string breaks, for an error that names the field:
// "policy.holder.name: " + Rule.
const Rule = "must be UTF-8 text without NUL characters"

// Storable reports whether s is valid UTF-8 without a NUL character.
func Storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// Replace returns s with every NUL character and every invalid byte
// sequence replaced by U+FFFD, for writing down what cannot be stored as it
// is, such as the ID of a record refused for holding one.
func Replace(s string) string {
	if Storable(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// Clip shortens s to at most max bytes and an ellipsis, cutting at a
// character boundary; a shorter s is returned as it is. What it keeps is
// valid UTF-8.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.ToValidUTF8(s[:cut], "") + "…"
}

// Unstorable looks at every string in v and returns the path of the first
// one that is not Storable; found is false when all are. It follows
// pointers, interfaces, the exported fields of structs, and the elements of
// slices, arrays and maps (keys too); a byte slice is binary and left alone.
// The path names fields as JSON does (the json tag, else the Go name; an
// embedded struct without a tag adds nothing), joined by dots, with [i] for
// an element: "policy.drivers[1].name". A map's keys and values are named by
// the map, as a key may be personal data. The path of v itself is "".
func Unstorable(v any) (field string, found bool) {
	suffix, found := walk(reflect.ValueOf(v))
	return strings.TrimPrefix(suffix, "."), found
}

// walk returns the path of the first unstorable string below v, relative
// to v (".name", "[2].name"); it is built only on the way back from one, so
// that a storable value costs no allocation for it.
func walk(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", false
		}
		return walk(v.Elem())
	case reflect.String:
		return "", !Storable(v.String())
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if below, bad := walk(v.Field(i)); bad {
				return name(f) + below, true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", false // bytes, not text
		}
		for i := range v.Len() {
			if below, bad := walk(v.Index(i)); bad {
				return "[" + strconv.Itoa(i) + "]" + below, true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if _, bad := walk(it.Key()); bad {
				return "", true
			}
			if _, bad := walk(it.Value()); bad {
				return "", true
			}
		}
	}
	return "", false
}

// name is how the path names struct field f: "." and its JSON name, or
// nothing for an embedded struct whose fields JSON shows as the outer's.
func name(f reflect.StructField) string {
	n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if n == "" && f.Anonymous && isStruct(f.Type) {
		return ""
	}
	if n == "" || n == "-" {
		n = f.Name
	}
	return "." + n
}

func isStruct(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct
}
