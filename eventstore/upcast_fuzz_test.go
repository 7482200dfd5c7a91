package eventstore_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
)

// renameChain is the shape of a real schema change: version 1 named a
// member "name", version 2 calls it "full_name", version 3 adds "lifted".
// Lifts read the old JSON and fail on what is not a JSON object.
func renameChain(t testing.TB) *eventstore.Upcasters {
	t.Helper()
	object := func(d json.RawMessage) (map[string]any, error) {
		var v map[string]any
		if err := json.Unmarshal(d, &v); err != nil {
			return nil, err
		}
		if v == nil {
			return nil, errors.New("not a JSON object")
		}
		return v, nil
	}
	up, err := eventstore.NewUpcasters(
		eventstore.Upcast{Type: "client.renamed", From: 1, Lift: func(d json.RawMessage) (json.RawMessage, error) {
			v, err := object(d)
			if err != nil {
				return nil, err
			}
			if name, ok := v["name"]; ok {
				v["full_name"] = name
				delete(v, "name")
			}
			return json.Marshal(v)
		}},
		eventstore.Upcast{Type: "client.renamed", From: 2, Lift: func(d json.RawMessage) (json.RawMessage, error) {
			v, err := object(d)
			if err != nil {
				return nil, err
			}
			v["lifted"] = true
			return json.Marshal(v)
		}},
	)
	require.NoError(t, err)
	return up
}

// FuzzUpcastersApply lifts arbitrary stored events. An event of another
// type or version is left byte for byte as it was; one of the chain's type
// and an old version is lifted to the newest version or refused with an
// error that names the event and not its data; and lifting a lifted event
// again changes nothing.
func FuzzUpcastersApply(f *testing.F) {
	for _, seed := range []struct {
		typ     string
		version int
		data    string
	}{
		{"client.renamed", 1, `{"name":"Aigerim"}`},
		{"client.renamed", 2, `{"full_name":"Dana"}`},
		{"client.renamed", 3, `{"full_name":"Dana","lifted":false}`},
		{"client.renamed", 1, `null`},
		{"client.renamed", 1, `[1,2]`},
		{"client.renamed", 2, `{"lifted":"x","name":{"deep":[{}]}}`},
		{"client.renamed", 0, `{}`},
		{"client.renamed", -1, `{}`},
		{"policy.issued", 1, `{"name":"x"}`},
		{"", 1, ``},
	} {
		f.Add(seed.typ, seed.version, []byte(seed.data))
	}
	up := renameChain(f)
	f.Fuzz(func(t *testing.T, typ string, version int, data []byte) {
		e := eventstore.RecordedEvent{Event: eventstore.Event{Type: typ, SchemaVersion: version, Data: bytes.Clone(data)}, Stream: "client-0001", Version: 7}
		err := up.Apply(&e)
		lifts := typ == "client.renamed" && (version == 1 || version == 2)
		if !lifts {
			require.NoError(t, err)
			assert.Equal(t, version, e.SchemaVersion)
			assert.Equal(t, data, []byte(e.Data), "an event no lift is for is left as stored")
			return
		}
		if err != nil {
			assert.Contains(t, err.Error(), "client.renamed", "the error names the event type")
			assert.Contains(t, err.Error(), "client-0001 version 7", "the error names the event")
			if len(data) >= 16 {
				assert.NotContains(t, err.Error(), string(data), "the error does not carry the data")
			}
			assert.GreaterOrEqual(t, e.SchemaVersion, version)
			assert.Less(t, e.SchemaVersion, 3, "a refused event is not marked as lifted")
			return
		}
		require.Equal(t, 3, e.SchemaVersion)
		var v map[string]any
		require.NoError(t, json.Unmarshal(e.Data, &v), "a lift writes a JSON object: %s", e.Data)
		if version == 1 {
			assert.NotContains(t, v, "name", "version 1's member is gone")
		}
		assert.Equal(t, true, v["lifted"])

		again := e
		again.Data = bytes.Clone(e.Data)
		require.NoError(t, up.Apply(&again))
		assert.Equal(t, e, again, "lifting a lifted event changes nothing")
	})
}

// FuzzNewUpcasters registers lifts from a made-up table, one per two
// bytes: a type (one of four) and a from version. Registration must refuse
// exactly the invalid and the duplicate entries, and Apply must end, one
// version up per registered lift, on every chain the table forms.
func FuzzNewUpcasters(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 0, 3})
	f.Add([]byte{0, 1, 0, 1})
	f.Add([]byte{1, 0})
	f.Add([]byte{2, 5, 2, 3, 2, 4, 3, 1})
	f.Add([]byte{})
	types := []string{"a.one", "a.two", "b.one", ""}
	f.Fuzz(func(t *testing.T, table []byte) {
		if len(table) > 64 {
			table = table[:64]
		}
		type key struct {
			typ  string
			from int
		}
		var upcasts []eventstore.Upcast
		registered := map[key]bool{}
		wantErr := false
		for i := 0; i+1 < len(table); i += 2 {
			k := key{types[int(table[i])%len(types)], int(int8(table[i+1]))}
			if k.typ == "" || k.from < 1 || registered[k] {
				wantErr = true
			}
			registered[k] = true
			upcasts = append(upcasts, eventstore.Upcast{Type: k.typ, From: k.from, Lift: func(d json.RawMessage) (json.RawMessage, error) {
				return append(bytes.Clone(d), '+'), nil
			}})
		}
		up, err := eventstore.NewUpcasters(upcasts...)
		if wantErr {
			require.Error(t, err)
			assert.Nil(t, up)
			return
		}
		require.NoError(t, err)
		for k := range registered {
			e := eventstore.RecordedEvent{Event: eventstore.Event{Type: k.typ, SchemaVersion: k.from, Data: json.RawMessage("x")}}
			require.NoError(t, up.Apply(&e))
			steps := e.SchemaVersion - k.from
			assert.Positive(t, steps)
			assert.Equal(t, "x"+strings.Repeat("+", steps), string(e.Data), "one lift per version")
			assert.False(t, registered[key{k.typ, e.SchemaVersion}], "Apply stops at the first version with no lift")
		}
	})
}
