// Package wiretest checks the event codecs of the domain packages in their
// fuzz tests.
package wiretest

import (
	"encoding/json"
	"reflect"
	"testing"
)

// RoundTrip decodes data as an event of type typ. What decodes must encode
// again under the same name, and decoding that must give an event that
// encodes to the same JSON. ok is false when data does not decode, which
// is no failure: fuzzers feed any bytes.
func RoundTrip[E any](t testing.TB, decode func(string, int, []byte) (E, error), encode func(E) (string, []byte, error),
	schemaVersion int, typ string, data []byte) (e E, ok bool) {
	t.Helper()
	e, err := decode(typ, schemaVersion, data)
	if err != nil {
		return e, false
	}
	typ2, data2, err := encode(e)
	if err != nil {
		t.Fatalf("encode %s that decoded: %v", typ, err)
	}
	if typ2 != typ {
		t.Fatalf("decoded as %s, encodes as %s", typ, typ2)
	}
	again, err := decode(typ2, schemaVersion, data2)
	if err != nil {
		t.Fatalf("decode %s it encoded: %v", typ2, err)
	}
	_, data3, err := encode(again)
	if err != nil {
		t.Fatalf("encode %s a second time: %v", typ2, err)
	}
	if !sameJSON(data2, data3) {
		t.Fatalf("%s changes on a second round trip:\n%s\n%s", typ, data2, data3)
	}
	return e, true
}

// sameJSON reports whether a and b are the same JSON value, whatever
// their spacing and member order.
func sameJSON(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
