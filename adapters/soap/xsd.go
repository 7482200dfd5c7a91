package soap

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// Namespace is the target namespace of the WSDL, its schema and every
// operation element.
const Namespace = "urn:kabinet:v1"

const xsNamespace = "http://www.w3.org/2001/XMLSchema"

// schema collects the named types of the XSD: the structs that the
// operations' requests and responses contain, and a simple type per set of
// enumeration values. The request and response elements themselves get
// anonymous types, so their Go names stay out of the contract.
type schema struct {
	ops     []cabinet.Operation
	request map[string]cabinet.Type // by operation name
	reply   map[string]cabinet.Type

	structs     map[string]cabinet.Type
	structOrder []string

	enums     map[string][]string // simple type name -> values
	enumOrder []string
	enumOf    map[enumUse]string // where an enumeration is used -> its simple type
}

// enumUse is one field with an enumeration: the schema type it is in (a
// named struct, or the element of a request or response) and its element
// name.
type enumUse struct{ owner, field string }

// newSchema describes every operation's request and response. It fails when
// two different Go structs would share a schema type name.
func newSchema(ops []cabinet.Operation) (*schema, error) {
	s := &schema{
		ops:     ops,
		request: map[string]cabinet.Type{},
		reply:   map[string]cabinet.Type{},
		structs: map[string]cabinet.Type{},
		enums:   map[string][]string{},
		enumOf:  map[enumUse]string{},
	}
	var wrapperUses []enumField
	for _, op := range ops {
		req, resp := cabinet.Describe(op.Request), cabinet.Describe(op.Response)
		if req.Kind != cabinet.KindStruct || resp.Kind != cabinet.KindStruct {
			return nil, fmt.Errorf("operation %s: request and response must be structs", op.Name)
		}
		s.request[op.Name], s.reply[op.Name] = req, resp
		for _, t := range []cabinet.Type{req, resp} {
			for _, f := range t.Fields {
				if err := s.collect(f.Type); err != nil {
					return nil, fmt.Errorf("operation %s: %w", op.Name, err)
				}
			}
		}
		wrapperUses = append(wrapperUses, enumFields(op.Name, req)...)
		wrapperUses = append(wrapperUses, enumFields(op.Name+"Response", resp)...)
	}
	// The named structs come first, so that a set of values used by one of
	// them and by a request is named after the struct.
	var uses []enumField
	for _, name := range s.structOrder {
		uses = append(uses, enumFields(name, s.structs[name])...)
	}
	s.nameEnums(append(uses, wrapperUses...))
	return s, nil
}

// collect registers t and the structs it contains, depth first, so that
// the document lists them in a stable order.
func (s *schema) collect(t cabinet.Type) error {
	if t.Kind != cabinet.KindStruct {
		return nil
	}
	if prev, ok := s.structs[t.Name]; ok {
		if !reflect.DeepEqual(prev, t) {
			return fmt.Errorf("two different structs are named %s", t.Name)
		}
		return nil
	}
	s.structs[t.Name] = t
	s.structOrder = append(s.structOrder, t.Name)
	for _, f := range t.Fields {
		if err := s.collect(f.Type); err != nil {
			return err
		}
	}
	return nil
}

type enumField struct {
	use    enumUse
	values []string
}

func enumFields(owner string, t cabinet.Type) []enumField {
	var out []enumField
	for _, f := range t.Fields {
		if len(f.Enum) > 0 {
			out = append(out, enumField{use: enumUse{owner: owner, field: f.XMLName}, values: f.Enum})
		}
	}
	return out
}

// nameEnums gives every distinct set of values one simple type. The type is
// named after the field ("Product") when every field with that name has the
// same values, and after the first struct or element that uses it
// otherwise ("PolicySummaryBucket", "ListPoliciesBucket").
func (s *schema) nameEnums(uses []enumField) {
	key := func(values []string) string { return strings.Join(values, "\x00") }
	setsByField := map[string]map[string]bool{}
	for _, u := range uses {
		if setsByField[u.use.field] == nil {
			setsByField[u.use.field] = map[string]bool{}
		}
		setsByField[u.use.field][key(u.values)] = true
	}
	nameOf := map[string]string{} // value set -> type name
	for _, u := range uses {
		k := key(u.values)
		name, ok := nameOf[k]
		if !ok {
			name = exported(u.use.field)
			if len(setsByField[u.use.field]) > 1 {
				name = u.use.owner + name
			}
			for s.taken(name) {
				name += "Value"
			}
			nameOf[k] = name
			s.enums[name] = u.values
			s.enumOrder = append(s.enumOrder, name)
		}
		s.enumOf[u.use] = name
	}
}

func (s *schema) taken(name string) bool {
	_, isStruct := s.structs[name]
	_, isEnum := s.enums[name]
	return isStruct || isEnum || name == "Money"
}

