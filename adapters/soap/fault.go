package soap

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// The Envelope and Fault are written by hand with fixed prefixes (soap: for
// 1.1, env: for 1.2), which picky clients expect; the payload inside is
// encoding/xml's, with its own xmlns="urn:kabinet:v1".

func envelopeStart(v version) string {
	if v == soap12 {
		return `<env:Envelope xmlns:env="` + envelope12 + `" xmlns:k="` + Namespace + `">`
	}
	return `<soap:Envelope xmlns:soap="` + envelope11 + `">`
}

func envelopeEnd(v version) string {
	if v == soap12 {
		return `</env:Envelope>`
	}
	return `</soap:Envelope>`
}

func bodyStart(v version) string {
	if v == soap12 {
		return `<env:Body>`
	}
	return `<soap:Body>`
}

func bodyEnd(v version) string {
	if v == soap12 {
		return `</env:Body>`
	}
	return `</soap:Body>`
}

// faultDetail is the one detail element of every fault.
type faultDetail struct {
	XMLName           xml.Name `xml:"urn:kabinet:v1 KabinetFault"`
	Code              string   `xml:"code"`
	Field             string   `xml:"field,omitempty"`
	Message           string   `xml:"message"`
	RetryAfterSeconds int64    `xml:"retryAfterSeconds,omitempty"`
}

// retryAfterSeconds rounds up, so that a client waiting that long is never
// early.
// writeFault answers with a fault of version v. status 0 means the status
// the SOAP HTTP binding gives the fault: 500 for every 1.1 fault, 400 for a
// 1.2 Sender fault and 500 for the other 1.2 faults.
func writeFault(w http.ResponseWriter, v version, status int, ref *refusal) {
	e := ref.err
	sender := e.Sender()
	if status == 0 {
		status = http.StatusInternalServerError
		if v == soap12 && ref.kind == byCode && sender {
			status = http.StatusBadRequest
		}
	}
	message := e.Message
	if message == "" {
		message = string(e.Code)
	}
	detail, err := xml.Marshal(faultDetail{Code: string(e.Code), Field: e.Field, Message: message,
		RetryAfterSeconds: e.RetryAfterSeconds()})
	if err != nil { // a struct of strings always marshals
		panic(fmt.Sprintf("soap: marshal the fault detail: %v", err))
	}

	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(envelopeStart(v))
	if v == soap12 {
		writeFault12(&b, ref, sender, message, detail)
	} else {
		writeFault11(&b, ref, sender, message, detail)
	}
	b.WriteString(envelopeEnd(v))

	if s := e.RetryAfterSeconds(); s > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(s))
	}
	w.Header().Set("Content-Type", v.contentType())
	w.Header().Set("Content-Length", fmt.Sprint(b.Len()))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

func writeFault11(b *strings.Builder, ref *refusal, sender bool, message string, detail []byte) {
	code := "soap:Server"
	switch {
	case ref.kind == mustUnderstand:
		code = "soap:MustUnderstand"
	case ref.kind == versionMismatch:
		code = "soap:VersionMismatch"
	case sender:
		code = "soap:Client"
	}
	b.WriteString(`<soap:Body><soap:Fault><faultcode>` + code + `</faultcode><faultstring>`)
	b.WriteString(escape(message))
	b.WriteString(`</faultstring><detail>`)
	b.Write(detail)
	b.WriteString(`</detail></soap:Fault></soap:Body>`)
}

func writeFault12(b *strings.Builder, ref *refusal, sender bool, message string, detail []byte) {
	code := "env:Receiver"
	switch {
	case ref.kind == mustUnderstand:
		code = "env:MustUnderstand"
		b.WriteString(`<env:Header>`)
		for _, n := range ref.notUnderstood {
			if n.Space == "" {
				b.WriteString(`<env:NotUnderstood qname="` + escape(n.Local) + `"/>`)
				continue
			}
			b.WriteString(`<env:NotUnderstood qname="h:` + escape(n.Local) + `" xmlns:h="` + escape(n.Space) + `"/>`)
		}
		b.WriteString(`</env:Header>`)
	case ref.kind == versionMismatch:
		code = "env:VersionMismatch"
		b.WriteString(`<env:Header><env:Upgrade>` +
			`<env:SupportedEnvelope qname="env:Envelope"/>` +
			`<env:SupportedEnvelope qname="s11:Envelope" xmlns:s11="` + envelope11 + `"/>` +
			`</env:Upgrade></env:Header>`)
	case sender:
		code = "env:Sender"
	}
	b.WriteString(`<env:Body><env:Fault><env:Code><env:Value>` + code + `</env:Value>`)
	b.WriteString(`<env:Subcode><env:Value>k:` + string(ref.err.Code) + `</env:Value></env:Subcode></env:Code>`)
	b.WriteString(`<env:Reason><env:Text xml:lang="en">`)
	b.WriteString(escape(message))
	b.WriteString(`</env:Text></env:Reason><env:Detail>`)
	b.Write(detail)
	b.WriteString(`</env:Detail></env:Fault></env:Body>`)
}
