package wiretest

import (
	"errors"
	"testing"
)

// recorder is a testing.TB that notes a failure instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Fatalf(string, ...any) { r.failed = true; panic(r) }
func (r *recorder) Helper()               {}

func roundTrip(encode func(string) (string, []byte, error)) (failed bool) {
	r := &recorder{}
	defer func() {
		if p := recover(); p != nil && p != any(r) {
			panic(p)
		}
		failed = r.failed
	}()
	decode := func(typ string, _ int, data []byte) (string, error) {
		if string(data) == "bad" {
			return "", errors.New("bad")
		}
		return string(data), nil
	}
	RoundTrip(r, decode, encode, 1, "t", []byte(`{"a":1}`))
	return r.failed
}

func TestRoundTripFailsOnACodecThatDrifts(t *testing.T) {
	faithful := func(e string) (string, []byte, error) { return "t", []byte(e), nil }
	if roundTrip(faithful) {
		t.Fatal("a faithful codec failed")
	}
	renamed := func(e string) (string, []byte, error) { return "other", []byte(e), nil }
	if !roundTrip(renamed) {
		t.Fatal("a codec that renames the type passed")
	}
	growing := func(e string) (string, []byte, error) {
		return "t", []byte(`{"a":1,"n":` + string(rune('0'+len(e)%10)) + `}`), nil
	}
	if !roundTrip(growing) {
		t.Fatal("a codec that changes on a second round trip passed")
	}
}
