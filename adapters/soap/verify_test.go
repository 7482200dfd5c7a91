package soap

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// validator checks messages with xmllint against the SOAP envelope schemas
// and the XSD cut out of the served WSDL, in one run per message.
type validator struct {
	dir     string
	wrapper string
}

func xmllint(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint is missing: install libxml2-utils (apt-get install libxml2-utils)")
	}
	return path
}

func newValidator(t *testing.T, wsdl []byte) *validator {
	t.Helper()
	xmllint(t)
	dir := t.TempDir()
	start, end := bytes.Index(wsdl, []byte("<xs:schema")), bytes.Index(wsdl, []byte("</xs:schema>"))
	require.True(t, start > 0 && end > start, "the WSDL has an inline schema")
	xsd := append([]byte(xml.Header), wsdl[start:end+len("</xs:schema>")]...)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "kabinet.xsd"), xsd, 0o600))
	testdata, err := filepath.Abs("testdata")
	require.NoError(t, err)
	wrapper := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="%s" schemaLocation="%s"/>
  <xs:import namespace="%s" schemaLocation="%s"/>
  <xs:import namespace="%s" schemaLocation="%s"/>
</xs:schema>
`, envelope11, filepath.Join(testdata, "soap11-envelope.xsd"),
		envelope12, filepath.Join(testdata, "soap12-envelope.xsd"),
		Namespace, filepath.Join(dir, "kabinet.xsd"))
	v := &validator{dir: dir, wrapper: filepath.Join(dir, "wrapper.xsd")}
	require.NoError(t, os.WriteFile(v.wrapper, []byte(wrapper), 0o600))
	return v
}

// check validates one message and returns xmllint's complaint, or nil.
func (v *validator) check(t testing.TB, msg []byte) error {
	t.Helper()
	f, err := os.CreateTemp(v.dir, "msg-*.xml")
	require.NoError(t, err)
	_, err = f.Write(msg)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	out, err := exec.Command(xmllint(t), "--noout", "--nonet", "--schema", v.wrapper, f.Name()).CombinedOutput()
	_ = os.Remove(f.Name())
	if err != nil {
		return fmt.Errorf("xmllint: %v\n%s", err, out)
	}
	return nil
}

// verify checks r against the schemas and parses it. The envelope schemas
// take the Body's child laxly: an element the kabinet schema does not
// declare (a wrong name or namespace) would pass unchecked, so verify
// requires it to be a declared response element or a Fault whose detail is
// a KabinetFault, which the schema then checks strictly.
func (v *validator) verify(t testing.TB, r *reply) error {
	t.Helper()
	if err := v.check(t, r.body); err != nil {
		return err
	}
	if err := parseReply(r); err != nil {
		return err
	}
	if r.fault != nil {
		return nil
	}
	_, known := cabinet.Lookup(strings.TrimSuffix(r.payload.Local, "Response"))
	if r.payload.Space != Namespace || !strings.HasSuffix(r.payload.Local, "Response") || !known {
		return fmt.Errorf("the Body holds %v, which is not the response element of an operation", r.payload)
	}
	return nil
}

// parseReply reads the envelope of r: the Body's child, and the fault if it
// is one.
func parseReply(r *reply) error {
	d := xml.NewDecoder(bytes.NewReader(r.body))
	ns := r.version.namespace()
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("read the answer: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			if _, end := tok.(xml.EndElement); end {
				depth--
			}
			continue
		}
		depth++
		switch {
		case depth == 1 && se.Name != xml.Name{Space: ns, Local: "Envelope"}:
			return fmt.Errorf("the root is %v, not the Envelope of %s", se.Name, ns)
		case depth == 2 && se.Name == xml.Name{Space: ns, Local: "Body"}:
			return readBody(d, ns, r)
		}
	}
}

func readBody(d *xml.Decoder, ns string, r *reply) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("read the Body: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		r.payload = se.Name
		if se.Name != (xml.Name{Space: ns, Local: "Fault"}) {
			return d.Skip()
		}
		var f11 struct {
			Code   string `xml:"faultcode"`
			String string `xml:"faultstring"`
			Detail struct {
				Fault *faultDetail `xml:"urn:kabinet:v1 KabinetFault"`
			} `xml:"detail"`
		}
		var f12 struct {
			Code struct {
				Value   string `xml:"http://www.w3.org/2003/05/soap-envelope Value"`
				Subcode struct {
					Value string `xml:"http://www.w3.org/2003/05/soap-envelope Value"`
				} `xml:"http://www.w3.org/2003/05/soap-envelope Subcode"`
			} `xml:"http://www.w3.org/2003/05/soap-envelope Code"`
			Reason struct {
				Text string `xml:"http://www.w3.org/2003/05/soap-envelope Text"`
			} `xml:"http://www.w3.org/2003/05/soap-envelope Reason"`
			Detail struct {
				Fault *faultDetail `xml:"urn:kabinet:v1 KabinetFault"`
			} `xml:"http://www.w3.org/2003/05/soap-envelope Detail"`
		}
		f := &parsedFault{}
		if ns == envelope11 {
			if err := d.DecodeElement(&f11, &se); err != nil {
				return err
			}
			if f11.Detail.Fault == nil {
				return fmt.Errorf("the fault has no KabinetFault detail")
			}
			prefix, local, _ := strings.Cut(f11.Code, ":")
			if prefix != "soap" {
				return fmt.Errorf("faultcode %q is not in the soap: prefix", f11.Code)
			}
			f.code, f.reason, f.detail = local, f11.String, *f11.Detail.Fault
		} else {
			if err := d.DecodeElement(&f12, &se); err != nil {
				return err
			}
			if f12.Detail.Fault == nil {
				return fmt.Errorf("the fault has no KabinetFault detail")
			}
			_, local, _ := strings.Cut(f12.Code.Value, ":")
			f.code, f.subcode, f.reason, f.detail = local, f12.Code.Subcode.Value, f12.Reason.Text, *f12.Detail.Fault
		}
		r.fault = f
		return nil
	}
}
