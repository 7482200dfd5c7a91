package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// FuzzEnvelope feeds the decoder arbitrary bodies: it must never panic, and
// whatever it refuses must be answered with a well-formed Fault.
func FuzzEnvelope(f *testing.F) {
	ops := map[string]cabinet.Operation{}
	for _, op := range cabinet.Operations() {
		ops[op.Name] = op
	}
	login := payload(f, "Login", &cabinet.LoginRequest{Login: "870412300415", AccessCode: "1234"})
	for _, seed := range [][]byte{
		envelope(soap11, login),
		envelope(soap12, login),
		unqualified(f, soap11, "Login", &cabinet.LoginRequest{Login: "x", AccessCode: "y"}),
		envelope(soap11, `<ListNotifications xmlns="urn:kabinet:v1"><limit>ten</limit></ListNotifications>`),
		envelope(soap12, `<UploadDocumentScan xmlns="urn:kabinet:v1"><content>QUJD</content></UploadDocumentScan>`),
		envelope(soap11, `<IssuePolicy xmlns="urn:kabinet:v1"><installment><number>1</number></installment><vehicle><year>2019</year></vehicle></IssuePolicy>`),
		[]byte(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><soap:Envelope xmlns:soap="` + envelope11 + `"><soap:Body>&x;</soap:Body></soap:Envelope>`),
		[]byte(`<env:Envelope xmlns:env="` + envelope12 + `"><env:Header><h xmlns="urn:h" env:mustUnderstand="true"/></env:Header><env:Body/></env:Envelope>`),
		[]byte(`<e:Envelope xmlns:e="urn:other"><e:Body/></e:Envelope>`),
		[]byte(`<?xml version="1.0" encoding="windows-1251"?><a/>`),
		[]byte("<a><![CDATA[x]]></a>"),
		{},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, ref := decodeEnvelope(body, ops, soap11)
		if ref == nil {
			if req.payload == nil || req.op.Name == "" || (req.version != soap11 && req.version != soap12) {
				t.Fatalf("accepted without an operation: %+v", req)
			}
			return
		}
		rec := httptest.NewRecorder()
		writeFault(rec, req.version, 0, ref)
		d := xml.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("the fault is not well-formed: %v\n%s", err, rec.Body.Bytes())
			}
		}
	})
}
