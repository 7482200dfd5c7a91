package httpapi

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// Planning, done once at start-up: how each request type is bound and
// whether each response type can be written as the document says.

// newBinding plans how a request of type t is bound on a route with the
// given path parameters, taking a body or not.
func newBinding(t reflect.Type, pathNames []string, body bool) (*binding, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("request %s is not a struct", t)
	}
	all, err := planObject(t, map[reflect.Type]*object{})
	if err != nil {
		return nil, err
	}
	b := &binding{}
	inPath := make(map[string]bool)
	for _, name := range pathNames {
		m, ok := all.members[name]
		if !ok {
			return nil, fmt.Errorf("path parameter %s is no member of %s", name, t.Name())
		}
		if m.typ.Kind() != reflect.String {
			return nil, fmt.Errorf("path parameter %s of %s is not a string", name, t.Name())
		}
		inPath[name] = true
		b.path = append(b.path, m)
	}
	rest := &object{members: map[string]*member{}}
	for _, m := range all.order {
		if !inPath[m.name] {
			rest.members[m.name] = m
			rest.order = append(rest.order, m)
		}
	}
	if body {
		b.body = rest
		return b, nil
	}
	b.query, b.order = rest.members, rest.order
	for _, m := range rest.order {
		if !isScalar(m.typ) {
			return nil, fmt.Errorf("member %s of %s cannot be a query parameter", m.name, t.Name())
		}
	}
	return b, nil
}

func isScalar(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64:
		return true
	}
	return false
}

// planObject plans the decoding of struct t and of the structs it holds.
func planObject(t reflect.Type, seen map[reflect.Type]*object) (*object, error) {
	if o, ok := seen[t]; ok {
		return o, nil
	}
	desc, err := describe(t)
	if err != nil {
		return nil, err
	}
	o := &object{members: map[string]*member{}}
	seen[t] = o
	fields := make(map[string]cabinet.Field, len(desc.Fields))
	for _, f := range desc.Fields {
		fields[f.JSONName] = f
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		f, ok := fields[name]
		if !ok {
			return nil, fmt.Errorf("%s.%s has no JSON name", t.Name(), sf.Name)
		}
		if _, dup := o.members[name]; dup {
			return nil, fmt.Errorf("%s has two members named %s", t.Name(), name)
		}
		m := &member{name: name, index: i, typ: sf.Type, required: !f.Optional, field: f}
		if st := structOf(sf.Type); st != nil {
			if m.obj, err = planObject(st, seen); err != nil {
				return nil, err
			}
		}
		o.members[name] = m
		o.order = append(o.order, m)
	}
	return o, nil
}

// structOf is the struct a member holds directly, through a pointer or as
// list elements; nil for scalars.
func structOf(t reflect.Type) reflect.Type {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		return t
	}
	return nil
}

// describe is cabinet.Describe with its panic on a type the wire cannot
// carry turned into an error.
func describe(t reflect.Type) (d cabinet.Type, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	return cabinet.Describe(t), nil
}

// checkResponse refuses a response type whose JSON would not match the
// document: a pointer without omitempty would be written as null.
func checkResponse(t reflect.Type) error {
	if _, err := describe(t); err != nil {
		return err
	}
	return walkStructs(t, map[reflect.Type]bool{}, func(owner reflect.Type, sf reflect.StructField) error {
		_, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Type.Kind() == reflect.Pointer && !strings.Contains(opts, "omitempty") {
			return fmt.Errorf("%s.%s is a pointer without omitempty: nil would be null", owner.Name(), sf.Name)
		}
		return nil
	})
}

func walkStructs(t reflect.Type, seen map[reflect.Type]bool, fn func(owner reflect.Type, sf reflect.StructField) error) error {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return nil
	}
	seen[t] = true
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if err := fn(t, sf); err != nil {
			return err
		}
		if st := structOf(sf.Type); st != nil {
			if err := walkStructs(st, seen, fn); err != nil {
				return err
			}
		}
	}
	return nil
}
