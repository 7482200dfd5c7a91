package eventstore

import (
	"encoding/json"
	"fmt"
)

// Upcast lifts the JSON of one event type from schema version From to From+1.
type Upcast struct {
	Type string
	From int
	Lift func(data json.RawMessage) (json.RawMessage, error)
}

type upcastKey struct {
	typ  string
	from int
}

// Upcasters maps (type, schema version) to the function that lifts it one
// version. It is built once and read-only after, so it is safe for
// concurrent use. A nil *Upcasters lifts nothing.
type Upcasters struct {
	lifts map[upcastKey]func(json.RawMessage) (json.RawMessage, error)
}

// NewUpcasters checks and indexes the given upcasts.
func NewUpcasters(upcasts ...Upcast) (*Upcasters, error) {
	u := &Upcasters{lifts: make(map[upcastKey]func(json.RawMessage) (json.RawMessage, error), len(upcasts))}
	for _, c := range upcasts {
		k := upcastKey{c.Type, c.From}
		switch {
		case c.Type == "" || c.From < 1 || c.Lift == nil:
			return nil, fmt.Errorf("upcast %q from %d: type, from ≥ 1 and lift are required", c.Type, c.From)
		case u.lifts[k] != nil:
			return nil, fmt.Errorf("upcast %q from %d: registered twice", c.Type, c.From)
		}
		u.lifts[k] = c.Lift
	}
	return u, nil
}

// Apply lifts e in place to the newest schema version it knows.
func (u *Upcasters) Apply(e *RecordedEvent) error {
	if u == nil || len(u.lifts) == 0 {
		return nil
	}
	for {
		lift := u.lifts[upcastKey{e.Type, e.SchemaVersion}]
		if lift == nil {
			return nil
		}
		data, err := lift(e.Data)
		if err != nil {
			return fmt.Errorf("upcast %s v%d of %s version %d: %w", e.Type, e.SchemaVersion, e.Stream, e.Version, err)
		}
		e.Data = data
		e.SchemaVersion++
	}
}

// ApplyAll lifts every event in place.
func (u *Upcasters) ApplyAll(events []RecordedEvent) error {
	for i := range events {
		if err := u.Apply(&events[i]); err != nil {
			return err
		}
	}
	return nil
}
