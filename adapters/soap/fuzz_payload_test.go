package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// FuzzOperationPayload puts arbitrary XML inside the element of every
// operation, in a well-formed Envelope, so that the fuzzer works on the
// requests' fields rather than on the Envelope. What decodes, encoded as a
// client would send it and decoded again, is the same request; what is
// refused is refused with a code a sender's mistake gets, naming, when it
// names a field, one of the operation's, in a well-formed Fault.
func FuzzOperationPayload(f *testing.F) {
	ops := map[string]cabinet.Operation{}
	all := cabinet.Operations()
	for _, op := range all {
		ops[op.Name] = op
	}
	for i, op := range all {
		zero := payload(f, op.Name, op.NewRequest())
		inner := zero[strings.Index(zero, ">")+1 : strings.LastIndex(zero, "<")]
		for _, seed := range []string{
			inner, "", "<unknown>1</unknown>", `<a xmlns="urn:other"><b/></a>`, "text", "<![CDATA[x]]>", "&amp;&#x41;&#65;",
		} {
			f.Add(uint8(i), []byte(seed))
		}
	}
	f.Add(uint8(0), []byte(`<installment><number>1st</number></installment>`))
	f.Add(uint8(0), []byte(`<content>@@@@</content><limit> 7 </limit><unreadOnly>1</unreadOnly>`))

	f.Fuzz(func(t *testing.T, which uint8, inner []byte) {
		op := all[int(which)%len(all)]
		body := envelope(soap11, `<`+op.Name+` xmlns="`+Namespace+`">`+string(inner)+`</`+op.Name+`>`)
		req, ref := decodeEnvelope(body, ops, soap11)
		if ref != nil {
			e := ref.err
			require.Contains(t, []cabinet.Code{cabinet.CodeMalformedRequest, cabinet.CodeInvalidArgument, cabinet.CodeUnknownOperation},
				e.Code, "%v", e)
			if e.Field != "" {
				first, _, _ := strings.Cut(e.Field, ".")
				first, _, _ = strings.Cut(first, "[")
				assert.True(t, hasElement(cabinet.Describe(op.Request), first), "%s has no field %q", op.Name, e.Field)
			}
			wellFormedFault(t, req.version, ref)
			return
		}
		require.Equal(t, op.Name, req.op.Name)
		once := payload(t, op.Name, req.payload)
		again, ref := decodeEnvelope(envelope(soap11, once), ops, soap11)
		require.Nil(t, ref, "what decoded once must decode again: %s", once)
		assert.Equal(t, once, payload(t, op.Name, again.payload), "a decoded request encodes the same after a round trip")
	})
}

func hasElement(t cabinet.Type, name string) bool {
	for _, f := range t.Fields {
		if f.XMLName == name {
			return true
		}
	}
	return false
}

// wellFormedFault writes the Fault of a refusal and reads it back.
func wellFormedFault(t *testing.T, v version, ref *refusal) {
	t.Helper()
	rec := httptest.NewRecorder()
	writeFault(rec, v, 0, ref)
	d := xml.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err, "the fault is not well-formed:\n%s", rec.Body.Bytes())
	}
}
