package soap

import (
	"bytes"
	"fmt"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// The names a client's generated code is keyed by (1C's WS proxies by
// namespace, service and port): they never change within urn:kabinet:v1.
const (
	serviceName    = "KabinetService"
	portTypeName   = "Kabinet"
	binding11Name  = "KabinetSoap"
	binding12Name  = "KabinetSoap12"
	faultElement   = "KabinetFault"
	faultMessage   = "KabinetFault"
	faultName      = "KabinetFault"
	soapHTTP       = "http://schemas.xmlsoap.org/soap/http"
	wsdlNamespace  = "http://schemas.xmlsoap.org/wsdl/"
	wsdlSOAP11     = "http://schemas.xmlsoap.org/wsdl/soap/"
	wsdlSOAP12     = "http://schemas.xmlsoap.org/wsdl/soap12/"
	addressPattern = "\x00address\x00" // where the endpoint's URL goes
)

// soapAction is the SOAPAction of an operation; the server only takes it as
// a hint.
func soapAction(op string) string { return Namespace + "#" + op }

// wsdl is the generated document, cut where the endpoint's address goes so
// that it can be served for any address without generating it again.
type wsdl struct {
	parts [][]byte
}

// bytes returns the document with the endpoint at address.
func (d wsdl) bytes(address string) []byte {
	return bytes.Join(d.parts, []byte(escape(address)))
}

// newWSDL generates the WSDL 1.1 document of ops: one portType, a SOAP 1.1
// and a SOAP 1.2 binding of it, and one service with a port per binding at
// the same address.
func newWSDL(ops []cabinet.Operation) (wsdl, *schema, error) {
	s, err := newSchema(ops)
	if err != nil {
		return wsdl{}, nil, err
	}
	w := &writer{}
	w.line(`<?xml version="1.0" encoding="UTF-8"?>`)
	w.open(`wsdl:definitions name="Kabinet" targetNamespace="` + Namespace + `" xmlns:wsdl="` + wsdlNamespace +
		`" xmlns:soap="` + wsdlSOAP11 + `" xmlns:soap12="` + wsdlSOAP12 + `" xmlns:xs="` + xsNamespace + `" xmlns:tns="` + Namespace + `"`)
	w.line("<wsdl:documentation>kabinet: the client cabinet of the insurer's website. " +
		"Send the caller's API key in the X-API-Key HTTP header and, for a client's operations, " +
		"the session token from Login as Authorization: Bearer &lt;token&gt;.</wsdl:documentation>")

	w.open("wsdl:types")
	s.write(w)
	w.close("wsdl:types")

	for _, op := range ops {
		w.open(`wsdl:message name="` + op.Name + `Request"`)
		w.line(`<wsdl:part name="parameters" element="tns:` + op.Name + `"/>`)
		w.close("wsdl:message")
		w.open(`wsdl:message name="` + op.Name + `Response"`)
		w.line(`<wsdl:part name="parameters" element="tns:` + op.Name + `Response"/>`)
		w.close("wsdl:message")
	}
	w.open(`wsdl:message name="` + faultMessage + `"`)
	w.line(`<wsdl:part name="fault" element="tns:` + faultElement + `"/>`)
	w.close("wsdl:message")

	w.open(`wsdl:portType name="` + portTypeName + `"`)
	for _, op := range ops {
		w.open(`wsdl:operation name="` + op.Name + `"`)
		w.line("<wsdl:documentation>" + escape(fmt.Sprintf("%s Access: %s.", op.Doc, accessDoc(op.Access))) + "</wsdl:documentation>")
		w.line(`<wsdl:input message="tns:` + op.Name + `Request"/>`)
		w.line(`<wsdl:output message="tns:` + op.Name + `Response"/>`)
		w.line(`<wsdl:fault name="` + faultName + `" message="tns:` + faultMessage + `"/>`)
		w.close("wsdl:operation")
	}
	w.close("wsdl:portType")

	writeBinding(w, ops, binding11Name, "soap")
	writeBinding(w, ops, binding12Name, "soap12")

	// node-soap's client.Op uses the last port of the document, and sends
	// SOAP 1.1 unless told otherwise: the 1.1 port comes last to match.
	w.open(`wsdl:service name="` + serviceName + `"`)
	w.open(`wsdl:port name="` + binding12Name + `" binding="tns:` + binding12Name + `"`)
	w.line(`<soap12:address location="` + addressPattern + `"/>`)
	w.close("wsdl:port")
	w.open(`wsdl:port name="` + binding11Name + `" binding="tns:` + binding11Name + `"`)
	w.line(`<soap:address location="` + addressPattern + `"/>`)
	w.close("wsdl:port")
	w.close("wsdl:service")

	w.close("wsdl:definitions")
	return wsdl{parts: bytes.Split([]byte(w.b.String()), []byte(addressPattern))}, s, nil
}

func writeBinding(w *writer, ops []cabinet.Operation, name, prefix string) {
	w.open(`wsdl:binding name="` + name + `" type="tns:` + portTypeName + `"`)
	w.line(`<` + prefix + `:binding style="document" transport="` + soapHTTP + `"/>`)
	for _, op := range ops {
		w.open(`wsdl:operation name="` + op.Name + `"`)
		w.line(`<` + prefix + `:operation soapAction="` + soapAction(op.Name) + `" style="document"/>`)
		w.line(`<wsdl:input><` + prefix + `:body use="literal"/></wsdl:input>`)
		w.line(`<wsdl:output><` + prefix + `:body use="literal"/></wsdl:output>`)
		w.line(`<wsdl:fault name="` + faultName + `"><` + prefix + `:fault name="` + faultName + `" use="literal"/></wsdl:fault>`)
		w.close("wsdl:operation")
	}
	w.close("wsdl:binding")
}

func accessDoc(a cabinet.Access) string {
	switch a {
	case cabinet.Public:
		return "a website key, no session"
	case cabinet.ClientSession:
		return "a website key and a client's session"
	case cabinet.InsurerSystem:
		return "an insurer key"
	}
	return a.String()
}
