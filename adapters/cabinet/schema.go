package cabinet

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
)

// The wire types that are strings in Go but have their own schema type.
// Both protocols write them as text: a Date as "2026-01-31", a DateTime as
// RFC 3339 with an offset, Money as a decimal with two places ("1234.50",
// never a float), Binary as base64.
type (
	Date     string
	DateTime string
	Money    string
	Binary   []byte
)

// MarshalText writes b as base64, the same in XML and JSON.
func (b Binary) MarshalText() ([]byte, error) {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out, nil
}

// UnmarshalText reads base64, with or without padding, ignoring the line
// breaks that some SOAP stacks insert.
func (b *Binary) UnmarshalText(text []byte) error {
	s := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, string(text))
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
		s = strings.TrimRight(s, "=")
	}
	out, err := enc.DecodeString(s)
	if err != nil {
		return fmt.Errorf("not base64")
	}
	*b = out
	return nil
}

// Kind is the schema type of a field.
type Kind int

// The kinds.
const (
	KindString Kind = iota
	KindDate
	KindDateTime
	KindMoney
	KindInt
	KindBool
	KindBinary
	KindStruct
)

// Type describes a wire type for the WSDL's XSD and the OpenAPI document,
// so that both are derived from the same Go types the operations use.
type Type struct {
	Name   string // the Go type's name; for a struct, the schema type's name
	Kind   Kind
	Fields []Field // of a struct
}

// Field is a member of a struct type.
type Field struct {
	XMLName  string // element name in SOAP
	JSONName string // member name in JSON
	Type     Type
	List     bool     // repeated element in XML, array in JSON
	Optional bool     // may be absent (minOccurs 0, not required)
	Enum     []string // allowed values, from the `enum:"a,b"` tag
	Doc      string   // from the `doc:"…"` tag
}

var (
	dateType     = reflect.TypeFor[Date]()
	dateTimeType = reflect.TypeFor[DateTime]()
	moneyType    = reflect.TypeFor[Money]()
	binaryType   = reflect.TypeFor[Binary]()
)

// Describe returns the schema of a request or response type. It panics on a
// type the wire cannot carry, which the tests of every operation catch.
func Describe(t reflect.Type) Type {
	switch t {
	case dateType:
		return Type{Name: "Date", Kind: KindDate}
	case dateTimeType:
		return Type{Name: "DateTime", Kind: KindDateTime}
	case moneyType:
		return Type{Name: "Money", Kind: KindMoney}
	case binaryType:
		return Type{Name: "Binary", Kind: KindBinary}
	}
	switch t.Kind() {
	case reflect.String:
		return Type{Name: "string", Kind: KindString}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return Type{Name: "long", Kind: KindInt}
	case reflect.Bool:
		return Type{Name: "boolean", Kind: KindBool}
	case reflect.Pointer:
		return Describe(t.Elem())
	case reflect.Struct:
		out := Type{Name: t.Name(), Kind: KindStruct}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			out.Fields = append(out.Fields, describeField(t, f))
		}
		return out
	}
	panic(fmt.Sprintf("cabinet: %s.%s cannot be carried on the wire", t.PkgPath(), t.Name()))
}

func describeField(owner reflect.Type, f reflect.StructField) Field {
	xmlName, xmlOpts, _ := strings.Cut(f.Tag.Get("xml"), ",")
	jsonName, jsonOpts, _ := strings.Cut(f.Tag.Get("json"), ",")
	if xmlName == "" || jsonName == "" {
		panic(fmt.Sprintf("cabinet: %s.%s needs both an xml and a json name", owner.Name(), f.Name))
	}
	ft := f.Type
	list := false
	if ft.Kind() == reflect.Slice && ft != binaryType {
		list, ft = true, ft.Elem()
	}
	field := Field{
		XMLName:  xmlName,
		JSONName: jsonName,
		Type:     Describe(ft),
		List:     list,
		Optional: list || f.Type.Kind() == reflect.Pointer || strings.Contains(jsonOpts, "omitempty") || strings.Contains(xmlOpts, "omitempty"),
		Doc:      f.Tag.Get("doc"),
	}
	if e := f.Tag.Get("enum"); e != "" {
		field.Enum = strings.Split(e, ",")
	}
	return field
}