func exported(name string) string {
	if name == "" {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// write appends the xs:schema element to w. It declares its own prefixes,
// so it can be cut out of the WSDL and used on its own.
func (s *schema) write(w *writer) {
	w.open(`xs:schema xmlns:xs="` + xsNamespace + `" xmlns:tns="` + Namespace + `" targetNamespace="` + Namespace + `" elementFormDefault="qualified" attributeFormDefault="unqualified"`)

	w.open(`xs:simpleType name="Money"`)
	w.doc("An amount of money in tenge: a decimal with at most two places, such as 1234.50.")
	w.open(`xs:restriction base="xs:decimal"`)
	w.line(`<xs:fractionDigits value="2"/>`)
	w.close("xs:restriction")
	w.close("xs:simpleType")

	for _, name := range s.enumOrder {
		w.open(`xs:simpleType name="` + name + `"`)
		w.open(`xs:restriction base="xs:string"`)
		for _, v := range s.enums[name] {
			w.line(`<xs:enumeration value="` + escape(v) + `"/>`)
		}
		w.close("xs:restriction")
		w.close("xs:simpleType")
	}

	for _, name := range s.structOrder {
		t := s.structs[name]
		w.open(`xs:complexType name="` + name + `"`)
		s.writeSequence(w, name, t)
		w.close("xs:complexType")
	}

	for _, op := range s.ops {
		s.writeElement(w, op.Name, op.Doc, s.request[op.Name])
		s.writeElement(w, op.Name+"Response", "", s.reply[op.Name])
	}

	w.open(`xs:element name="` + faultElement + `"`)
	w.doc("The detail of every fault: a stable code, the request field at fault if one is, a message for people, and when to try again after LOCKED or RATE_LIMITED.")
	w.open("xs:complexType")
	w.open("xs:sequence")
	w.line(`<xs:element name="code" type="xs:string"/>`)
	w.line(`<xs:element name="field" type="xs:string" minOccurs="0"/>`)
	w.line(`<xs:element name="message" type="xs:string"/>`)
	w.line(`<xs:element name="retryAfterSeconds" type="xs:long" minOccurs="0"/>`)
	w.close("xs:sequence")
	w.close("xs:complexType")
	w.close("xs:element")

	w.close("xs:schema")
}

// writeElement declares a request or response element with an anonymous
// type.
func (s *schema) writeElement(w *writer, name, doc string, t cabinet.Type) {
	w.open(`xs:element name="` + name + `"`)
	if doc != "" {
		w.doc(doc)
	}
	w.open("xs:complexType")
	s.writeSequence(w, name, t)
	w.close("xs:complexType")
	w.close("xs:element")
}

// writeSequence writes the fields of t, which is named owner in the schema.
func (s *schema) writeSequence(w *writer, owner string, t cabinet.Type) {
	if len(t.Fields) == 0 {
		w.line("<xs:sequence/>")
		return
	}
	w.open("xs:sequence")
	for _, f := range t.Fields {
		attrs := `name="` + f.XMLName + `" type="` + s.typeOf(owner, f) + `"`
		switch {
		case f.List:
			attrs += ` minOccurs="0" maxOccurs="unbounded"`
		case f.Optional:
			attrs += ` minOccurs="0"`
		}
		if f.Doc == "" {
			w.line("<xs:element " + attrs + "/>")
			continue
		}
		w.open("xs:element " + attrs)
		w.doc(f.Doc)
		w.close("xs:element")
	}
	w.close("xs:sequence")
}

func (s *schema) typeOf(owner string, f cabinet.Field) string {
	if len(f.Enum) > 0 {
		return "tns:" + s.enumOf[enumUse{owner: owner, field: f.XMLName}]
	}
	switch f.Type.Kind {
	case cabinet.KindString:
		return "xs:string"
	case cabinet.KindDate:
		return "xs:date"
	case cabinet.KindDateTime:
		return "xs:dateTime"
	case cabinet.KindMoney:
		return "tns:Money"
	case cabinet.KindInt:
		return "xs:long"
	case cabinet.KindBool:
		return "xs:boolean"
	case cabinet.KindBinary:
		return "xs:base64Binary"
	case cabinet.KindStruct:
		return "tns:" + f.Type.Name
	}
	panic(fmt.Sprintf("soap: kind %d of %s.%s has no schema type", f.Type.Kind, owner, f.XMLName))
}

// writer writes indented XML of a known shape.
type writer struct {
	b     strings.Builder
	depth int
}

func (w *writer) line(s string) {
	w.b.WriteString(strings.Repeat("  ", w.depth))
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

// open writes a start tag; tag is the name with its attributes.
func (w *writer) open(tag string) {
	w.line("<" + tag + ">")
	w.depth++
}

func (w *writer) close(name string) {
	w.depth--
	w.line("</" + name + ">")
}

func (w *writer) doc(text string) {
	w.line("<xs:annotation><xs:documentation>" + escape(text) + "</xs:documentation></xs:annotation>")
}

// escape makes text safe in XML character data and attribute values.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		default:
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
