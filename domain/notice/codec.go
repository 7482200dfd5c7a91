package notice

import (
	"encoding/json"
	"fmt"
)

// SchemaVersion is the JSON shape of every notice event today.
const SchemaVersion = 1

// EncodeEvent returns the wire name and JSON of an event.
func EncodeEvent(e Event) (string, []byte, error) {
	switch e.(type) {
	case Recorded, Read:
	default:
		return "", nil, fmt.Errorf("encode %T: %w", e, ErrUnknownEvent)
	}
	data, err := json.Marshal(e)
	if err != nil {
		return "", nil, fmt.Errorf("encode %s: %w", e.eventType(), err)
	}
	return e.eventType(), data, nil
}

// DecodeEvent reads an event stored under a wire name and schema version.
// Older schema versions are lifted by the store's upcasters before they get here.
func DecodeEvent(eventType string, schemaVersion int, data []byte) (Event, error) {
	if schemaVersion != SchemaVersion {
		return nil, fmt.Errorf("decode %s: schema version %d, want %d: %w", eventType, schemaVersion, SchemaVersion, ErrUnknownEvent)
	}
	switch eventType {
	case TypeRecorded:
		return decode[Recorded](eventType, data)
	case TypeRead:
		return decode[Read](eventType, data)
	default:
		return nil, fmt.Errorf("decode %q: %w", eventType, ErrUnknownEvent)
	}
}

func decode[E Event](eventType string, data []byte) (Event, error) {
	var e E
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("decode %s: %w", eventType, err)
	}
	return e, nil
}
