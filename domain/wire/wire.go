// Package wire is the JSON codec of the aggregates' events: each aggregate
// builds one Codec from the closed table of its event types and their stable
// wire names, so encoding and decoding are written once.
package wire

import (
	"encoding/json"
	"fmt"
)

// Codec encodes and decodes the events of one aggregate, whose events
// implement E. It is built once and read-only after, so it is safe for
// concurrent use.
type Codec[E any] struct {
	schema  int
	unknown error
	byName  map[string]Type[E]
}

// Type is one event type of an aggregate, made by As.
type Type[E any] struct {
	name   string
	is     func(E) bool
	decode func([]byte) (E, error)
}

// As registers the event type T under its wire name. T must implement E; a
// type that does not fails every decode, which the codec tests catch.
func As[E, T any](name string) Type[E] {
	return Type[E]{
		name: name,
		is:   func(e E) bool { _, ok := any(e).(T); return ok },
		decode: func(data []byte) (E, error) {
			var t T
			if err := json.Unmarshal(data, &t); err != nil {
				var zero E
				return zero, err
			}
			e, ok := any(t).(E)
			if !ok {
				return e, fmt.Errorf("%T does not implement %T", t, (*E)(nil))
			}
			return e, nil
		},
	}
}

// New builds the codec of an aggregate whose events all have the given
// schema version; unknown is the aggregate's sentinel for an event type or
// version it does not know.
func New[E any](schemaVersion int, unknown error, types ...Type[E]) *Codec[E] {
	c := &Codec[E]{schema: schemaVersion, unknown: unknown, byName: make(map[string]Type[E], len(types))}
	for _, t := range types {
		c.byName[t.name] = t
	}
	return c
}

// Encode returns the wire name and JSON of e, whose own wire name is name.
func (c *Codec[E]) Encode(name string, e E) (string, []byte, error) {
	t, ok := c.byName[name]
	if !ok || !t.is(e) {
		return "", nil, fmt.Errorf("encode %T: %w", e, c.unknown)
	}
	data, err := json.Marshal(e)
	if err != nil {
		return "", nil, fmt.Errorf("encode %s: %w", name, err)
	}
	return name, data, nil
}

// Decode reads an event stored under a wire name and schema version. Older
// schema versions are lifted by the store's upcasters before they get here.
func (c *Codec[E]) Decode(name string, schemaVersion int, data []byte) (E, error) {
	var zero E
	if schemaVersion != c.schema {
		return zero, fmt.Errorf("decode %s: schema version %d, want %d: %w", name, schemaVersion, c.schema, c.unknown)
	}
	t, ok := c.byName[name]
	if !ok {
		return zero, fmt.Errorf("decode %q: %w", name, c.unknown)
	}
	e, err := t.decode(data)
	if err != nil {
		return zero, fmt.Errorf("decode %s: %w", name, err)
	}
	return e, nil
}

// Personal names the members of one event type's payload that are personal
// data, which the store seals with the owning client's key so that erasing
// the client makes them unreadable (internal/pii). Members are paths of
// member names joined by dots ("holder.iin"); Owner is the path of the
// member that holds the owning client's ID, or "" when the event's stream
// is the client's own ("client-<id>").
type Personal struct {
	Type    string
	Owner   string
	Members []string
}
